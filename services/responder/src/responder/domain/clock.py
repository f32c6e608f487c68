"""The response clock of a case, from the platform times of its messages alone, so mentions
arriving out of order (a brand reply before the complaint it answers) give the same answer.

A response answers every customer message before it. The case waits for an answer from its
earliest unanswered customer message (``awaiting_since``); the first response is the first
answer after the case's first message.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

Clock = Callable[[], datetime]
"""Where "now" comes from: ``rapport.clock.utcnow`` in production, a fixed time in tests."""


@dataclass(frozen=True)
class ResponseClock:
    first_response_at: datetime | None
    last_response_at: datetime | None
    awaiting_since: datetime | None


def response_clock(customer: Sequence[datetime], responses: Sequence[datetime]) -> ResponseClock:
    if not customer:
        return ResponseClock(None, None, None)
    opened = min(customer)
    answers = sorted(at for at in responses if at >= opened)
    last = answers[-1] if answers else None
    unanswered = [at for at in customer if last is None or at > last]
    return ResponseClock(
        first_response_at=answers[0] if answers else None,
        last_response_at=last,
        awaiting_since=min(unanswered, default=None),
    )
