"""What the author wants: complaint, question, purchase intent, praise, feature request,
churn risk, spam, other. More than one may apply; ``OTHER`` only when nothing else does.

Explainable rules: cue phrases per language (``intent_cues``) combined with the sentiment.
Spam stands alone. A complaint is a problem report, or negative sentiment that is not just a
question, a compliment or a notice of leaving; a problem already put right, told with thanks,
is praise. Praise yields to a complaint (praise words next to a problem are usually sarcasm),
and thanks alone are praise only in a short message that asks nothing.
"""

import re

from ingest.analysis.intent_cues import CUES, ENGLISH
from ingest.analysis.spam import looks_like_spam
from rapport.events import Intent, Sentiment, SentimentLabel

_LEADING_HANDLES = re.compile(r"^(?:[\s.]*@\w+)+\s*")
_HANDLES_AND_LINKS = re.compile(r"@\w+|https?://\S+")
SHORT_WORDS = 8
"""Thanks in a message of at most this many words (handles and links aside) are its point."""
STRONG = 0.5
"""Positive sentiment at least this strong counts as praise without a praise phrase."""


def classify(text: str, language: str, sentiment: Sentiment) -> list[Intent]:
    if looks_like_spam(text):
        return [Intent.SPAM]
    text = text.replace("’", "'")
    cues = CUES.get(language, ENGLISH)
    negative = sentiment.label is SentimentLabel.NEGATIVE
    positive = sentiment.label is SentimentLabel.POSITIVE and sentiment.score >= STRONG

    question = "?" in text or bool(cues.question.search(_LEADING_HANDLES.sub("", text)))
    churn = bool(cues.churn.search(text))
    praised = bool(cues.praise.search(text))
    thanked = bool(cues.thanks.search(text)) and not question and _is_short(text)
    problem = bool(cues.problem.search(text))
    if problem and (praised or thanked) and cues.resolved.search(text) and not negative:
        problem = False
    complaint = problem or (negative and not (question or praised or churn))

    found = {
        Intent.COMPLAINT: complaint,
        Intent.QUESTION: question,
        Intent.PURCHASE_INTENT: bool(cues.purchase.search(text)),
        Intent.PRAISE: not complaint and (praised or thanked or (positive and not question)),
        Intent.FEATURE_REQUEST: bool(cues.feature.search(text)),
        Intent.CHURN_RISK: churn,
    }
    return [intent for intent, present in found.items() if present] or [Intent.OTHER]


def _is_short(text: str) -> bool:
    return len(_HANDLES_AND_LINKS.sub("", text).split()) <= SHORT_WORDS
