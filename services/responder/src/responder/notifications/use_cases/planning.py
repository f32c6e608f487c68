"""Plan each new notice once: its route's targets (the default route's when its queue has none)
as delivery records, stored with the notice in one write."""

from collections.abc import Callable
from datetime import datetime, timedelta

from responder.notifications.domain.deliveries import planned
from responder.notifications.domain.notices import Notice
from responder.notifications.domain.routes import RouteIn, targets
from responder.notifications.ports import DeliveryStore, NoticeSource, RouteStore


async def plan_new(
    source: NoticeSource,
    routes: RouteStore,
    deliveries: DeliveryStore,
    *,
    default: RouteIn,
    clock: Callable[[], datetime],
    lookback: timedelta,
    limit: int,
) -> int:
    """How many notices were planned now."""
    now = clock()
    notices = await source.since(now - lookback, limit)
    known = await deliveries.planned([notice.id for notice in notices])
    count = 0
    for notice in notices:
        if notice.id not in known and await _plan(notice, routes, deliveries, default, now):
            count += 1
    return count


async def _plan(
    notice: Notice, routes: RouteStore, deliveries: DeliveryStore, default: RouteIn, now: datetime
) -> bool:
    route = await routes.route(notice.queue) or default
    chosen = targets(route, notice.kind)
    return await deliveries.plan(notice, [(planned(notice, t, now), t) for t in chosen])
