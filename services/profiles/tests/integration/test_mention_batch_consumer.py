"""profiles' mention batches through the real consumer loop, on a test topic and group: a bad
mention is dead-lettered alone, its neighbours apply once, and each mention's announcements stay
in its own trace."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from profiles.adapters.mongo_store import INDEXES
from profiles.adapters.profile_store import MongoProfiles
from profiles.domain.rules import Rules
from profiles.handlers import on_mention_ingested, on_mentions_ingested
from profiles.ports import profile_id_for
from rapport.clock import utcnow
from rapport.events import MentionEnriched, MentionIngested
from rapport.events.codec import decode
from rapport.events.factories import ingested
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, dispatch
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, ensure_indexes
from rapport.outbox import COLLECTION as OUTBOX
from rapport.retry import RetryPolicy
from rapport.telemetry import tracer
from rapport.testing import eventually, read_topic, unique
from rapport.topics import Topic, dead_letter_topic

pytestmark = pytest.mark.integration
RULES = Rules()
TOO_BIG_FOR_BSON = 2**63


@dataclass
class Consumer:
    topic: Topic
    group: str
    loop: ConsumerLoop
    batches: list[int]
    """The size of each batch handed to the batch handler."""
    running: "asyncio.Task[None] | None" = None

    def start(self) -> None:
        self.running = asyncio.create_task(self.loop.run())


@pytest.fixture
async def consumer(
    kafka_bootstrap: str,
    new_topic: Callable[..., Awaitable[str]],
    producer: EventProducer,
    mongo_db: Database,
) -> AsyncIterator[Consumer]:
    """profiles' mention handlers on a test topic of two partitions, with its own group; the
    test starts the loop once it has published."""
    await ensure_indexes(mongo_db, INDEXES)
    repo = MongoProfiles(mongo_db)
    name = await new_topic(2)
    topic = Topic(name, "test", "author", 2, 3_600_000, (MentionIngested,), ("test",), ())
    group = unique("profiles")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(name, group), 1, 3_600_000)])
    batches: list[int] = []

    async def one(event: MentionIngested) -> None:
        await on_mention_ingested(event, profiles=repo, rules=RULES, clock=utcnow)

    async def many(events: list[MentionIngested]) -> None:
        batches.append(len(events))
        await on_mentions_ingested(events, profiles=repo, rules=RULES, clock=utcnow)

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=dispatch({MentionIngested: one}),
        batch_handlers={MentionIngested: many},
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.05),
        commit_every_s=0.1,
    )
    consumer = Consumer(topic, group, loop, batches)
    try:
        yield consumer
    finally:
        loop.stop()
        if consumer.running is not None:
            await consumer.running


async def markers(db: Database) -> set[str]:
    return {d["_id"] for d in await db["processed"].find({}, {"_id": 1}).to_list()}


async def test_a_bad_mention_is_dead_lettered_alone_and_its_neighbours_apply_once(
    consumer: Consumer, producer: EventProducer, mongo_db: Database, kafka_bootstrap: str
) -> None:
    authors = [unique("a") for _ in range(4)]
    events = [ingested(n, author=authors[n % 4]) for n in range(12)]
    bad = events[5] = ingested(5, author=authors[1], followers=TOO_BIG_FOR_BSON)
    await producer.publish_all([(consumer.topic.name, e.payload.author_key, e) for e in events])
    good = {str(e.event_id) for e in events if e is not bad}
    consumer.start()

    await eventually(lambda: _equal(markers(mongo_db), good), timeout_s=60)
    dead = await read_topic(
        kafka_bootstrap,
        dead_letter_topic(consumer.topic.name, consumer.group),
        until=lambda records: len(records) >= 1,
        timeout_s=60,
    )

    assert [decode(r.value, (MentionIngested,)).event_id for r in dead] == [bad.event_id]
    assert consumer.batches  # the batch handler had them first
    history = {d["_id"] for d in await mongo_db["history"].find({}, {"_id": 1}).to_list()}
    assert history == good
    enriched = await mongo_db[OUTBOX].count_documents({"topic": "social.mentions.enriched"})
    assert enriched == len(good)
    for author in authors:
        found = await mongo_db["profiles"].find_one({"_id": profile_id_for(f"x:{author}")})
        assert found is not None
        assert found["mention_count"] == (2 if author == authors[1] else 3)


async def test_what_a_batch_announces_stays_in_each_mentions_trace(
    consumer: Consumer, producer: EventProducer, mongo_db: Database
) -> None:
    authors = [unique("t") for _ in range(3)]
    traces: dict[str, str] = {}
    events = [ingested(n, author=authors[n % 3]) for n in range(9)]
    for event in events:
        with tracer.start_as_current_span("post") as span:
            traces[str(event.event_id)] = format(span.get_span_context().trace_id, "032x")
            await producer.publish(consumer.topic.name, event.payload.author_key, event)
    consumer.start()

    await eventually(lambda: _equal(markers(mongo_db), set(traces)), timeout_s=60)

    assert max(consumer.batches) > 1
    rows = await mongo_db[OUTBOX].find().to_list()
    by_mention = {
        str(decode(bytes(r["value"]), (MentionEnriched,)).payload.mention_event_id): r
        for r in rows
        if r["topic"] == "social.mentions.enriched"
    }
    assert {cause: _trace_id(row) for cause, row in by_mention.items()} == traces


def _trace_id(row: dict[str, Any]) -> str:
    headers = {name: bytes(value).decode() for name, value in row["headers"]}
    return headers["traceparent"].split("-")[1]


async def _equal(found: Awaitable[set[str]], expected: set[str]) -> bool:
    return await found == expected
