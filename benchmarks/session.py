"""One `make bench` on its platform: the report it fills (saved before every phase, so a failed
or interrupted run keeps what it measured), each phase within its time limit, and the services
restarted with another engine or on a platform started afresh."""

import asyncio
import json
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.load import census, idle_since
from benchmarks.measures import rss_of
from benchmarks.platform import SERVICES, BenchPlatform
from tests.chaos.census import Census

T = TypeVar("T")
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def save(report: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


class Session:
    def __init__(self, limits: dict[str, float], found: dict[str, Any]) -> None:
        self.limits = limits
        self.found = found
        self.platform = BenchPlatform()
        self._count: Census | None = None

    @property
    def count(self) -> Census:
        """Whether the pipeline is idle, on the platform as it now runs."""
        assert self._count, "the services are not started"
        return self._count

    def step(self, what: str) -> None:
        save(self.found)
        print(f"bench: {what}", flush=True)

    async def bounded(self, key: str, limit_s: float, measuring: Awaitable[T]) -> T | None:
        """``measuring``'s result, or None with the reason under ``incomplete[key]``."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(limit_s):
                return await measuring
        except TimeoutError:
            self.found["incomplete"][key] = f"no result within its {limit_s:g} s"
        except Exception as error:  # a failed phase is reported; the next ones still run
            self.found["incomplete"][key] = f"failed: {type(error).__name__}: {error}"[:500]
        finally:
            self.found["phase_s"][key] = round(time.perf_counter() - started, 1)
        return None

    def record(self, key: str, per_s: float, shortfall: str | None) -> None:
        self.found[key] = round(per_s, 1)
        if shortfall:
            self.found["incomplete"][key] = shortfall

    async def start_services(self, engine: str, fresh: bool) -> None:
        """The services with ``engine``; with ``fresh``, on Kafka and MongoDB started anew."""
        if self._count:
            await self._count.close()
            self._count = None
        for name in SERVICES:
            self.platform.stop(name)
        if fresh:
            await self.platform.start_fresh()
        self.platform.engine = engine
        for name in SERVICES:
            self.platform.start(name)
        self._count = census()
        await self._count.start()

    async def settled(self, engine: str) -> None:
        """The services with ``engine`` and an idle pipeline: waited for within its limit, else
        on a platform started afresh (a drain cut short or a latency phase stopped early leaves
        a backlog)."""
        try:
            await idle_since(self.count, timeout_s=self.limits["settle"])
        except TimeoutError:
            self.step(f"a backlog is left: starting the platform afresh ({engine})")
            await self.start_services(engine, fresh=True)
            return
        if engine != self.platform.engine:
            self.step(f"restarting the services ({engine})")
            await self.start_services(engine, fresh=False)

    def rss(self) -> dict[str, float]:
        return {name: round(rss_of(pid), 1) for name, pid in self.platform.pids().items()}

    async def close(self) -> None:
        if self._count:
            await self._count.close()
        self.platform.stop_all()
