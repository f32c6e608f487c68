"""Plan each new notice once: its route's targets (the default route's when its queue has none)
as delivery records, stored with the notice in one write. Notices are read oldest first, a page
at a time, from a time on: the caller keeps where the last pass ended (``Planned.until``)."""

from dataclasses import dataclass
from datetime import datetime

from responder.notifications.domain.deliveries import planned
from responder.notifications.domain.notices import Notice
from responder.notifications.domain.routes import RouteIn, targets
from responder.notifications.ports import DeliveryStore, NoticeSource, RouteStore


@dataclass(frozen=True)
class Planned:
    count: int
    """Notices planned now."""
    until: datetime | None
    """The time of the newest notice read."""


async def plan_new(
    source: NoticeSource,
    routes: RouteStore,
    deliveries: DeliveryStore,
    *,
    default: RouteIn,
    since: datetime,
    now: datetime,
    page: int,
) -> Planned:
    count, until = 0, None
    while True:
        notices = await source.since(since, page)
        known = await deliveries.planned([notice.id for notice in notices])
        for notice in notices:
            if notice.id not in known and await _plan(notice, routes, deliveries, default, now):
                count += 1
        if notices:
            until = notices[-1].at
        if len(notices) < page or notices[-1].at <= since:
            return Planned(count, until)
        since = notices[-1].at


async def _plan(
    notice: Notice, routes: RouteStore, deliveries: DeliveryStore, default: RouteIn, now: datetime
) -> bool:
    route = await routes.route(notice.queue) or default
    chosen = targets(route, notice.kind)
    return await deliveries.plan(notice, [(planned(notice, t, now), t) for t in chosen])
