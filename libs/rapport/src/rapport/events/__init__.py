"""Event contracts: versioned pydantic models, one module per domain."""

from rapport.events.base import Contract, Event, deterministic_id, utcnow
from rapport.events.cases import CaseOpened, OpenedCase, Priority
from rapport.events.loyalty import AwardedPoints, PointsAwarded
from rapport.events.mentions import (
    Author,
    EnrichedMention,
    Mention,
    MentionEnriched,
    MentionIngested,
    Platform,
    Sentiment,
    SentimentLabel,
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
    "EnrichedMention",
    "Event",
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
    "deterministic_id",
    "utcnow",
]
