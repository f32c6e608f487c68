"""Earning rules: what each act of advocacy earns, with its caps and velocity limit.

Which acts qualify is code (below); how much they earn and how often is data, stored in MongoDB
and managed through the rules API, validated here when saved.
"""

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RuleKind(StrEnum):
    POSITIVE_MENTION = "positive_mention"
    UGC = "ugc"
    SHARE = "share"
    REFERRAL = "referral"
    HELPING = "helping"
    FAN_BONUS = "fan_bonus"
    EVANGELIST_BONUS = "evangelist_bonus"
    RECOVERY = "recovery"


Cap = Annotated[int, Field(ge=1, le=10_000)]


class RuleTerms(BaseModel):
    """What a rule earns and how often: caps drop the excess, the velocity limit holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    points: Annotated[int, Field(gt=0, le=100_000)]
    daily_cap: Cap | None = None
    weekly_cap: Cap | None = None
    velocity_limit: Cap | None = None
    """More entries than this within ``velocity_window_days`` are held for review."""
    velocity_window_days: Annotated[int, Field(ge=1, le=90)] = 7
    active: bool = True

    @property
    def limited(self) -> bool:
        """Whether any cap or velocity limit applies (else nothing needs counting)."""
        return any(x is not None for x in (self.daily_cap, self.weekly_cap, self.velocity_limit))

    @model_validator(mode="after")
    def _caps_agree(self) -> Self:
        if self.daily_cap and self.weekly_cap and self.weekly_cap < self.daily_cap:
            raise ValueError("weekly_cap must be at least daily_cap")
        return self


class Rule(RuleTerms):
    kind: RuleKind


DEFAULT_RULES = {
    RuleKind.POSITIVE_MENTION: RuleTerms(points=10, daily_cap=10, weekly_cap=40),
    RuleKind.UGC: RuleTerms(points=15, daily_cap=2, weekly_cap=5),
    RuleKind.SHARE: RuleTerms(points=5, daily_cap=3, weekly_cap=10),
    RuleKind.REFERRAL: RuleTerms(points=50, velocity_limit=10, velocity_window_days=7),
    RuleKind.HELPING: RuleTerms(points=20, daily_cap=5, weekly_cap=20),
    RuleKind.FAN_BONUS: RuleTerms(points=50),
    RuleKind.EVANGELIST_BONUS: RuleTerms(points=100),
    RuleKind.RECOVERY: RuleTerms(points=25),
}


def entry_id(rule: str, cause: str) -> str:
    """A ledger entry's key: one rule rewards one cause at most once."""
    return f"{rule}:{cause}"
