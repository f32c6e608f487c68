"""Loyalty: points and rewards, published on ``loyalty.events``."""

from typing import Literal
from uuid import UUID

from pydantic import Field

from rapport.events.base import Contract, Event


class AwardedPoints(Contract):
    profile_id: UUID
    entry_id: str = Field(min_length=1, max_length=256)
    rule: str = Field(min_length=1, max_length=64)
    points: int = Field(gt=0)
    cause_event_id: UUID
    balance: int


class PointsAwarded(Event):
    type: Literal["points.awarded"] = "points.awarded"
    schema_version: Literal[1] = 1
    payload: AwardedPoints

    @classmethod
    def of(cls, award: AwardedPoints) -> "PointsAwarded":
        return cls.caused_by(award.entry_id, payload=award)
