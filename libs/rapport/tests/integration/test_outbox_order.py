"""The relay publishes a key's events in the order they were stored, whichever replica stored
them, and rows stored by an earlier release before the rows stored after the upgrade."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from bson import ObjectId

from rapport import outbox
from rapport.events import MentionIngested
from rapport.events.codec import decode, encode
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, ensure_indexes, in_transaction
from rapport.testing import example_mention, objectids_of_a_process, read_topic

pytestmark = pytest.mark.integration


async def add(db: Database, topic: str, event: MentionIngested) -> None:
    await in_transaction(db, lambda s: outbox.add(db, s, [(topic, "k", event)]))


async def relayed(db: Database, kafka: str, topic: str, count: int) -> list[str]:
    producer = EventProducer(kafka)
    await producer.start()
    try:
        assert await outbox.OutboxRelay(db, producer).publish_pending() == count
    finally:
        await producer.stop()
    records = await read_topic(kafka, topic, until=lambda r: len(r) >= count)
    return [str(decode(r.value, (MentionIngested,)).event_id) for r in records]


@pytest.fixture
async def topic(mongo_db: Database, new_topic: Callable[[], Awaitable[str]]) -> str:
    await ensure_indexes(mongo_db, {outbox.COLLECTION: outbox.INDEXES})
    return await new_topic()


async def test_a_keys_next_event_stored_by_another_replica_in_the_same_second_comes_after(
    mongo_db: Database, kafka_bootstrap: str, topic: str
) -> None:
    """The second replica's ``ObjectId()`` random bytes are the smaller ones."""
    first, second = example_mention("o1"), example_mention("o2")
    with objectids_of_a_process(b"\xff" * 5):
        await add(mongo_db, topic, first)
    with objectids_of_a_process(b"\x00" * 5):
        await add(mongo_db, topic, second)

    published = await relayed(mongo_db, kafka_bootstrap, topic, 2)

    assert published == [str(first.event_id), str(second.event_id)]


async def test_rows_an_earlier_release_left_pending_go_before_the_rows_stored_after_it(
    mongo_db: Database, kafka_bootstrap: str, topic: str
) -> None:
    """An earlier release's seq is a clock-made ObjectId (here one of 2030, ahead of this
    clock): an upgrade in place keeps each key's order."""
    before, after = example_mention("o1"), example_mention("o2")
    await mongo_db[outbox.COLLECTION].insert_one(
        {
            "_id": str(before.event_id),
            "seq": ObjectId.from_datetime(datetime(2030, 1, 1, tzinfo=UTC)),
            "topic": topic,
            "key": "k",
            "event_type": before.type,
            "value": encode(before),
            "headers": [],
            "published_at": None,
        }
    )
    await add(mongo_db, topic, after)

    published = await relayed(mongo_db, kafka_bootstrap, topic, 2)

    assert published == [str(before.event_id), str(after.event_id)]
