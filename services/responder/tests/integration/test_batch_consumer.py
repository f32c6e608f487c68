"""responder's batch handler behind the real consumer loop, on a topic and group of the test's
own: a mention that cannot be stored fails its batch, is dead-lettered alone, and every other
mention of the batch is applied once."""

from typing import Any

import pytest

from rapport.events import MentionEnriched
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.testing import eventually, read_topic
from rapport.topics import Topic
from responder.ports import Ports

from .consuming import consuming
from .test_batch_intake import of

pytestmark = pytest.mark.integration


async def test_a_mention_that_cannot_be_stored_is_dead_lettered_and_its_batch_applies_once(
    ports: Ports, mongo_db: Database, kafka_bootstrap: str, new_topic: Any, producer: EventProducer
) -> None:
    name = await new_topic(2)
    topic = Topic(name, "test", "author", 2, 3_600_000, (MentionEnriched,), ("test",), ())
    authors = [f"p{n}" for n in range(6)]
    good = [of(n, authors[n % 6], intents=["complaint"]) for n in range(1, 13)]
    # A reach BSON cannot store (ints stop at 2**63 - 1): its case can never be written.
    bad = of(99, "huge", intents=["complaint"], followers=2**64)
    events = [*good[:5], bad, *good[5:]]
    await producer.publish_all([(name, e.payload.mention.author.id, e) for e in events])

    async def all_applied() -> bool:
        return await mongo_db["negatives"].count_documents({}) == len(good)

    async with consuming(
        ports, mongo_db, kafka_bootstrap, producer, topic, MentionEnriched
    ) as seen:
        dead = await read_topic(kafka_bootstrap, seen.dead_letters, until=lambda r: len(r) >= 1)
        await eventually(all_applied)
    batches = seen.batches

    assert [record.key for record in dead] == [b"huge"]
    assert any(bad.event_id in {e.event_id for e in b} for b in batches)  # it failed a batch
    cases = await mongo_db["cases"].find().to_list()
    assert sorted(c["author_id"] for c in cases) == authors
    mentions = [m for c in cases for m in c["mention_ids"]]
    assert sorted(mentions) == sorted(e.payload.mention_event_id for e in good)  # each once
    opened = await mongo_db["outbox"].count_documents({"topic": "care.cases"})
    assert opened == len(good)  # an "opened" or a "mention_added" each, never twice
    counters = await mongo_db["negative_counts"].find({"subject": "all"}).to_list()
    counted = {
        (e.payload.mention.author.id, ports.spikes.bucket_of(e.payload.mention.created_at))
        for e in good
    }
    assert sum(c["n"] for c in counters) == len(counted)  # each author once per bucket
    assert await mongo_db["timeline"].count_documents({"author_id": "huge"}) == 0
