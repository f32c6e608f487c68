"""Profiles: who is speaking, published on ``crm.profiles``."""

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event


class RelationshipStage(StrEnum):
    CASUAL_COMMENTER = "casual_commenter"
    FAN = "fan"
    EVANGELIST = "evangelist"
    DETRACTOR = "detractor"
    AT_RISK = "at_risk"


class ParticipationSegment(StrEnum):
    SILENT_OBSERVER = "silent_observer"
    OCCASIONAL_PARTICIPANT = "occasional_participant"
    FREQUENT_CREATOR = "frequent_creator"


class ProfileScores(Contract):
    """Documented in services/profiles (scores.py): each 0–100 except the trend, in [-1, 1]."""

    influence: Annotated[float, Field(ge=0, le=100)] = 0
    advocacy: Annotated[float, Field(ge=0, le=100)] = 0
    sentiment_trend: Annotated[float, Field(ge=-1, le=1)] = 0
    health: Annotated[float, Field(ge=0, le=100)] = 50


class Consent(Contract):
    marketing: bool = False
    changed_at: AwareDatetime | None = None
    source: Annotated[str, Field(max_length=64)] | None = None


class ProfileSnapshot(Contract):
    profile_id: UUID
    stage: RelationshipStage
    mention_count: int = Field(ge=0)
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    segment: ParticipationSegment = ParticipationSegment.OCCASIONAL_PARTICIPANT
    scores: ProfileScores = ProfileScores()
    consent: Consent = Consent()
    customer_value: Annotated[float, Field(ge=0)] = 0
    """Lifetime purchase amount (from ``commerce.events``), in the brand's currency."""
    followers: Annotated[int, Field(ge=0)] = 0
    """Largest audience across the profile's social identities."""


ProfileChangeKind = Literal[
    "created",
    "stage_changed",
    "segment_changed",
    "consent_changed",
    "merged",
    "unmerged",
]


class ProfileChange(Contract):
    change: ProfileChangeKind
    previous_stage: RelationshipStage | None = None
    previous_segment: ParticipationSegment | None = None
    related_profile_ids: list[UUID] = Field(default_factory=list, max_length=100)
    """merged: the profiles absorbed into this one; unmerged: the profile split off it."""
    profile: ProfileSnapshot


class ProfileChanged(Event):
    type: Literal["profile.changed"] = "profile.changed"
    schema_version: Literal[1] = 1
    payload: ProfileChange

    @classmethod
    def of(cls, change: ProfileChange, *, cause: str) -> "ProfileChanged":
        return cls.caused_by(str(change.profile.profile_id), change.change, cause, payload=change)
