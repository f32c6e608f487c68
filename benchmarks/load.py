"""Rapport under load on the bench platform: mentions posted to ingest, timed until the whole
pipeline is idle (every consumer group committed everything, no outbox row pending)."""

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from benchmarks.measures import Through
from benchmarks.platform import PROFILE, SERVICES
from rapport.testing import token_keys
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
    token = token_keys().token("integration", "admin", subject="bench")
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


async def drain(
    http: httpx.AsyncClient,
    count: Census,
    mentions: list[Planned],
    during: Callable[[], None],
    limit_s: float,
) -> Through:
    """Post ``mentions`` and time them until the pipeline is idle, for at most ``limit_s``;
    then the rate counts only the mentions with all their effects. ``during`` is called about
    every 0.5 s meanwhile (to sample memory)."""
    started = time.perf_counter()
    sampler = asyncio.create_task(_every(0.5, during))
    try:
        async with asyncio.timeout(limit_s):
            await post_batches(http, mentions)
            idle = await idle_since(count)
        return Through(len(mentions), len(mentions), idle - started, "mentions")
    except TimeoutError:
        done = await done_of(mentions)
        return Through(len(mentions), done, time.perf_counter() - started, "mentions")
    finally:
        sampler.cancel()


async def done_of(mentions: list[Planned]) -> int:
    """How many ``mentions`` have all their effects: their author's history entry, and a case
    when negative or a ledger entry when positive."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        PROFILE.mongo_url, uuidRepresentation="standard"
    )
    try:
        ids = [str(m.mention_id) for m in mentions]
        recorded = await _ids(mongo["rapport_profiles"]["history"], {"_id": {"$in": ids}})
        rewarded = await _ids(
            mongo["rapport_loyalty"]["ledger"],
            {"_id": {"$in": [f"positive_mention:{i}" for i in ids]}},
        )
        negative = [m.mention_id for m in mentions if not m.positive]
        threaded = {
            str(mention_id)
            async for case in mongo["rapport_responder"]["cases"].find(
                {"mention_ids": {"$in": negative}}, {"mention_ids": 1}
            )
            for mention_id in case["mention_ids"]
        }
    finally:
        await mongo.close()
    return sum(
        1
        for m, i in zip(mentions, ids, strict=True)
        if i in recorded and (f"positive_mention:{i}" in rewarded if m.positive else i in threaded)
    )


async def _ids(collection: Any, query: dict[str, Any]) -> set[str]:
    return {str(d["_id"]) async for d in collection.find(query, {"_id": 1})}


async def accept_per_s(http: httpx.AsyncClient, mentions: list[Planned]) -> float:
    started = time.perf_counter()
    await post_batches(http, mentions)
    return len(mentions) / (time.perf_counter() - started)


async def _every(interval_s: float, call: Callable[[], None]) -> None:
    while True:
        call()
        await asyncio.sleep(interval_s)
