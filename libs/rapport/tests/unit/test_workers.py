"""Background workers outlive their failures, and the probes tell degraded from dead."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from pymongo.errors import ServerSelectionTimeoutError

from rapport.retry import RetryPolicy
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import eventually, metric, token_keys, unique
from rapport.workers import Poller, Repeat, Workers

FAST = RetryPolicy(first_delay_s=0.01, max_delay_s=0.02)


class Scripted(Poller):
    """Each step takes the next outcome: an exception to raise, or None to succeed."""

    def __init__(self, outcomes: list[BaseException | None]) -> None:
        super().__init__(interval_s=0.01, backoff=FAST)
        self.outcomes = outcomes
        self.steps = 0
        self.done = 0

    async def step(self) -> bool:
        self.steps += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        self.done += 1
        return False


class Blocked(Poller):
    """Fails transiently until ``release()``."""

    def __init__(self, backoff: RetryPolicy = FAST) -> None:
        super().__init__(interval_s=0.01, backoff=backoff)
        self.released = False
        self.done = 0

    def release(self) -> None:
        self.released = True

    async def step(self) -> bool:
        if not self.released:
            raise ServerSelectionTimeoutError("no primary")
        self.done += 1
        return False


async def stopped(workers: Workers) -> None:
    await asyncio.wait_for(workers.stop(), timeout=5)


async def test_a_poller_survives_a_permanent_and_a_transient_error() -> None:
    workers = Workers()
    poller = Scripted([ValueError("bad row"), ServerSelectionTimeoutError("away"), None])
    workers.start("scripted", poller.run(), stop=poller.stop)
    await eventually(lambda: poller.done >= 2)
    assert poller.steps >= 4
    assert workers.healthy
    assert not workers.degraded
    await stopped(workers)
    assert workers.failures == {}


async def test_a_poller_waiting_for_mongodb_is_degraded_until_it_is_back() -> None:
    workers = Workers()
    poller = Blocked()
    name = unique("blocked")
    workers.start(name, poller.run(), stop=poller.stop)
    await eventually(lambda: workers.degraded)
    assert workers.healthy
    assert workers.waiting[name].dependency == "MongoDB"
    assert REGISTRY.get_sample_value("rapport_worker_degraded", {"worker": name}) == 1

    poller.release()
    await eventually(lambda: poller.done > 0 and not workers.degraded)
    assert REGISTRY.get_sample_value("rapport_worker_degraded", {"worker": name}) == 0
    await stopped(workers)


async def test_stop_ends_a_poller_that_is_waiting_out_an_outage() -> None:
    workers = Workers()
    poller = Blocked(backoff=RetryPolicy(first_delay_s=60, max_delay_s=60))
    workers.start("blocked", poller.run(), stop=poller.stop)
    await eventually(lambda: workers.degraded)
    await stopped(workers)
    assert workers.failures == {}


def probe_app(start: Callable[[Workers], None]) -> FastAPI:
    @asynccontextmanager
    async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        yield

    settings = RapportSettings(auth_jwks=token_keys().auth_jwks)
    app = service_app(settings, title="t", routers=[], run=nothing)
    start(app.state.runtime.workers)
    return app


async def probes(app: FastAPI) -> tuple[httpx.Response, httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return await http.get("/healthz"), await http.get("/readyz")


async def test_probes_while_degraded_say_alive_but_not_ready() -> None:
    poller = Blocked()
    app = probe_app(lambda workers: workers.start("relay", poller.run(), stop=poller.stop))
    workers: Workers = app.state.runtime.workers
    await eventually(lambda: workers.degraded)

    health, ready = await probes(app)
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["waiting"]["relay"]["waiting_for"] == "MongoDB"
    assert ready.status_code == 503

    poller.release()
    await eventually(lambda: not workers.degraded)
    health, ready = await probes(app)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    await stopped(workers)


async def test_probes_after_a_worker_died_say_failed() -> None:
    async def dies() -> None:
        raise RuntimeError("too many dead letters")

    app = probe_app(lambda workers: workers.start("consumer:x", dies()))
    workers: Workers = app.state.runtime.workers
    await eventually(lambda: not workers.healthy)
    health, ready = await probes(app)
    assert health.status_code == 503
    assert "consumer:x" in health.json()["workers"]
    assert ready.status_code == 503


@pytest.fixture(autouse=True)
def _quiet_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("CRITICAL")


async def test_repeat_runs_its_work_again_after_a_failure() -> None:
    calls: list[int] = []

    async def sweep() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ServerSelectionTimeoutError("away")

    workers = Workers()
    repeat = Repeat(0.01, sweep)
    workers.start("sweeper", repeat.run(), stop=repeat.stop)
    await eventually(lambda: len(calls) >= 3)
    assert workers.healthy
    await stopped(workers)


async def test_a_poller_reports_its_last_step_only_when_a_step_succeeds() -> None:
    workers = Workers()
    failing = Scripted([ValueError("bad row")] * 1_000)
    working = Scripted([])
    stuck, alive = unique("stuck"), unique("alive")
    workers.start(stuck, failing.run(), stop=failing.stop)
    workers.start(alive, working.run(), stop=working.stop)
    started = time.time()
    await eventually(lambda: working.done >= 2 and failing.steps >= 2)
    await stopped(workers)

    last_step = metric("rapport_worker_last_step_timestamp_seconds", worker=alive)
    assert last_step is not None
    assert last_step >= started - 1
    assert metric("rapport_worker_last_step_timestamp_seconds", worker=stuck) is None
    assert metric("rapport_worker_interval_seconds", worker=alive) == working.interval_s
