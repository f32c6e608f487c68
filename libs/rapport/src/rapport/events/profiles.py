"""Profiles: who is speaking, published on ``crm.profiles``."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event


class RelationshipStage(StrEnum):
    CASUAL_COMMENTER = "casual_commenter"
    FAN = "fan"
    EVANGELIST = "evangelist"
    DETRACTOR = "detractor"
    AT_RISK = "at_risk"


class ProfileSnapshot(Contract):
    profile_id: UUID
    stage: RelationshipStage
    mention_count: int = Field(ge=0)
    first_seen: AwareDatetime
    last_seen: AwareDatetime


class ProfileChange(Contract):
    change: Literal["created", "stage_changed"]
    previous_stage: RelationshipStage | None = None
    profile: ProfileSnapshot


class ProfileChanged(Event):
    type: Literal["profile.changed"] = "profile.changed"
    schema_version: Literal[1] = 1
    payload: ProfileChange

    @classmethod
    def of(cls, change: ProfileChange, *, cause: str) -> "ProfileChanged":
        return cls.caused_by(str(change.profile.profile_id), change.change, cause, payload=change)
