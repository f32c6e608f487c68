"""What profiles does with each event it consumes: the use case each one calls.

Every use case applies its event once (keyed by the event id), storing the events it causes in
the outbox in the same unit of work; the relay publishes them. A redelivery changes nothing.
"""

from collections.abc import Awaitable, Callable

from profiles.ports import ENRICHED_TOPIC, PROFILES_TOPIC, PrivacyRequestStore
from profiles.use_cases.case_changes import record_case_change, record_case_changes
from profiles.use_cases.commerce import record_commerce
from profiles.use_cases.mentions import record_mention, record_mentions
from rapport.events import (
    CaseChanged,
    Event,
    MentionIngested,
    PrivacyCompleted,
    PurchaseMade,
    ReferralConverted,
)

__all__ = [
    "ENRICHED_TOPIC",
    "PROFILES_TOPIC",
    "on_case_changed",
    "on_cases_changed",
    "on_commerce_event",
    "on_mention_ingested",
    "on_mentions_ingested",
    "on_privacy_completed",
]
EventUseCase = Callable[..., Awaitable[None]]
"""Called with the event (or a batch) and ``profiles``, ``rules`` and ``clock``."""

on_mention_ingested = record_mention
"""``social.mentions``, one by one (a batch that failed is redone this way)."""
on_mentions_ingested = record_mentions
"""``social.mentions``, a batch at a time."""
on_commerce_event = record_commerce
"""``commerce.events``: purchases and converted referrals."""
on_case_changed = record_case_change
"""``care.cases``, one by one."""
on_cases_changed = record_case_changes
"""``care.cases``, a batch at a time."""


async def on_privacy_completed(event: PrivacyCompleted, *, requests: PrivacyRequestStore) -> None:
    """``privacy.requests``: a service's answer to a request profiles opened."""
    await requests.confirm(event.payload)


EVENT_USE_CASES: dict[type[Event], EventUseCase] = {
    MentionIngested: record_mention,
    PurchaseMade: record_commerce,
    ReferralConverted: record_commerce,
    CaseChanged: record_case_change,
}
"""The events applied to profiles, one by one (``main`` binds them to the ports)."""
BATCH_USE_CASES: dict[type[Event], EventUseCase] = {
    MentionIngested: record_mentions,
    CaseChanged: record_case_changes,
}
"""The events applied a batch at a time (a batch that failed is redone one by one)."""
