"""Two replicas of every service share the work by Kafka partitions and outbox leases: every
mention has its effects exactly once, and each author's conversation stays in order.

200 authors each post a conversation of 10 mentions (an ``in_reply_to`` chain; odd authors
complain, even ones praise), ten conversations to a request, to both ingest replicas at once,
while a second replica of every service runs (all with the lexicon engine: the encoder would take
minutes). The tests then read what each service made of them, and each replica's ``/metrics``.
"""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.events import MentionIngested, deterministic_id
from rapport.testing import eventually, unique
from tests.chaos.census import Census
from tests.support import (
    SERVICES,
    Platform,
    counter,
    group_members,
    mention,
    negative,
    positive,
    profile_id,
    read_to_end,
)

pytestmark = pytest.mark.e2e

AUTHORS = 200
ROUND = 10
"""Mentions per author: a conversation."""
PER_POST = 100
REPLICAS = (1, 2)
SCALED = {"RAPPORT_SENTIMENT_ENGINE": "lexicon"}
DRAIN_S = 900.0
"""2,000 mentions drain in about two minutes here; a slow, busy CI machine may take many more."""
HANDLED = {
    "profiles": "social.mentions",
    "responder": "social.mentions.enriched",
    "loyalty": "social.mentions.enriched",
}
"""The topic whose records show that a replica of each consumer took part."""


@dataclass(frozen=True)
class Conversation:
    author: str
    external_ids: list[str]
    positive: bool
    started: datetime

    @property
    def key(self) -> str:
        return f"x:{self.author}"

    @property
    def profile_id(self) -> UUID:
        return profile_id(self.author)

    @property
    def mention_ids(self) -> list[str]:
        kind = MentionIngested.type_name()
        return [str(deterministic_id(kind, "x", e)) for e in self.external_ids]

    def mention(self, turn: int) -> dict[str, Any]:
        ids = self.external_ids
        return mention(
            ids[turn],
            self.author,
            positive() if self.positive else negative(),
            created_at=(self.started + timedelta(seconds=turn)).isoformat(),
            conversation_id=ids[0],
            in_reply_to=ids[turn - 1] if turn else None,
        )


@dataclass
class Run:
    conversations: list[Conversation]
    work: dict[str, dict[int, float]]
    """Per service and replica: records (ingest: requests) it handled during the run."""


async def post(http: httpx.AsyncClient, url: str, token: dict[str, str], batch: list[Any]) -> None:
    answer = await http.post(f"{url}/v1/mentions", json={"mentions": batch}, headers=token)
    assert answer.status_code == 202, answer.text


async def post_conversations(
    http: httpx.AsyncClient, platform: Platform, talks: list[Conversation]
) -> None:
    """Whole conversations, ``PER_POST`` mentions to a request, two requests at a time (one to
    each ingest replica): an author's mentions sit side by side on their partition, so a
    consumer's batch holds several of them at once, next to other authors'."""
    token = platform.token("integration")
    urls = [platform.replica_url("ingest", r) for r in REPLICAS]
    mentions = [t.mention(turn) for t in talks for turn in range(ROUND)]
    batches = [mentions[i : i + PER_POST] for i in range(0, len(mentions), PER_POST)]
    for i in range(0, len(batches), len(urls)):
        pair = zip(urls, batches[i : i + len(urls)], strict=False)
        await asyncio.gather(*(post(http, url, token, batch) for url, batch in pair))


async def work_done(http: httpx.AsyncClient, platform: Platform) -> dict[str, dict[int, float]]:
    """What each replica has handled so far, by its counters."""
    done: dict[str, dict[int, float]] = {}
    for name in SERVICES:
        done[name] = {}
        for replica in REPLICAS:
            text = (await http.get(f"{platform.replica_url(name, replica)}/metrics")).text
            if name == "ingest":
                done[name][replica] = counter(
                    text, "rapport_http_requests_total", route="/v1/mentions", status="202"
                )
            else:
                done[name][replica] = counter(
                    text, "rapport_consumed_records_total", topic=HANDLED[name], outcome="handled"
                )
    return done


async def settled(census: Census) -> bool:
    """Idle twice in a row (a record may sit between two hops for a moment)."""
    return await census.idle() and await census.idle()


