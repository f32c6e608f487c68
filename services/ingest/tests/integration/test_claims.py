"""Claims on pending mentions against the real database and broker: a dead analyser's claim is
taken over once its short claim expires, a live one's slow batch never is (its claim is
renewed), and a claim leaves what must wait for a mention held elsewhere.

The stage's relay publishes to a fresh topic of the test's own, never to ``social.mentions``."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest
from opentelemetry import context

from ingest.adapters.archive_store import MongoArchive
from ingest.analyser.pending import INDEXES, PENDING, Done, PendingMentions
from ingest.analyser.pool import AnalysisPool, Item
from ingest.analyser.worker import Analyser
from ingest.analysis.batch import Outcome
from ingest.settings import IngestSettings
from rapport.mongo import Database
from rapport.outbox import OutboxRelay
from rapport.telemetry import extract_context
from rapport.testing import eventually, objectids_of_a_process, reference
from services.ingest.tests.integration.analysis_stage import (
    WAIT_S,
    ToTopic,
    in_outbox,
    incoming,
    published,
    stored,
)

pytestmark = pytest.mark.integration
DEFAULT_CLAIM_S = IngestSettings.model_fields["analyser_claim_s"].default


@pytest.fixture
async def topic(new_topic: Callable[[], Awaitable[str]]) -> str:
    return await new_topic()


class Recording(AnalysisPool):
    """Analyses in a thread; counts what it was given and, while ``stalled`` is set, holds
    every batch (a slow encoder)."""

    def __init__(self) -> None:
        super().__init__("lexicon", processes=0)
        self.items = 0
        self._go_on = asyncio.Event()
        self._go_on.set()

    def stall(self) -> None:
        self._go_on.clear()

    def go_on(self) -> None:
        self._go_on.set()

    async def analyse(self, items: Sequence[Item]) -> list[Outcome]:
        self.items += len(items)
        await self._go_on.wait()
        return await super().analyse(items)


@asynccontextmanager
async def analysing(
    db: Database, kafka: str, topic: str, *pools: AnalysisPool, claim_s: float = DEFAULT_CLAIM_S
) -> AsyncIterator[list[Analyser]]:
    """One analyser per pool, each with its own claims, and a relay to ``topic``."""
    producer = ToTopic(kafka, topic)
    await producer.start()
    relay = OutboxRelay(db, producer, poll_s=0.05)
    analysers = [
        Analyser(PendingMentions(db, claim_s=claim_s), pool, batch=16, poll_s=0.05)
        for pool in pools
    ]
    tasks = [asyncio.create_task(w.run()) for w in [relay, *analysers]]
    try:
        yield analysers
    finally:
        for worker in [relay, *analysers]:
            worker.stop()
        await asyncio.gather(*tasks)
        await producer.stop()


async def accept(db: Database, *authors: str) -> list[str]:
    """One mention per author named, each in a request of its own, in that order; their ids."""
    mentions = [incoming(a, f"Brightloop {reference()} is fine", i) for i, a in enumerate(authors)]
    for mention in mentions:
        await MongoArchive(db).accept([stored(mention)])
    return [m.external_id for m in mentions]


async def test_mentions_two_replicas_accept_in_one_second_are_published_in_that_order(
    mongo_db: Database, kafka_bootstrap: str, topic: str
) -> None:
    """ann's second post reaches the replica whose ``ObjectId()`` random bytes are smaller, in
    the same second: it is still published after her first."""
    with objectids_of_a_process(b"\xff" * 5):
        first = await accept(mongo_db, "ann")
    with objectids_of_a_process(b"\x00" * 5):
        second = await accept(mongo_db, "ann")

    async with analysing(mongo_db, kafka_bootstrap, topic, Recording()):
        events = await published(kafka_bootstrap, topic, 2)

    assert [e.payload.external_id for e in events] == first + second


async def test_mentions_of_requests_in_different_traces_keep_their_own_trace_in_one_batch(
    mongo_db: Database,
) -> None:
    """Two requests, each in a trace of its own, completed in one batch (one outbox write):
    each mention's event carries its own request's trace to the relay."""
    traces = [secrets.token_hex(16) for _ in range(2)]
    for trace_id in traces:
        carrier = [("traceparent", f"00-{trace_id}-{secrets.token_hex(8)}-01".encode())]
        token = context.attach(extract_context(carrier))
        try:
            await accept(mongo_db, "ann")
        finally:
            context.detach(token)
    pending = PendingMentions(mongo_db)
    claim = await pending.claim(10)
    assert len(claim.mentions) == 2

    await pending.complete(claim.token, [Done(c, c.mention) for c in claim.mentions])

    rows = await mongo_db["outbox"].find().sort("seq", 1).to_list()
    carried = [dict(row["headers"])["traceparent"].split(b"-")[1].decode() for row in rows]
    assert carried == traces


async def claim_until(db: Database, token: str) -> Any:
    doc = await db["mentions"].find_one({"claimed_by": token})
    return doc and doc["claim_until"]


async def test_a_dead_analysers_claim_is_taken_over_soon_and_published_once_in_order(
    mongo_db: Database, kafka_bootstrap: str, topic: str
) -> None:
    """The dead one claimed the first three (and was killed: it never renews nor completes);
    the live one publishes them within the default claim time, before the author's later ones."""
    ids = await accept(mongo_db, *["ann"] * 6)
    dead = PendingMentions(mongo_db)
    claim = await dead.claim(3)
    assert [c.mention.external_id for c in claim.mentions] == ids[:3]

    async with analysing(mongo_db, kafka_bootstrap, topic, Recording()):
        events = await published(kafka_bootstrap, topic, 6)
        await in_outbox(mongo_db, 6)

    assert [e.payload.external_id for e in events] == ids
    late = [Done(c, c.mention) for c in claim.mentions]
    assert await dead.complete(claim.token, late) == []  # its late completion publishes nothing
    assert await mongo_db["outbox"].count_documents({}) == 6


