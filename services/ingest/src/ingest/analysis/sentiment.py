"""Sentiment of a mention: a score in [-1, 1] and a label.

Korean text is scored by its own lexicon and rules (``korean_sentiment``); every other language
by VADER (``english_sentiment``), which is built for English and leaves text it has no words for
neutral. Each scorer has its own neutral band, set where its scores separate the labels.
"""

from ingest.analysis.english_sentiment import english_score
from ingest.analysis.korean_sentiment import korean_score
from rapport.events import Sentiment, SentimentLabel

NEUTRAL_BAND = {"en": 0.05, "ko": 0.2}


def score(text: str, language: str) -> Sentiment:
    if language == "ko":
        value, band = korean_score(text), NEUTRAL_BAND["ko"]
    else:
        value, band = english_score(text), NEUTRAL_BAND["en"]
    value = max(-1.0, min(1.0, round(value, 3)))
    if value >= band:
        label = SentimentLabel.POSITIVE
    elif value <= -band:
        label = SentimentLabel.NEGATIVE
    else:
        label = SentimentLabel.NEUTRAL
    return Sentiment(score=value, label=label)
