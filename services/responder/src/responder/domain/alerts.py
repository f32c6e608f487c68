"""What an agent reads of a crisis alert: its subject by name, and the buckets of its trend."""

from datetime import datetime
from uuid import UUID

from rapport.events import CrisisAlert
from responder.domain.messages import Message
from responder.domain.spikes import SpikeRule

TREND_BEFORE = 12
"""Buckets shown before the one the alert began in (two hours of 10-minute buckets)."""
TREND_AFTER = 12


def viral_post(alert: CrisisAlert) -> UUID | None:
    """The mention a viral-post alert is about (its subject)."""
    if alert.kind != "viral_negative_post":
        return None
    try:
        return UUID(alert.subject)
    except ValueError:
        return None


def title(alert: CrisisAlert, post: Message | None = None) -> str:
    if alert.kind == "viral_negative_post":
        author = post and (f"@{post.handle}" if post.handle else post.name)
        return f"Viral negative post by {author or 'a customer'}"
    kind, _, name = alert.subject.partition(":")
    if kind == "intent":
        return f"Negative {name.replace('_', ' ')} mentions"
    if kind == "keyword":
        return f"Negative mentions of “{name}”"
    return "All negative mentions" if alert.subject == "all" else alert.subject


def trend_subject(alert: CrisisAlert) -> str:
    """The counter a trend shows: the spike's subject, or all negatives around a viral post."""
    return "all" if alert.kind == "viral_negative_post" else alert.subject


def trend_buckets(alert: CrisisAlert, rule: SpikeRule, now: datetime) -> tuple[int, int]:
    """The first and last bucket of the trend: before the alert began, and after it (up to now)."""
    began = rule.bucket_of(alert.window_start)
    return began - TREND_BEFORE, max(began, min(rule.bucket_of(now), began + TREND_AFTER))
