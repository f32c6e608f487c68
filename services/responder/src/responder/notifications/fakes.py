"""In-memory implementations of the notification ports, for the unit tests; the contract test
(``tests/contract/test_notification_stores.py``) holds them to what MongoDB does."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from responder.notifications.domain.deliveries import Delivery, DeliveryStatus
from responder.notifications.domain.notices import Notice
from responder.notifications.domain.rendering import Rendered
from responder.notifications.domain.routes import RouteIn, RouteView, Target, hint
from responder.notifications.ports import Claimed, DeliveryFailed


@dataclass
class _Row:
    delivery: Delivery
    address: str
    lease_until: datetime | None = None
    claim: str | None = None


class FakeDeliveries:
    def __init__(self) -> None:
        self.notices: set[UUID] = set()
        self.rows: dict[str, _Row] = {}

    async def planned(self, notice_ids: Sequence[UUID]) -> set[UUID]:
        return self.notices & set(notice_ids)

    async def plan(self, notice: Notice, deliveries: Sequence[tuple[Delivery, Target]]) -> bool:
        if notice.id in self.notices:
            return False
        self.notices.add(notice.id)
        for delivery, target in deliveries:
            self.rows[delivery.id] = _Row(delivery, target.address)
        return True

    async def claim(self, now: datetime, lease: timedelta) -> Claimed | None:
        due = [row for row in self.rows.values() if _due(row, now)]
        if not due:
            return None
        row = min(due, key=lambda r: r.delivery.next_attempt_at)
        row.delivery = row.delivery.model_copy(update={"status": "sending"})
        row.lease_until, row.claim = now + lease, uuid.uuid4().hex
        return Claimed(row.delivery, row.address, row.claim)

    async def sent(self, claimed: Claimed, at: datetime) -> bool:
        row = self._held(claimed)
        if row is None:
            return False
        row.delivery = row.delivery.model_copy(update={"status": "sent", "sent_at": at})
        row.lease_until = None
        return True

    async def retry_later(self, claimed: Claimed, error: str, at: datetime | None) -> None:
        row = self._held(claimed)
        if row is None:
            return
        update = {
            "status": "failed" if at is None else "pending",
            "last_error": error[:500],
            "next_attempt_at": at or row.delivery.next_attempt_at,
            "attempts": row.delivery.attempts + 1,
        }
        row.delivery, row.lease_until = row.delivery.model_copy(update=update), None

    async def list(self, status: DeliveryStatus | None, skip: int, limit: int) -> list[Delivery]:
        found = [r.delivery for r in self.rows.values() if status in (None, r.delivery.status)]
        found.sort(key=lambda d: d.created_at, reverse=True)
        return found[skip : skip + limit]

    def _held(self, claimed: Claimed) -> _Row | None:
        row = self.rows.get(claimed.delivery.id)
        if row is None or row.delivery.status != "sending" or row.claim != claimed.claim:
            return None
        return row


def _due(row: _Row, now: datetime) -> bool:
    status = row.delivery.status
    if status == "pending":
        return row.delivery.next_attempt_at <= now
    return status == "sending" and row.lease_until is not None and row.lease_until <= now


class FakeRoutes:
    def __init__(self) -> None:
        self.routes: dict[str, RouteIn] = {}

    async def put(self, queue: str, route: RouteIn) -> RouteView:
        self.routes[queue] = route
        return _view(queue, route)

    async def get(self, queue: str) -> RouteView | None:
        route = self.routes.get(queue)
        return None if route is None else _view(queue, route)

    async def delete(self, queue: str) -> bool:
        return self.routes.pop(queue, None) is not None

    async def route(self, queue: str) -> RouteIn | None:
        return self.routes.get(queue)


def _view(queue: str, route: RouteIn) -> RouteView:
    return RouteView(
        queue=queue,
        crisis=route.crisis,
        sla=route.sla,
        webhooks=[hint(url) for url in route.webhooks],
        emails=route.emails,
    )


@dataclass
class FakeNotices:
    notices: list[Notice] = field(default_factory=list)

    async def since(self, at: datetime, limit: int) -> list[Notice]:
        found = sorted((n for n in self.notices if n.at >= at), key=lambda n: n.at)
        return found[:limit]


@dataclass
class FakeChannel:
    """Keeps what it sends; fails as planned first (``failures``)."""

    sent: list[tuple[str, Rendered]] = field(default_factory=list)
    failures: list[DeliveryFailed] = field(default_factory=list)

    async def send(self, address: str, message: Rendered) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((address, message))
