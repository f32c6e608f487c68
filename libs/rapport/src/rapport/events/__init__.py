"""Event contracts: versioned pydantic models, one module per domain."""

from rapport.events.base import Contract, Event, deterministic_id, utcnow
from rapport.events.cases import CaseOpened, OpenedCase, Priority
from rapport.events.loyalty import AwardedPoints, PointsAwarded
from rapport.events.mentions import (
    Author,
    Engagement,
    EnrichedMention,
    Intent,
    Mention,
    MentionEnriched,
    MentionIngested,
    Platform,
    Sentiment,
    SentimentLabel,
    Source,
)
from rapport.events.profiles import (
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)

ALL_EVENTS: tuple[type[Event], ...] = (
    MentionIngested,
    MentionEnriched,
    ProfileChanged,
    CaseOpened,
    PointsAwarded,
)

__all__ = [
    "ALL_EVENTS",
    "Author",
    "AwardedPoints",
    "CaseOpened",
    "Contract",
    "Engagement",
    "EnrichedMention",
    "Event",
    "Intent",
    "Mention",
    "MentionEnriched",
    "MentionIngested",
    "OpenedCase",
    "Platform",
    "PointsAwarded",
    "Priority",
    "ProfileChange",
    "ProfileChanged",
    "ProfileSnapshot",
    "RelationshipStage",
    "Sentiment",
    "SentimentLabel",
    "Source",
    "deterministic_id",
    "utcnow",
]
