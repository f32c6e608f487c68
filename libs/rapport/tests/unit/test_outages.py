"""An outage is logged once when it starts, then at a bounded rate, and once when it ends."""

import asyncio
import logging

import pytest
from prometheus_client import REGISTRY
from pymongo.errors import ServerSelectionTimeoutError

from rapport.outages import Outage, watched
from rapport.testing import eventually, unique


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def gauge(worker: str) -> float | None:
    return REGISTRY.get_sample_value("rapport_worker_degraded", {"worker": worker})


def test_a_long_outage_logs_a_few_lines_not_one_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    worker = unique("worker")
    outage = Outage(worker, log_every_s=30, clock=clock)
    caplog.set_level(logging.INFO, logger="rapport.outages")
    for _ in range(120):  # two retries a second for a minute
        outage.waiting(ServerSelectionTimeoutError("no primary"))
        clock.now += 0.5
    assert outage.current is not None
    assert outage.current.dependency == "MongoDB"
    assert gauge(worker) == 1
    outage.over()
    outage.over()

    lines = [(r.levelname, r.getMessage(), getattr(r, "waited_s", None)) for r in caplog.records]
    assert lines == [
        ("WARNING", "waiting for MongoDB", None),
        ("WARNING", "still waiting for MongoDB", 30.0),
        ("INFO", "MongoDB is back", 60.0),
    ]
    assert outage.current is None
    assert gauge(worker) == 0


def test_a_recovered_worker_logs_a_new_outage_again(caplog: pytest.LogCaptureFixture) -> None:
    outage = Outage(unique("worker"), clock=Clock())
    caplog.set_level(logging.INFO, logger="rapport.outages")
    for _ in range(2):
        outage.waiting(ServerSelectionTimeoutError("no primary"))
        outage.over()
    assert [r.getMessage() for r in caplog.records] == [
        "waiting for MongoDB",
        "MongoDB is back",
    ] * 2


def test_success_without_an_outage_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rapport.outages")
    Outage(unique("worker")).over()
    assert caplog.records == []


async def test_work_slower_than_the_limit_is_a_wait_for_its_dependency() -> None:
    outage = Outage(unique("worker"))
    acked = asyncio.Event()

    async def ack() -> str:
        await acked.wait()
        return "acked"

    waiting = asyncio.create_task(watched(ack(), "Kafka", outage=outage, slow_s=0.01))
    await eventually(lambda: outage.current is not None)
    assert outage.current is not None
    assert outage.current.dependency == "Kafka"
    acked.set()
    assert await waiting == "acked"
    assert outage.current is None


async def test_quick_work_reports_nothing() -> None:
    outage = Outage(unique("worker"))
    outage.waiting_on("MongoDB", "AutoReconnect")

    async def ack() -> int:
        return 1

    assert await watched(ack(), "Kafka", outage=outage) == 1
    assert outage.current is not None
    assert outage.current.dependency == "MongoDB"
