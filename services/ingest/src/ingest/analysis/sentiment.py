"""A deliberately small lexicon scorer for English and Korean.

It is the foundation's stand-in so that negative mentions open cases and positive ones earn
points; the real model (and its evaluation) replaces it in the ingest issue.
"""

import re

from rapport.events import Sentiment, SentimentLabel

NEGATIVE = {
    "en": (
        "awful", "angry", "bad", "broken", "broke", "cancel", "cold", "disappointed", "fail",
        "failed", "hate", "late", "leak", "leaks", "leaking", "never again", "not working",
        "doesn't work", "refund", "rude", "slow", "terrible", "useless", "worst", "waiting",
    ),
    "ko": (
        "최악", "고장", "환불", "실망", "화나", "불만", "느려", "안 돼", "안돼", "별로", "짜증",
        "불량",
    ),
}  # fmt: skip
POSITIVE = {
    "en": (
        "amazing", "awesome", "best", "delicious", "excellent", "fantastic", "great", "happy",
        "love", "perfect", "recommend", "thank you", "thanks", "wonderful",
    ),
    "ko": ("최고", "좋아", "좋아요", "감사", "추천", "사랑", "만족", "훌륭", "맛있"),
}  # fmt: skip
THRESHOLD = 0.2


def _hits(text: str, words: tuple[str, ...], language: str) -> int:
    if language == "ko":
        return sum(text.count(word) for word in words)
    return sum(len(re.findall(rf"\b{re.escape(word)}\b", text)) for word in words)


def score(text: str, language: str) -> Sentiment:
    lowered = text.lower()
    lexicon = language if language in NEGATIVE else "en"
    negative = _hits(lowered, NEGATIVE[lexicon], lexicon)
    positive = _hits(lowered, POSITIVE[lexicon], lexicon)
    total = negative + positive
    value = 0.0 if total == 0 else (positive - negative) / total
    if value >= THRESHOLD:
        label = SentimentLabel.POSITIVE
    elif value <= -THRESHOLD:
        label = SentimentLabel.NEGATIVE
    else:
        label = SentimentLabel.NEUTRAL
    return Sentiment(score=round(value, 3), label=label)
