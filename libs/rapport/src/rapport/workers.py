"""Background tasks of a service (consumer loops, outbox relays), watched for health.

A worker that dies stays dead: ``/healthz`` then fails, and the orchestrator restarts the
process, so an unprocessed record is redelivered instead of skipped.
"""

import asyncio
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
