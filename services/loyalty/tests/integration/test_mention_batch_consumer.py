"""loyalty's mention batches through the real consumer loop, on a topic and group of the test's
own: each event's announcements continue its own trace; a batch with an event MongoDB refuses
is rolled back and redone one by one, so only that event is dead-lettered and each of its
neighbours earns exactly once."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest
from bson import Binary

from loyalty.consumers import batch_handlers, event_handlers
from loyalty.parts import Parts
from rapport import outbox
from rapport.events import ALL_EVENTS, Event, MentionEnriched
from rapport.events.codec import decode
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, dispatch
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.retry import RetryPolicy
from rapport.telemetry import tracer
from rapport.testing import eventually, read_topic, unique
from rapport.topics import Topic, dead_letter_topic
from services.loyalty.tests.integration.builders import mention_by
from services.loyalty.tests.integration.conftest import settings

pytestmark = pytest.mark.integration


@dataclass
class Consuming:
    """loyalty's consumer loop over a topic of the test's own, its calls counted."""

    topic: Topic
    group: str
    calls: Counter[str]
    traces: dict[UUID, str]
    """A published mention's id -> the trace id its record carries."""

    async def publish(self, producer: EventProducer, events: list[MentionEnriched]) -> None:
        """Each event in a trace of its own."""
        for event in events:
            with tracer.start_as_current_span("test publish") as span:
                key = str(event.payload.profile.profile_id)
                await producer.publish_all([(self.topic.name, key, event)])
            trace_id = format(span.get_span_context().trace_id, "032x")
            self.traces[event.payload.mention_event_id] = trace_id


@pytest.fixture
async def consuming(
    services: Parts,
    kafka_bootstrap: str,
    new_topic: Callable[..., Awaitable[str]],
    producer: EventProducer,
) -> AsyncIterator[Consuming]:
    name = await new_topic(2)
    topic = Topic(name, "test", "author", 2, 3_600_000, (MentionEnriched,), ("test",), ())
    group = unique("loyalty")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(name, group), 1, 3_600_000)])
    calls: Counter[str] = Counter()
    in_batches = batch_handlers(services)[MentionEnriched]
    one_by_one = dispatch(event_handlers(services, settings()))

    async def batch(events: list[MentionEnriched]) -> None:
        try:
            await in_batches(events)
        except Exception:
            calls["failed batches"] += 1
            raise
        calls["batches"] += 1

    async def single(event: Event) -> None:
        calls["one by one"] += 1
        await one_by_one(event)

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=single,
        batch_handlers={MentionEnriched: batch},
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.05),
    )
    running = asyncio.create_task(loop.run())
    yield Consuming(topic, group, calls, {})
    loop.stop()
    await running


async def ledger_holds(db: Database, entries: int) -> None:
    async def holds() -> bool:
        return await db["ledger"].count_documents({}) == entries

    await eventually(holds, timeout_s=60)


async def test_each_events_announcements_continue_its_own_trace(
    consuming: Consuming, producer: EventProducer, mongo_db: Database
) -> None:
    events = [mention_by(uuid4()) for _ in range(6)]
    await consuming.publish(producer, events)
    await ledger_holds(mongo_db, 6)

    rows = await mongo_db[outbox.COLLECTION].find().to_list()
    traced = {}
    for row in rows:
        awarded = decode(bytes(row["value"]), ALL_EVENTS)
        traceparent = bytes(dict(row["headers"])["traceparent"]).decode()
        traced[awarded.payload.cause_event_id] = traceparent.split("-")[1]
    assert traced == consuming.traces
    assert consuming.calls["batches"] >= 1
    assert consuming.calls["one by one"] == 0


async def test_one_refused_event_is_dead_lettered_and_its_neighbours_earn_once(
    consuming: Consuming,
    producer: EventProducer,
    mongo_db: Database,
    kafka_bootstrap: str,
) -> None:
    authors = [uuid4() for _ in range(4)]
    events = [mention_by(authors[n % 4]) for n in range(12)]
    bad = events[5]
    refused = Binary.from_uuid(bad.payload.mention_event_id)
    # MongoDB refuses the bad event's entry, in a batch or alone
    await mongo_db.command("collMod", "ledger", validator={"cause_event_id": {"$ne": refused}})
    topic = consuming.topic
    await producer.publish_all([(topic.name, str(e.payload.profile.profile_id), e) for e in events])
    dead_letters = dead_letter_topic(topic.name, consuming.group)
    dead = await read_topic(kafka_bootstrap, dead_letters, until=lambda r: len(r) >= 1)
    await ledger_holds(mongo_db, 11)

    assert [decode(r.value, topic.events).event_id for r in dead] == [bad.event_id]
    assert consuming.calls["failed batches"] >= 1
    members = await mongo_db["members"].find().to_list()
    expected = {author: 30 for author in authors}
    expected[bad.payload.profile.profile_id] = 20  # two of its three mentions
    assert {m["_id"]: m["balance"] for m in members} == expected
    assert await mongo_db[outbox.COLLECTION].count_documents({}) == 11
