"""The SLA clocks of a case, each from its start to the moment it is met:

- first response: from the case's first message to the brand's first answer;
- next response: from the earliest customer message after an answer to the answer after it
  (each customer message after an answer starts it again; the latest round is shown);
- resolution: from the start of the case's cycle (opened or reopened) to its resolution.

Time waiting on the customer does not count: a pause that begins before a clock is met and
before its due time moves the due time on by the pause's length (in calendar time); while the
case waits, its unmet clocks have no due time at all, so they cannot be breached.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel


class Pause(BaseModel):
    """Time the case spent waiting on the customer; ``end`` None while it still waits."""

    start: datetime
    end: datetime | None = None


class SlaClock(BaseModel):
    started_at: datetime
    due: datetime | None
    """None while the clock is paused (and unmet)."""
    met_at: datetime | None = None
    paused_s: float = 0.0


def clock(
    start: datetime, due: datetime, met_at: datetime | None, pauses: Sequence[Pause]
) -> SlaClock:
    """The clock from ``start`` with ``due`` as the policy gives it, moved on by ``pauses``."""
    paused = timedelta()
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end is not None and pause.end <= start:
            continue
        if pause.start >= due or (met_at is not None and pause.start >= met_at):
            break
        if pause.end is None:
            return SlaClock(started_at=start, due=None, met_at=met_at, paused_s=_s(paused))
        length = pause.end - max(pause.start, start)
        due, paused = due + length, paused + length
    return SlaClock(started_at=start, due=due, met_at=met_at, paused_s=_s(paused))


def _s(amount: timedelta) -> float:
    return amount.total_seconds()


def next_response_round(
    customer: Sequence[datetime], responses: Sequence[datetime], first_response: datetime | None
) -> tuple[datetime, datetime | None] | None:
    """The latest next-response round after the first response: when it started (the earliest
    customer message after the answer before it) and the answer that met it, if any."""
    if first_response is None:
        return None
    later = [at for at in customer if at > first_response]
    if not later:
        return None
    answers = sorted(at for at in responses if at >= first_response)
    previous = max(at for at in answers if at < max(later))
    started = min(at for at in later if at > previous)
    met = min((at for at in answers if at >= started), default=None)
    return started, met


def paused_total(pauses: Sequence[Pause]) -> float:
    """Seconds of the pauses that ended."""
    return sum(_s(p.end - p.start) for p in pauses if p.end is not None)


def paused_since(pauses: Sequence[Pause]) -> datetime | None:
    return next((p.start for p in pauses if p.end is None), None)


def pause(pauses: Sequence[Pause], at: datetime) -> list[Pause]:
    """The pauses with one begun at ``at`` (unless one is running)."""
    if paused_since(pauses) is not None:
        return list(pauses)
    return [*pauses, Pause(start=at)]


def resume(pauses: Sequence[Pause], at: datetime) -> list[Pause]:
    """The pauses with the running one ended at ``at`` (never before it began; an empty one
    is dropped)."""
    ended = [
        p if p.end is not None else p.model_copy(update={"end": max(p.start, at)}) for p in pauses
    ]
    return [p for p in ended if p.end != p.start]
