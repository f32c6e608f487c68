"""What the notification use cases need from outside: where notices come from, the routes, the
delivery records, and the channels that send."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from responder.notifications.domain.deliveries import Delivery, DeliveryStatus
from responder.notifications.domain.notices import Notice
from responder.notifications.domain.rendering import Rendered
from responder.notifications.domain.routes import RouteIn, RouteView, Target
from responder.ports import DeliveryFailed

__all__ = ["DeliveryFailed"]


class NoticeSource(Protocol):
    async def since(self, at: datetime, limit: int) -> list[Notice]:
        """The first ``limit`` notices, oldest first, of alerts changed and SLA targets found
        missed at or after ``at``."""


class RouteStore(Protocol):
    async def put(self, queue: str, route: RouteIn) -> RouteView: ...
    async def get(self, queue: str) -> RouteView | None: ...
    async def delete(self, queue: str) -> bool: ...
    async def route(self, queue: str) -> RouteIn | None:
        """The queue's route with its webhook URLs, for planning."""


@dataclass(frozen=True)
class Claimed:
    delivery: Delivery
    address: str
    claim: str
    """This claim's token: only its holder may settle the delivery."""


class DeliveryStore(Protocol):
    async def planned(self, notice_ids: Sequence[UUID]) -> set[UUID]:
        """Those of the notices already planned."""

    async def plan(self, notice: Notice, deliveries: Sequence[tuple[Delivery, Target]]) -> bool:
        """Record the notice and its deliveries together, once; False if it was planned."""

    async def claim(self, now: datetime, lease: timedelta) -> Claimed | None:
        """The next due delivery, claimed until ``now + lease`` (or an expired claim's)."""

    async def sent(self, claimed: Claimed, at: datetime) -> bool: ...
    async def retry_later(self, claimed: Claimed, error: str, at: datetime | None) -> None:
        """Pending again until ``at``; failed (parked with the reason) when ``at`` is None."""

    async def list(
        self, status: DeliveryStatus | None, skip: int, limit: int
    ) -> list[Delivery]: ...


class Channel(Protocol):
    async def send(self, address: str, message: Rendered) -> None:
        """``DeliveryFailed`` (``permanent``, or ``retry_at``) when it was not accepted."""
