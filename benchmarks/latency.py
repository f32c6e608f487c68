"""End-to-end latency at a steady offered rate: negative mentions posted one per request; for
each, the time from ingest's 202 until a case in responder's database holds its mention id
(seen on a change stream of the ``cases`` collection, so nothing polls the database), and how
that splits between the stages (``benchmarks.hops``).

Offering stops early once the pipeline is clearly behind (a mention accepted ``BEHIND_S`` ago
still has no case), and the wait for the last cases is bounded; a mention still without a case
then counts as the time it has waited so far, so the percentiles are lower bounds."""

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
from pymongo import AsyncMongoClient

from benchmarks.hops import HOPS, first_records, hop_percentiles
from benchmarks.measures import percentile
from benchmarks.platform import PROFILE
from rapport.testing import eventually
from tests.chaos.census import Planned
from tests.chaos.run import as_json

BEHIND_S = 10.0
"""Five times the target p99 (2 s): past it, offering more only grows the backlog."""


@dataclass
class Observed:
    """Per mention: when ingest accepted it, and when its case became visible (perf_counter s)."""

    accepted: dict[UUID, float] = field(default_factory=dict)
    visible: dict[UUID, float] = field(default_factory=dict)


def oldest_wait_s(accepted: dict[UUID, float], visible: dict[UUID, float], now: float) -> float:
    """How long the longest-waiting accepted mention without a case has waited (0 if none)."""
    return max((now - at for m, at in accepted.items() if m not in visible), default=0.0)


def latencies_ms(
    accepted: dict[UUID, float], visible: dict[UUID, float], now: float
) -> list[float]:
    """202 → case per accepted mention; one without a case yet counts its wait until ``now``."""
    return [(visible.get(m, now) - at) * 1000 for m, at in accepted.items()]


async def e2e_ms(
    http: httpx.AsyncClient,
    mentions: list[Planned],
    rate: float,
    catch_up_s: float,
    seen: Observed | None = None,
) -> dict[str, Any]:
    """Offer ``mentions`` at ``rate`` per second (until clearly behind), then wait at most
    ``catch_up_s`` for their cases; p50 and p99 in milliseconds, and what was achieved. What it
    observed is left in ``seen`` (also when the measure is cut short)."""
    seen = seen if seen is not None else Observed()
    accepted, visible = seen.accepted, seen.visible
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        PROFILE.mongo_url, uuidRepresentation="standard"
    )
    stream = await mongo["rapport_responder"]["cases"].watch(full_document="updateLookup")
    watcher = asyncio.create_task(_watch(stream, visible))
    stopped_early = False
    try:
        started = time.perf_counter()
        posts = []
        for i, mention in enumerate(mentions):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            once_a_second = i % max(1, round(rate)) == 0
            if once_a_second and oldest_wait_s(accepted, visible, time.perf_counter()) > BEHIND_S:
                stopped_early = True
                break
            posts.append(asyncio.create_task(_post(http, mention, accepted)))
        offered_s = time.perf_counter() - started
        await asyncio.gather(*posts)
        with contextlib.suppress(AssertionError):  # the cases still missing count as waits
            await eventually(
                lambda: watcher.done() or all(m in visible for m in accepted),
                timeout_s=catch_up_s,
            )
        if watcher.done():
            watcher.result()  # the change stream failed: say why
        now = time.perf_counter()
    finally:
        watcher.cancel()
        await stream.close()
        await mongo.close()
    latencies = latencies_ms(accepted, visible, now)
    cased = [visible[m] for m in accepted if m in visible]
    return {
        "p50": round(percentile(latencies, 0.5), 1),
        "p99": round(percentile(latencies, 0.99), 1),
        "rate": rate,
        "offered_s": round(offered_s, 1),
        "stopped_early": stopped_early,
        "mentions": len(accepted),
        "accepted_per_s": round(len(accepted) / offered_s, 1),
        "cases_per_s": round(len(cased) / (max(cased) - started), 1) if cased else 0.0,
        "unseen": len(accepted) - len(cased),
    }


async def stage_hops(mentions: list[Planned], seen: Observed) -> dict[str, Any]:
    """p50/p99 of each stage's share of the mentions' latency: 202 → social.mentions (ingest),
    → social.mentions.enriched (profiles), → case visible (responder)."""
    to_wall = time.time() - time.perf_counter()
    external = {m.mention_id: m.external_id for m in mentions}
    accepted = {external[m]: at + to_wall for m, at in seen.accepted.items() if m in external}
    stages = [accepted]
    for _, topic in HOPS:
        stages.append(await first_records(PROFILE.kafka_bootstrap, topic, set(accepted)))
    stages.append({external[m]: at + to_wall for m, at in seen.visible.items() if m in external})
    return hop_percentiles(stages, [name for name, _ in HOPS] + ["responder"])


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
