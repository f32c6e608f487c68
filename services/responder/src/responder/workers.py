"""responder's background loops, each on the shared ``Poller``: the reply sender, the SLA
scanner (due times are stored on the cases, so a restart loses none) and the notifier."""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapport.workers import Poller
from responder.domain.retries import Retries
from responder.notifications.domain.routes import RouteIn
from responder.notifications.ports import Channel, DeliveryStore, NoticeSource, RouteStore
from responder.notifications.use_cases.delivery import deliver_next
from responder.notifications.use_cases.planning import plan_new
from responder.ports import Connector, Ports, ReplyStore
from responder.use_cases.reply_delivery import send_next
from responder.use_cases.sla_breaches import scan


class ReplySender(Poller):
    def __init__(
        self,
        ports: Ports,
        replies: ReplyStore,
        connector: Connector,
        retries: Retries,
        *,
        poll_s: float,
    ) -> None:
        super().__init__(poll_s)
        self._ports = ports
        self._replies = replies
        self._connector = connector
        self._retries = retries

    async def step(self) -> bool:
        return await self.send_next()

    async def send_next(self) -> bool:
        """Deliver the next due reply, if any; whether there was one."""
        return await send_next(self._ports, self._replies, self._connector, self._retries)


class Scanner(Poller):
    def __init__(self, ports: Ports, *, interval_s: float, batch: int, auto_assign: bool) -> None:
        super().__init__(interval_s)
        self._ports = ports
        self._batch = batch
        self._auto_assign = auto_assign

    async def step(self) -> bool:
        await scan(self._ports, batch=self._batch, auto_assign=self._auto_assign)
        return False


@dataclass(frozen=True)
class Notifications:
    source: NoticeSource
    routes: RouteStore
    deliveries: DeliveryStore
    channels: Mapping[str, Channel]
    default: RouteIn
    retries: Retries
    lookback: timedelta
    batch: int


SETTLE = timedelta(minutes=5)
"""Notices are read again this far before the newest one read: one stored a little earlier may
have committed after it (a retried transaction)."""


class Notifier(Poller):
    """Plans new notices (at most once per ``poll_s``), then sends due notifications one by
    one while there are any. Its first pass reads ``lookback`` back, later ones from where the
    last one ended."""

    def __init__(
        self, parts: Notifications, clock: Callable[[], datetime], *, poll_s: float
    ) -> None:
        super().__init__(poll_s)
        self._parts = parts
        self._clock = clock
        self._next_plan = 0.0
        self._read_until: datetime | None = None

    async def step(self) -> bool:
        now = asyncio.get_running_loop().time()
        if now >= self._next_plan:
            await self.plan()
            self._next_plan = now + self.interval_s
        return await self.deliver_next()

    async def plan(self) -> int:
        p, now = self._parts, self._clock()
        since = now - p.lookback
        if self._read_until is not None:
            since = max(since, self._read_until - SETTLE)
        planned = await plan_new(
            p.source, p.routes, p.deliveries, default=p.default, since=since, now=now, page=p.batch
        )
        self._read_until = planned.until or self._read_until
        return planned.count

    async def deliver_next(self) -> bool:
        p = self._parts
        return await deliver_next(p.deliveries, p.channels, p.retries, self._clock)