@pytest.fixture(scope="module")
async def scaled(platform: Platform) -> AsyncIterator[Run]:
    """Ingest restarted with the lexicon engine, a second replica of every service; the load
    posted and drained. Afterwards: the second replicas stopped, ingest as it was, no backlog."""
    census = Census(platform.kafka, platform.mongo, {s: platform.db_name(s) for s in SERVICES})
    await census.start()
    try:
        await asyncio.to_thread(platform.stop, "ingest")
        await asyncio.to_thread(platform.start, "ingest", 1, **SCALED)
        for name in SERVICES:
            await asyncio.to_thread(platform.start, name, 2, **SCALED)
        for group in SERVICES:
            await eventually(partial(all_joined, platform, group), timeout_s=120, interval_s=1)
        run, now = unique("scale").replace("-", ""), datetime.now(UTC) - timedelta(minutes=1)
        talks = [
            Conversation(f"{run}a{a}", [f"{run}-{a}-{t}" for t in range(ROUND)], a % 2 == 0, now)
            for a in range(AUTHORS)
        ]
        async with httpx.AsyncClient(timeout=60) as http:
            before = await work_done(http, platform)
            await post_conversations(http, platform, talks)
            await eventually(partial(settled, census), timeout_s=DRAIN_S, interval_s=2)
            after = await work_done(http, platform)
        work = {name: {r: after[name][r] - before[name][r] for r in REPLICAS} for name in SERVICES}
        yield Run(talks, work)
    finally:
        for name in SERVICES:
            if f"{name}-2" in platform.procs:
                await asyncio.to_thread(platform.stop, name, 2)
        if "ingest" in platform.procs:
            await asyncio.to_thread(platform.stop, "ingest")
        await asyncio.to_thread(platform.start, "ingest")
        try:
            await eventually(partial(settled, census), timeout_s=DRAIN_S, interval_s=2)
        finally:
            await census.close()


async def all_joined(platform: Platform, group: str) -> bool:
    return await group_members(platform.kafka, group) == len(REPLICAS)


async def get(http: httpx.AsyncClient, platform: Platform, name: str, path: str) -> Any:
    answer = await http.get(f"{platform.url(name)}{path}", headers=platform.token("admin"))
    return answer.json() if answer.status_code == 200 else None


async def test_every_replica_of_every_service_did_part_of_the_work(scaled: Run) -> None:
    for name, by_replica in scaled.work.items():
        for replica, handled in by_replica.items():
            assert handled > 0, f"{name} replica {replica} handled nothing: {scaled.work}"


async def test_each_mention_counts_once_on_its_authors_profile(
    http: httpx.AsyncClient, platform: Platform, scaled: Run
) -> None:
    for talk in scaled.conversations:
        found = await get(http, platform, "profiles", f"/v1/profiles/{talk.profile_id}")
        assert found is not None, talk.author
        assert found["mention_count"] == ROUND, talk.author
        history = await get(http, platform, "profiles", f"/v1/profiles/{talk.profile_id}/mentions")
        assert sorted(h["mention_event_id"] for h in history) == sorted(talk.mention_ids)


async def test_each_positive_mention_earns_points_once(
    http: httpx.AsyncClient, platform: Platform, scaled: Run
) -> None:
    for talk in scaled.conversations:
        member = await get(http, platform, "loyalty", f"/v1/members/{talk.profile_id}?entries=500")
        ledger = member["ledger"] if member else []
        earned = [str(e["cause_event_id"]) for e in ledger if e["rule"] == "positive_mention"]
        assert sorted(earned) == (sorted(talk.mention_ids) if talk.positive else []), talk.author


async def test_each_conversation_is_threaded_once_into_cases_in_order(
    http: httpx.AsyncClient, platform: Platform, scaled: Run
) -> None:
    """A complainer's ten mentions make one case; a fan's praise (once a fan) goes to a
    community case. Either way each mention is in one case at most, in conversation order."""
    for talk in scaled.conversations:
        cases = await get(http, platform, "responder", f"/v1/cases?profile_id={talk.profile_id}")
        threaded = [str(m) for case in cases for m in case["mention_ids"]]
        assert len(threaded) == len(set(threaded)), talk.author
        assert threaded == [m for m in talk.mention_ids if m in threaded], talk.author
        if not talk.positive:
            (case,) = cases
            assert threaded == talk.mention_ids, talk.author
            detail = await get(http, platform, "responder", f"/v1/cases/{case['case_id']}")
            assert [m["external_id"] for m in detail["messages"]] == talk.external_ids


async def test_profiles_took_each_conversation_in_order(platform: Platform, scaled: Run) -> None:
    """The enriched mentions of each author, in topic order, are the conversation in order,
    each with the profile as it stood after that mention: the nth counts n mentions."""
    by_key: dict[bytes, list[tuple[str, int]]] = {}
    for record in await read_to_end(platform.kafka, "social.mentions.enriched"):
        payload = json.loads(record.value)["payload"]
        count = payload["profile"]["mention_count"]
        by_key.setdefault(record.key, []).append((payload["mention_event_id"], count))
    for talk in scaled.conversations:
        seen = by_key[talk.key.encode()]
        assert seen == [(m, n) for n, m in enumerate(talk.mention_ids, start=1)], talk.author


@pytest.mark.parametrize(
    "topic", ["social.mentions", "social.mentions.enriched", "loyalty.events", "care.cases"]
)
async def test_no_event_is_published_twice(platform: Platform, scaled: Run, topic: str) -> None:
    keys = {t.key.encode() for t in scaled.conversations}
    keys |= {str(t.profile_id).encode() for t in scaled.conversations}
    ids = Counter(
        json.loads(r.value)["event_id"]
        for r in await read_to_end(platform.kafka, topic)
        if r.key in keys
    )
    assert ids, f"none of the run's events on {topic}"
    assert [i for i, n in ids.items() if n > 1] == []
    if topic.startswith("social.mentions"):
        assert len(ids) == AUTHORS * ROUND
