"""Send the next due delivery through its channel; on failure, try again later or park it with
the reason."""

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from prometheus_client import Counter

from responder.domain.retries import Retries
from responder.notifications.domain.rendering import render
from responder.notifications.ports import Channel, DeliveryFailed, DeliveryStore

log = logging.getLogger(__name__)
SENT = Counter("rapport_notifications_sent_total", "Notifications delivered", ["channel"])
FAILURES = Counter(
    "rapport_notification_failures_total",
    "Failed notification sends: retrying later, or parked (refused, or out of attempts)",
    ["channel", "outcome"],
)


async def deliver_next(
    deliveries: DeliveryStore,
    channels: Mapping[str, Channel],
    retries: Retries,
    clock: Callable[[], datetime],
) -> bool:
    """Deliver the next due notification, if any; whether there was one."""
    claimed = await deliveries.claim(clock(), retries.lease)
    if claimed is None:
        return False
    delivery = claimed.delivery
    try:
        await channels[delivery.channel].send(claimed.address, render(delivery.notice))
    except DeliveryFailed as error:
        attempts = delivery.attempts + 1
        at = retries.next_attempt(
            attempts, clock(), permanent=error.permanent, retry_at=error.retry_at
        )
        FAILURES.labels(delivery.channel, "parked" if at is None else "retrying").inc()
        log.warning(
            "notification not delivered",
            extra={"delivery": delivery.id, "attempts": attempts, "error": str(error)},
        )
        await deliveries.retry_later(claimed, str(error), at)
        return True
    await deliveries.sent(claimed, clock())
    SENT.labels(delivery.channel).inc()
    return True
