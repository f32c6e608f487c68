"""The worker asking services again for the privacy requests they have not answered, and the
gauge of overdue requests (by service not yet answered) to alert on."""

from collections.abc import Callable

from prometheus_client import Gauge

from profiles.domain.model import Clock
from profiles.ports import ANNOUNCE_BATCH, PrivacyRequestStore
from rapport.workers import Poller

OVERDUE = Gauge(
    "rapport_privacy_requests_overdue",
    "Open privacy requests past their deadline, by the service that has not answered",
    ["service"],
)
PENDING = Gauge(
    "rapport_privacy_requests_pending",
    "Open privacy requests, by the service that has not answered yet",
    ["service"],
)


class PrivacyRetries(Poller):
    def __init__(
        self,
        requests: PrivacyRequestStore,
        services: tuple[str, ...],
        *,
        clock: Clock,
        interval_s: float,
        relay_now: Callable[[], None],
    ) -> None:
        super().__init__(interval_s)
        self._requests = requests
        self._services = services
        self._clock = clock
        self._relay_now = relay_now

    async def step(self) -> bool:
        now = self._clock()
        announced = await self._requests.announce_due(now)
        if announced:
            self._relay_now()
        overdue = await self._requests.overdue(now)
        pending = await self._requests.pending()
        for service in self._services:
            OVERDUE.labels(service).set(overdue.get(service, 0))
            PENDING.labels(service).set(pending.get(service, 0))
        return announced == ANNOUNCE_BATCH
