"""Rapport under load on the bench platform: mentions posted to ingest, timed until the whole
pipeline is idle (every consumer group committed everything, no outbox row pending)."""

import asyncio
import time
import uuid
from collections.abc import Callable

import httpx

from benchmarks.platform import PROFILE, SECRET, SERVICES
from rapport.auth import issue_token
from tests.chaos.census import Census, Planned
from tests.chaos.run import as_json

BATCH = 500
AUTHORS = 1000


def plan(count: int, authors: int = AUTHORS, positive: bool | None = None) -> list[Planned]:
    """``count`` mentions from ``authors`` fresh authors; alternately positive and negative
    per author unless ``positive`` fixes the mood."""
    run = uuid.uuid4().hex[:8]
    return [
        Planned(
            f"bench-{run}-{i}",
            f"bench{run}a{i % authors}",
            (i // authors) % 2 == 0 if positive is None else positive,
        )
        for i in range(count)
    ]


def client() -> httpx.AsyncClient:
    token = issue_token(SECRET, "bench", ["integration", "admin"])
    return httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=600)


def census() -> Census:
    return Census(PROFILE.kafka_bootstrap, PROFILE.mongo_url, {s: f"rapport_{s}" for s in SERVICES})


async def post_batches(http: httpx.AsyncClient, mentions: list[Planned]) -> None:
    url = f"{PROFILE.service_url('ingest')}/v1/mentions"
    for i in range(0, len(mentions), BATCH):
        body = {"mentions": [as_json(m) for m in mentions[i : i + BATCH]]}
        answer = await http.post(url, json=body)
        if answer.status_code != 202:
            raise RuntimeError(f"ingest refused a batch: {answer.status_code} {answer.text[:300]}")


async def idle_since(count: Census, timeout_s: float = 1800) -> float:
    """When the pipeline was first seen idle, confirmed idle again a second later."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await count.idle():
            seen = time.perf_counter()
            await asyncio.sleep(1.0)  # a record can sit between two hops for a moment
            if await count.idle():
                return seen
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the pipeline did not go idle within {timeout_s:.0f} s")


async def drain_per_s(
    http: httpx.AsyncClient, count: Census, mentions: list[Planned], during: Callable[[], None]
) -> float:
    """Mentions per second from the first post until the pipeline is idle; ``during`` is
    called about every 0.5 s meanwhile (to sample memory)."""
    started = time.perf_counter()
    sampler = asyncio.create_task(_every(0.5, during))
    try:
        await post_batches(http, mentions)
        idle = await idle_since(count)
    finally:
        sampler.cancel()
    return len(mentions) / (idle - started)


async def accept_per_s(http: httpx.AsyncClient, mentions: list[Planned]) -> float:
    started = time.perf_counter()
    await post_batches(http, mentions)
    return len(mentions) / (time.perf_counter() - started)


async def _every(interval_s: float, call: Callable[[], None]) -> None:
    while True:
        call()
        await asyncio.sleep(interval_s)
