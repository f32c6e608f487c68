"""loyalty's mention batches through the real consumer loop, on a topic and group of the test's
own: a batch with an event MongoDB refuses is rolled back and redone one by one, so only that
event is dead-lettered and each of its neighbours earns exactly once."""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from uuid import uuid4

import pytest
from bson import Binary

from loyalty.consumers import batch_handlers, event_handlers
from loyalty.services import Services
from rapport import outbox
from rapport.events import MentionEnriched
from rapport.events.codec import decode
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, dispatch
from rapport.kafka.producer import EventProducer
from rapport.kafka.retry import RetryPolicy
from rapport.mongo import Database
from rapport.testing import eventually, read_topic, unique
from rapport.topics import Topic, dead_letter_topic
from services.loyalty.tests.integration.builders import mention_by
from services.loyalty.tests.integration.conftest import settings

pytestmark = pytest.mark.integration


async def test_one_refused_event_is_dead_lettered_and_its_neighbours_earn_once(
    services: Services,
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: Callable[..., Awaitable[str]],
    producer: EventProducer,
) -> None:
    name = await new_topic(2)
    topic = Topic(name, "test", "author", 2, 3_600_000, (MentionEnriched,), ("test",), ())
    group = unique("loyalty")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(name, group), 1, 3_600_000)])
    authors = [uuid4() for _ in range(4)]
    events = [mention_by(authors[n % 4]) for n in range(12)]
    bad = events[5]
    refused = Binary.from_uuid(bad.payload.mention_event_id)
    # MongoDB refuses the bad event's entry, in a batch or alone
    await mongo_db.command("collMod", "ledger", validator={"cause_event_id": {"$ne": refused}})
    batches: Counter[str] = Counter()
    in_batches = batch_handlers(services)[MentionEnriched]

    async def counted(batch: list[MentionEnriched]) -> None:
        try:
            await in_batches(batch)
        except Exception:
            batches["failed"] += 1
            raise
        batches["applied"] += 1

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=dispatch(event_handlers(services, settings())),
        batch_handlers={MentionEnriched: counted},
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.05),
    )
    await producer.publish_all([(name, str(e.payload.profile.profile_id), e) for e in events])
    running = asyncio.create_task(loop.run())
    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(name, group), until=lambda r: len(r) >= 1, timeout_s=60
    )

    async def neighbours_earned() -> bool:
        return await mongo_db["ledger"].count_documents({}) == 11

    await eventually(neighbours_earned, timeout_s=60)
    loop.stop()
    await running

    assert [decode(r.value, topic.events).event_id for r in dead] == [bad.event_id]
    assert batches["failed"] >= 1
    members = await mongo_db["members"].find().to_list()
    expected = {author: 30 for author in authors}
    expected[bad.payload.profile.profile_id] = 20  # two of its three mentions
    assert {m["_id"]: m["balance"] for m in members} == expected
    rows = await mongo_db[outbox.COLLECTION].find().to_list()
    assert len(rows) == 11
