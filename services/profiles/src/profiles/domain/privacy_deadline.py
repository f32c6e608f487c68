"""When a privacy request is due, when to ask again, and which service is late.

Every service is asked when the request opens. One that has not answered is asked again after
``first_retry_s``, then after twice that, and so on up to ``max_retry_s`` between attempts, for
as long as it takes; past ``deadline_s`` after the request it is *late* (and still asked).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from rapport.retry import backoff_s

ServiceState = Literal["pending", "confirmed", "late"]


@dataclass(frozen=True)
class PrivacySchedule:
    deadline_s: float
    first_retry_s: float
    max_retry_s: float

    def deadline(self, requested_at: datetime) -> datetime:
        return requested_at + timedelta(seconds=self.deadline_s)

    def next_attempt(self, announced_at: datetime, attempts: int) -> datetime:
        """When to ask again, after the ``attempts``-th announcement at ``announced_at``."""
        wait = backoff_s(attempts, first_s=self.first_retry_s, max_s=self.max_retry_s)
        return announced_at + timedelta(seconds=wait)


def service_states(
    expected: Iterable[str], confirmed: Iterable[str], deadline_at: datetime | None, now: datetime
) -> dict[str, ServiceState]:
    done = set(confirmed)
    overdue = deadline_at is not None and now > deadline_at

    def state(service: str) -> ServiceState:
        if service in done:
            return "confirmed"
        return "late" if overdue else "pending"

    return {service: state(service) for service in expected}
