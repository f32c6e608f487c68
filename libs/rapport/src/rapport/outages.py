"""A worker's waits for a dependency that is away: logged once per state change, then at a
bounded rate, and reported to the health probes and the ``rapport_worker_degraded`` gauge.

A worker started by ``Workers`` reports under its name to that ``Workers`` (through a context
variable set on its task); elsewhere (a test driving a loop directly) the outage is only
logged and kept on the object.
"""

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Gauge

from rapport.events import utcnow
from rapport.failures import error_type, waiting_for

log = logging.getLogger(__name__)

DEGRADED = Gauge(
    "rapport_worker_degraded", "1 while the worker waits for a dependency that is away", ["worker"]
)


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
reporting_to: ContextVar[tuple[str, Report] | None] = ContextVar("reporting_to", default=None)


class Outage:
    """One worker's current outage, if any. ``waiting(error)`` on each transient failure,
    ``over()`` after each success; both are cheap and log only when they should."""

    def __init__(
        self,
        worker: str,
        *,
        log_every_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._worker = worker
        self._log_every_s = log_every_s
        self._clock = clock
        self.current: Waiting | None = None
        self._started = 0.0
        self._logged = 0.0

    @property
    def worker(self) -> str:
        reporter = reporting_to.get()
        return reporter[0] if reporter is not None else self._worker

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
        reporter = reporting_to.get()
        if reporter is not None:
            name, report = reporter
            report(name, waiting)
