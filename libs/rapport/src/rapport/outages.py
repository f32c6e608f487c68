"""A worker's waits for a dependency that is away: logged once per state change, then at a
bounded rate, and reported to the health probes and the ``rapport_worker_degraded`` gauge.

``Workers`` gives each worker its ``Outage`` through a context variable on the worker's task,
so that code deep inside it (a producer waiting for acks) reports to the right one; a loop
run directly (in a test) keeps an outage of its own, which is only logged.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from prometheus_client import Gauge

from rapport.clock import utcnow
from rapport.failures import error_type, waiting_for

log = logging.getLogger(__name__)
T = TypeVar("T")

DEGRADED = Gauge(
    "rapport_worker_degraded", "1 while the worker waits for a dependency that is away", ["worker"]
)
SLOW_S = 5.0
"""An acknowledgement or commit taking longer than this waits for a dependency that is away
(aiokafka itself retries until the broker is back, without raising)."""


@dataclass(frozen=True)
class Waiting:
    """What a degraded worker waits for, since when, and the last error that said so."""

    worker: str
    dependency: str
    since: datetime
    error: str

    def as_json(self) -> dict[str, str]:
        return {
            "waiting_for": self.dependency,
            "since": self.since.isoformat(),
            "error": self.error,
        }


Report = Callable[[str, Waiting | None], None]
"""Where a worker's outage is reported: (worker, what it waits for, or None once recovered)."""


class Outage:
    """One worker's current outage, if any. ``waiting(error)`` on each transient failure,
    ``over()`` after each success; both are cheap and log only when they should."""

    def __init__(
        self,
        worker: str,
        *,
        report: Report | None = None,
        log_every_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.worker = worker
        self._report_to = report
        self._log_every_s = log_every_s
        self._clock = clock
        self.current: Waiting | None = None
        self._started = 0.0
        self._logged = 0.0

    def waiting(self, error: BaseException, **context: object) -> None:
        self.waiting_on(waiting_for(error), error_type(error), **context)

    def waiting_on(self, dependency: str, error: str, **context: object) -> None:
        now = self._clock()
        extra = {"worker": self.worker, "error": error, **context}
        if self.current is None:
            self.current = Waiting(self.worker, dependency, utcnow(), error)
            self._started = self._logged = now
            self._report(self.current)
            log.warning(f"waiting for {dependency}", extra=extra)
        elif now - self._logged >= self._log_every_s:
            self._logged = now
            waited = round(now - self._started, 1)
            log.warning(f"still waiting for {dependency}", extra={**extra, "waited_s": waited})

    def over(self) -> None:
        if self.current is None:
            return
        waited = round(self._clock() - self._started, 1)
        log.info(
            f"{self.current.dependency} is back",
            extra={"worker": self.worker, "waited_s": waited},
        )
        self.current = None
        self._report(None)

    def _report(self, waiting: Waiting | None) -> None:
        DEGRADED.labels(self.worker).set(0 if waiting is None else 1)
        if self._report_to is not None:
            self._report_to(self.worker, waiting)


current_outage: ContextVar[Outage | None] = ContextVar("current_outage", default=None)
"""The outage of the worker whose task is running (set by ``Workers.start``)."""


async def watched(
    work: Awaitable[T], dependency: str, *, outage: Outage | None = None, slow_s: float = SLOW_S
) -> T:
    """Await ``work``; while it takes longer than ``slow_s``, the worker (``outage``, else the
    current one) is waiting for ``dependency``."""
    outage = outage or current_outage.get()
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=slow_s)
        if done or outage is None:
            return await task
        while not done:
            outage.waiting_on(dependency, f"slower than {slow_s:g}s")
            done, _ = await asyncio.wait({task}, timeout=slow_s)
        result = await task
    except asyncio.CancelledError:
        task.cancel()
        raise
    outage.over()
    return result