async def test_a_live_analysers_slow_batch_is_not_taken_over(
    mongo_db: Database, kafka_bootstrap: str, topic: str
) -> None:
    """Its analysis outlasts its claim three times over while another analyser looks for work:
    the holder keeps renewing it, and publishes each mention once, in order."""
    ids = await accept(mongo_db, "ann", "bo", "ann", "bo", "cy")
    slow, other = Recording(), Recording()
    slow.stall()
    async with analysing(mongo_db, kafka_bootstrap, topic, slow, claim_s=1.0):
        try:
            await eventually(lambda: slow.items == len(ids), timeout_s=WAIT_S)
            held = await mongo_db["mentions"].distinct("claimed_by", {"pending": True})
            assert len(held) == 1
            first_until = await claim_until(mongo_db, held[0])

            async def renewed_thrice() -> bool:
                until = await claim_until(mongo_db, held[0])
                return bool(until) and (until - first_until).total_seconds() >= 3.0

            async with analysing(mongo_db, kafka_bootstrap, topic, other, claim_s=1.0):
                await eventually(renewed_thrice, timeout_s=WAIT_S)
                assert other.items == 0
                assert await mongo_db["mentions"].distinct("claimed_by", {"pending": True}) == held
                slow.go_on()
                events = await published(kafka_bootstrap, topic, len(ids))
                await in_outbox(mongo_db, len(ids))
        finally:
            slow.go_on()  # else a failing test would wait for ever for its stalled batch

    assert [e.payload.external_id for e in events] == ids
    assert other.items == 0


async def test_a_claim_leaves_what_waits_for_a_mention_held_elsewhere(mongo_db: Database) -> None:
    """ann's second post waits for her first (held by another analyser), the brand's reply to
    it waits for it; cy's post does not wait. The holder's own next claim takes both."""
    ann_1, ann_2, cy = await accept(mongo_db, "ann", "ann", "cy")
    reply = incoming("brand", f"Sorry to hear that {reference()}", 3, in_reply_to=ann_2)
    await MongoArchive(mongo_db).accept([stored(reply)])

    first = await PendingMentions(mongo_db).claim(1)
    other = await PendingMentions(mongo_db).claim(10)
    holders_next = await PendingMentions(mongo_db).claim(10, after=[first.token])

    assert [c.mention.external_id for c in first.mentions] == [ann_1]
    assert [c.mention.external_id for c in other.mentions] == [cy]
    assert [c.mention.external_id for c in holders_next.mentions] == [ann_2, reply.external_id]


async def test_renewing_a_claim_examines_only_pending_mentions(mongo_db: Database) -> None:
    """Seen by MongoDB's profiler: the renewal (every few seconds while a batch is analysed)
    never walks the mentions published long ago."""
    await mongo_db["mentions"].create_indexes(INDEXES)
    await MongoArchive(mongo_db).accept([stored(incoming(f"a{n}", "hello")) for n in range(100)])
    done = await mongo_db["mentions"].find().sort("seq", 1).limit(95).to_list()
    published = {"_id": {"$in": [doc["_id"] for doc in done]}}
    await mongo_db["mentions"].update_many(published, {"$set": {PENDING: False}})
    pending = PendingMentions(mongo_db)
    claim = await pending.claim(10)
    assert len(claim.mentions) == 5
    await mongo_db.command("profile", 2)
    try:
        await pending.renew([claim.token])
    finally:
        await mongo_db.command("profile", 0)
    (renewal,) = await mongo_db["system.profile"].find({"op": "update"}).to_list()
    assert renewal["nModified"] == 5
    assert renewal["docsExamined"] == 5
