"""Handoff metrics of a set of cases, all times in platform time (the mentions' created_at):

- time to first response: first brand answer − first customer message, per answered case;
- time to resolution: resolved − first customer message, per resolved case;
- median (the middle value, or the mean of the two middle ones) and 90th percentile by
  nearest rank (the ⌈0.9·n⌉-th smallest), in seconds;
- share within SLA: first responses at or before their due time, among cases whose first
  response target is decided (answered, or unanswered past its due time at ``now``);
- backlog: cases still active; breaches: SLA breaches recorded on the cases;
- per SLA target (first response, the latest next response, resolution), how many clocks are
  decided (met, or unmet past their due time at ``now``; a paused clock is not) and the share
  of those met within their due time, pauses waiting on the customer not counted.
"""

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rapport.events.cases import SlaTarget
from responder.domain.case import TARGETS, Case
from responder.domain.sla_clocks import SlaClock


@dataclass(frozen=True)
class Durations:
    count: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class Handoff:
    cases: int
    first_response: Durations
    resolution: Durations
    within_sla: float | None
    backlog: int
    breaches: int


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def durations(values: Sequence[float]) -> Durations:
    if not values:
        return Durations(0, None, None)
    return Durations(len(values), float(statistics.median(values)), nearest_rank(values, 0.9))


def _within_sla(case: Case, now: datetime) -> bool | None:
    due = case.due.get("first_response")
    if due is None:
        return None
    if case.first_response_at is not None:
        return case.first_response_at <= due
    return False if due <= now else None


def handoff(cases: Iterable[Case], now: datetime) -> Handoff:
    cases = list(cases)
    first = [
        (c.first_response_at - c.opened_at).total_seconds()
        for c in cases
        if c.first_response_at is not None
    ]
    resolved = [
        (c.resolved_at - c.opened_at).total_seconds() for c in cases if c.resolved_at is not None
    ]
    decided = [v for v in (_within_sla(c, now) for c in cases) if v is not None]
    return Handoff(
        cases=len(cases),
        first_response=durations(first),
        resolution=durations(resolved),
        within_sla=round(sum(decided) / len(decided), 4) if decided else None,
        backlog=sum(1 for c in cases if c.active),
        breaches=sum(len(c.breaches) for c in cases),
    )


@dataclass(frozen=True)
class TargetShare:
    decided: int
    within: int
    share: float | None


def _clock_within(found: SlaClock | None, now: datetime) -> bool | None:
    if found is None or found.due is None:
        return None
    if found.met_at is not None:
        return found.met_at <= found.due
    return False if found.due <= now else None


def target_shares(cases: Iterable[Case], now: datetime) -> dict[SlaTarget, TargetShare]:
    cases = list(cases)
    shares = {}
    for target in TARGETS:
        decided = [
            v for v in (_clock_within(c.clocks.get(target), now) for c in cases) if v is not None
        ]
        share = round(sum(decided) / len(decided), 4) if decided else None
        shares[target] = TargetShare(len(decided), sum(decided), share)
    return shares
