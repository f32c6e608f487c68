"""Earning rules. The foundation has one: a customer's positive mention of the brand."""

from dataclasses import dataclass

from rapport.events import Intent, Mention, SentimentLabel

POSITIVE_MENTION = "positive_mention"


@dataclass(frozen=True)
class Earning:
    rule: str
    points: int


def earning_for(mention: Mention, *, points_per_positive_mention: int) -> Earning | None:
    if mention.from_brand or Intent.SPAM in mention.intents:
        return None
    if mention.sentiment.label is not SentimentLabel.POSITIVE:
        return None
    return Earning(POSITIVE_MENTION, points_per_positive_mention)


def entry_id(rule: str, cause_event_id: str) -> str:
    """A ledger entry's key: one rule rewards one cause at most once."""
    return f"{rule}:{cause_event_id}"
