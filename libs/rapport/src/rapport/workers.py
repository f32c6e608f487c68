"""Background tasks of a service (consumer loops, outbox relays, scanners), watched for health.

A worker does not die of a failure it can outlive: it waits out a dependency that is away
(*degraded*: ``/healthz`` stays 200 so the orchestrator does not restart it, ``/readyz`` is
503) and moves on from one that retrying cannot fix (see ``rapport.failures``). A worker that
dies anyway (e.g. a consumer whose ``DlqLimit`` tripped) stays dead: ``/healthz`` then fails,
and the orchestrator restarts the process.
"""

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from prometheus_client import Counter, Gauge

from rapport.failures import error_type, is_transient, short_traceback
from rapport.outages import Outage, Waiting, current_outage
from rapport.retry import RetryPolicy

log = logging.getLogger(__name__)

STEP_FAILURES = Counter(
    "rapport_worker_step_failures_total", "Failed steps of background workers", ["worker", "kind"]
)
LAST_STEP = Gauge(
    "rapport_worker_last_step_timestamp_seconds",
    "When the worker last finished a step (a consumer: a fetch or a commit round), Unix time",
    ["worker"],
)
INTERVAL = Gauge(
    "rapport_worker_interval_seconds", "How long the worker rests between idle steps", ["worker"]
)


def stepped(worker: str) -> None:
    """``worker`` is alive: it just finished a step."""
    LAST_STEP.labels(worker).set_to_current_time()


class Workers:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stoppers: list[Callable[[], None]] = []
        self.failures: dict[str, str] = {}
        self.waiting: dict[str, Waiting] = {}

    def start(
        self, name: str, work: Coroutine[Any, Any, None], stop: Callable[[], None] | None = None
    ) -> None:
        context = contextvars.copy_context()
        context.run(current_outage.set, Outage(name, report=self._report))
        task = asyncio.create_task(work, name=name, context=context)
        task.add_done_callback(self._on_done)
        self._tasks[name] = task
        if stop is not None:
            self._stoppers.append(stop)

    def _report(self, name: str, waiting: Waiting | None) -> None:
        if waiting is None:
            self.waiting.pop(name, None)
        else:
            self.waiting[name] = waiting

    def _on_done(self, task: asyncio.Task[None]) -> None:
        self.waiting.pop(task.get_name(), None)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.failures[task.get_name()] = repr(error)
            log.error("worker died", extra={"worker": task.get_name(), "error": repr(error)})

    @property
    def healthy(self) -> bool:
        """No worker died (a degraded one is still alive)."""
        return not self.failures

    @property
    def degraded(self) -> bool:
        return bool(self.waiting)

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Ask every worker to finish what it holds; cancel those that do not in time."""
        for stop in self._stoppers:
            stop()
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


class Poller:
    """A background loop: ``step()`` does a unit of work and says whether more may be waiting
    at once; otherwise the loop sleeps ``interval_s``, or until ``wake()``. ``stop()`` ends it
    after the current step.

    A step that fails transiently is retried with capped backoff (the worker is degraded until
    one succeeds); one that fails otherwise is logged and the loop goes on at the next interval.
    """

    def __init__(self, interval_s: float, *, backoff: RetryPolicy | None = None) -> None:
        self.interval_s = interval_s
        self.outage = Outage(type(self).__name__)
        self._backoff = backoff or RetryPolicy(first_delay_s=0.5, max_delay_s=10.0)
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        self.outage = current_outage.get() or self.outage
        INTERVAL.labels(self.outage.worker).set(self.interval_s)
        waits = self._backoff.waits()
        while not self._stopping:
            self._wake.clear()
            try:
                more = await self.step()
            except Exception as error:
                if is_transient(error):
                    STEP_FAILURES.labels(self.outage.worker, "transient").inc()
                    self.outage.waiting(error)
                    await self._sleep(next(waits), wakeable=False)
                    continue
                STEP_FAILURES.labels(self.outage.worker, "permanent").inc()
                log.error(
                    "worker step failed",
                    extra={
                        "worker": self.outage.worker,
                        "error": error_type(error),
                        "traceback": short_traceback(error),  # without the message text
                    },
                )
                more = False
            else:
                self.outage.over()
                stepped(self.outage.worker)
            waits = self._backoff.waits()
            if not more:
                await self._sleep(self.interval_s, wakeable=True)

    async def _sleep(self, seconds: float, *, wakeable: bool) -> None:
        """Wait ``seconds``; ``stop()`` always ends the wait early, ``wake()`` only if wakeable."""
        with contextlib.suppress(TimeoutError):
            if wakeable:
                await asyncio.wait_for(self._wake.wait(), timeout=seconds)
                return
            loop = asyncio.get_running_loop()
            deadline = loop.time() + seconds
            while not self._stopping and loop.time() < deadline:
                self._wake.clear()
                await asyncio.wait_for(self._wake.wait(), timeout=deadline - loop.time())

    async def step(self) -> bool:
        raise NotImplementedError


class Repeat(Poller):
    """A Poller that runs ``work`` every ``interval_s`` (a sweep, a scan)."""

    def __init__(self, interval_s: float, work: Callable[[], Awaitable[object]]) -> None:
        super().__init__(interval_s)
        self._work = work

    async def step(self) -> bool:
        await self._work()
        return False
