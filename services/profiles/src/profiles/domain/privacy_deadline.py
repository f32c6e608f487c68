"""When a privacy request is due, when to ask again, which service is late, and its record.

Every service is asked when the request opens. One that has not answered is asked again after
``first_retry_s``, then after twice that, and so on up to ``max_retry_s`` between attempts, for
as long as it takes; past ``deadline_s`` after the request it is *late* (and still asked).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from rapport.events import PrivacyAnswer, PrivacyRequest
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


def new_record(
    request: PrivacyRequest, services: list[str], schedule: PrivacySchedule
) -> dict[str, Any]:
    """The record of a request just announced, waiting for every one of ``services``."""
    at = request.requested_at
    return {
        "_id": request.request_id,
        "kind": request.kind,
        "profile_id": request.profile_id,
        "profile_ids": request.profile_ids,
        "requested_at": at,
        "confirmations": [],
        "services": services,
        "waiting": list(services),
        "open": True,
        "deadline_at": schedule.deadline(at),
        "attempts": 1,
        "last_attempt_at": at,
        "next_attempt_at": schedule.next_attempt(at, 1),
    }


def confirmation(answer: PrivacyAnswer) -> dict[str, Any]:
    """A service's answer as its request's record keeps it."""
    return {
        "service": answer.service,
        "completed_at": answer.completed_at,
        "documents": answer.documents,
        "export_path": answer.export_path,
        "expires_at": answer.expires_at,
    }
