"""End-to-end latency at a steady offered rate: negative mentions posted one per request; for
each, the time from ingest's 202 until a case in responder's database holds its mention id
(seen on a change stream of the ``cases`` collection, so nothing polls the database)."""

import asyncio
import time
from typing import Any
from uuid import UUID

import httpx
from pymongo import AsyncMongoClient

from benchmarks.measures import percentile
from benchmarks.platform import PROFILE
from tests.chaos.census import Planned
from tests.chaos.run import as_json


async def e2e_ms(
    http: httpx.AsyncClient, mentions: list[Planned], rate: float, timeout_s: float = 600
) -> dict[str, float]:
    """Offer ``mentions`` at ``rate`` per second; p50 and p99 in milliseconds."""
    accepted: dict[UUID, float] = {}
    visible: dict[UUID, float] = {}
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        PROFILE.mongo_url, uuidRepresentation="standard"
    )
    cases = mongo["rapport_responder"]["cases"]
    stream = await cases.watch(full_document="updateLookup")
    watcher = asyncio.create_task(_watch(stream, visible))
    try:
        started = time.perf_counter()
        posts = []
        for i, mention in enumerate(mentions):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            posts.append(asyncio.create_task(_post(http, mention, accepted)))
        await asyncio.gather(*posts)
        deadline = time.monotonic() + timeout_s
        while any(m.mention_id not in visible for m in mentions):
            if time.monotonic() > deadline or watcher.done():
                raise TimeoutError("some mentions never reached a case")
            await asyncio.sleep(0.1)
    finally:
        watcher.cancel()
        await stream.close()
        await mongo.close()
    latencies = [(visible[m] - accepted[m]) * 1000 for m in accepted]
    return {
        "p50": round(percentile(latencies, 0.5), 1),
        "p99": round(percentile(latencies, 0.99), 1),
        "rate": rate,
        "mentions": len(mentions),
    }


async def _post(http: httpx.AsyncClient, mention: Planned, accepted: dict[UUID, float]) -> None:
    answer = await http.post(f"{PROFILE.service_url('ingest')}/v1/mentions", json=as_json(mention))
    if answer.status_code != 202:
        raise RuntimeError(f"ingest refused a mention: {answer.status_code} {answer.text[:300]}")
    accepted[mention.mention_id] = time.perf_counter()


async def _watch(stream: Any, visible: dict[UUID, float]) -> None:
    async for change in stream:
        now = time.perf_counter()
        for mention_id in (change.get("fullDocument") or {}).get("mention_ids", []):
            visible.setdefault(mention_id, now)
