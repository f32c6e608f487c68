"""Guardrails on an earning: caps drop the excess, velocity limits hold it for a human."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from loyalty.domain.rules import Rule

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


class Verdict(StrEnum):
    CREDIT = "credited"
    HOLD = "held"
    CAP = "capped"
    REFUSE = "refused"


@dataclass(frozen=True)
class Recent:
    """How many entries of one rule a member earned (credited or held) in each window."""

    day: int
    week: int
    velocity_window: int


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str | None = None


def windows(rule: Rule, now: datetime) -> tuple[datetime, datetime, datetime]:
    """Starts of the rolling day, week and velocity window ending ``now``."""
    return now - DAY, now - WEEK, now - timedelta(days=rule.velocity_window_days)


def counted(times: Iterable[datetime], starts: Iterable[datetime]) -> Recent:
    """``times`` (a rule's entries) counted in each window starting at ``starts``."""
    at = list(times)
    day, week, velocity = (sum(t >= start for t in at) for start in starts)
    return Recent(day, week, velocity)


def judge(rule: Rule, recent: Recent, *, flagged: bool = False) -> Judgement:
    """Refuse flagged authors, drop what exceeds a cap, hold what exceeds the velocity limit."""
    if flagged:
        return Judgement(Verdict.REFUSE, "the author is flagged as spam or a bot")
    if rule.daily_cap is not None and recent.day >= rule.daily_cap:
        return Judgement(Verdict.CAP, f"daily cap of {rule.daily_cap} reached")
    if rule.weekly_cap is not None and recent.week >= rule.weekly_cap:
        return Judgement(Verdict.CAP, f"weekly cap of {rule.weekly_cap} reached")
    if rule.velocity_limit is not None and recent.velocity_window >= rule.velocity_limit:
        reason = (
            f"more than {rule.velocity_limit} {rule.kind.value} entries "
            f"in {rule.velocity_window_days} days"
        )
        return Judgement(Verdict.HOLD, reason)
    return Judgement(Verdict.CREDIT)
