"""Background tasks of a service (consumer loops, outbox relays), watched for health.

A worker that dies stays dead: ``/healthz`` then fails, and the orchestrator restarts the
process, so an unprocessed record is redelivered instead of skipped.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Workers:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stoppers: list[Callable[[], None]] = []
        self.failures: dict[str, str] = {}

    def start(
        self, name: str, work: Coroutine[Any, Any, None], stop: Callable[[], None] | None = None
    ) -> None:
        task = asyncio.create_task(work, name=name)
        task.add_done_callback(self._on_done)
        self._tasks[name] = task
        if stop is not None:
            self._stoppers.append(stop)

    def _on_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.failures[task.get_name()] = repr(error)
            log.error("worker died", extra={"worker": task.get_name(), "error": repr(error)})

    @property
    def healthy(self) -> bool:
        return not self.failures

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
    after the current step."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            if not await self.step():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)

    async def step(self) -> bool:
        raise NotImplementedError
