"""Does a mention need a human? Complaints, questions, purchase intent, churn risk and any
other negative mention do (support work); praise from fans goes to the community queue; spam,
bots and the brand's own posts never open a case; posts older than the live window open no
live one.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from rapport.events import Intent, Mention, RelationshipStage, SentimentLabel

NEEDS_ANSWER = frozenset(
    {Intent.COMPLAINT, Intent.QUESTION, Intent.PURCHASE_INTENT, Intent.CHURN_RISK}
)
FANS = frozenset({RelationshipStage.FAN, RelationshipStage.EVANGELIST})


class Need(StrEnum):
    ANSWER = "answer"
    """Someone waits for the brand: support, sales, PR."""
    COMMUNITY = "community"
    """A fan's praise: worth a thank-you, at low priority."""


def need(mention: Mention, stage: RelationshipStage) -> Need | None:
    if mention.from_brand or Intent.SPAM in mention.intents:
        return None
    if NEEDS_ANSWER & set(mention.intents) or mention.sentiment.label is SentimentLabel.NEGATIVE:
        return Need.ANSWER
    if Intent.PRAISE in mention.intents and stage in FANS:
        return Need.COMMUNITY
    return None


def is_history(created_at: datetime, now: datetime, live_window: timedelta) -> bool:
    """A post older than the live window (an import, a late delivery) is history: it is
    measured, but nobody is asked to answer it now."""
    return now - created_at > live_window
