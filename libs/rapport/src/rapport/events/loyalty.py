"""Loyalty: points, tiers, redemptions and outreach, published on ``loyalty.events``."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event

EntryId = Annotated[str, Field(min_length=1, max_length=256)]
RuleName = Annotated[str, Field(min_length=1, max_length=64)]


class AwardedPoints(Contract):
    profile_id: UUID
    entry_id: EntryId
    rule: RuleName
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


class HeldPoints(Contract):
    """An entry a guardrail held for a human decision; ``decision`` is set once decided."""

    profile_id: UUID
    entry_id: EntryId
    rule: RuleName
    points: int = Field(gt=0)
    reason: Annotated[str, Field(min_length=1, max_length=256)]
    decision: Literal["approved", "rejected"] | None = None
    at: AwareDatetime


class PointsHeld(Event):
    type: Literal["points.held"] = "points.held"
    schema_version: Literal[1] = 1
    payload: HeldPoints

    @classmethod
    def of(cls, held: HeldPoints) -> "PointsHeld":
        return cls.caused_by(
            held.entry_id, held.decision or "held", payload=held, occurred_at=held.at
        )


class Redemption(Contract):
    profile_id: UUID
    redemption_id: UUID
    reward_id: Annotated[str, Field(min_length=1, max_length=64)]
    points: int = Field(gt=0)
    balance: int = Field(ge=0)
    at: AwareDatetime


class RewardRedeemed(Event):
    type: Literal["reward.redeemed"] = "reward.redeemed"
    schema_version: Literal[1] = 1
    payload: Redemption

    @classmethod
    def of(cls, redemption: Redemption) -> "RewardRedeemed":
        return cls.caused_by(
            str(redemption.redemption_id), payload=redemption, occurred_at=redemption.at
        )


class ExpiredPoints(Contract):
    profile_id: UUID
    entry_ids: list[EntryId] = Field(min_length=1, max_length=1000)
    points: int = Field(gt=0)
    balance: int = Field(ge=0)
    at: AwareDatetime


class PointsExpired(Event):
    type: Literal["points.expired"] = "points.expired"
    schema_version: Literal[1] = 1
    payload: ExpiredPoints

    @classmethod
    def of(cls, expired: ExpiredPoints) -> "PointsExpired":
        return cls.caused_by(
            str(expired.profile_id), *expired.entry_ids, payload=expired, occurred_at=expired.at
        )


class TierChange(Contract):
    profile_id: UUID
    tier: Annotated[str, Field(min_length=1, max_length=32)]
    previous_tier: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    window_points: int = Field(ge=0)
    at: AwareDatetime


class TierChanged(Event):
    type: Literal["tier.changed"] = "tier.changed"
    schema_version: Literal[1] = 1
    payload: TierChange

    @classmethod
    def of(cls, change: TierChange, *, cause: str) -> "TierChanged":
        return cls.caused_by(str(change.profile_id), change.tier, cause, payload=change)


class OutreachDecision(Contract):
    """An offer to send to a member, for the messaging system to deliver."""

    profile_id: UUID
    offer_id: Annotated[str, Field(min_length=1, max_length=64)]
    relevant_to: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(max_length=20)
    """What made it relevant: the segment or stage it targets."""
    expires_at: AwareDatetime
    at: AwareDatetime


class OutreachDecided(Event):
    type: Literal["outreach.decided"] = "outreach.decided"
    schema_version: Literal[1] = 1
    payload: OutreachDecision

    @classmethod
    def of(cls, decision: OutreachDecision) -> "OutreachDecided":
        return cls.caused_by(
            decision.offer_id, str(decision.profile_id), payload=decision, occurred_at=decision.at
        )
