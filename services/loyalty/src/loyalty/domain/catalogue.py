"""Rewards members can redeem and offers marketing can send: what admins save, validated."""

from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from loyalty.domain.offers import Targeting
from rapport.events import ParticipationSegment, RelationshipStage

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""A reward's or offer's id: it never becomes anything but a plain string in a query."""


class Terms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RewardTerms(Terms):
    title: Annotated[str, Field(min_length=1, max_length=128)]
    points: Annotated[int, Field(gt=0, le=1_000_000)]
    active: bool = True


class Reward(RewardTerms):
    reward_id: Name


class OfferTerms(Terms):
    title: Annotated[str, Field(min_length=1, max_length=128)]
    stages: list[RelationshipStage] = Field(default_factory=list, max_length=5)
    segments: list[ParticipationSegment] = Field(default_factory=list, max_length=3)
    starts_at: AwareDatetime
    expires_at: AwareDatetime

    @model_validator(mode="after")
    def _targeted_and_time_limited(self) -> Self:
        if not self.stages and not self.segments:
            raise ValueError("an offer targets at least one stage or segment")
        if self.expires_at <= self.starts_at:
            raise ValueError("expires_at must be after starts_at")
        return self


class Offer(OfferTerms):
    offer_id: Name

    def targeting(self) -> Targeting:
        return Targeting(
            stages=frozenset(self.stages),
            segments=frozenset(self.segments),
            starts_at=self.starts_at,
            expires_at=self.expires_at,
        )
