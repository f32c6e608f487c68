"""Outbox relay replicas over one database, against the real database and broker: one
publishes at a time, in order, and a replica that dies between the broker's acknowledgement
and marking its rows leaves no duplicate behind for the one that takes over."""

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import AutoReconnect

from rapport import outbox
from rapport.events import Event, MentionIngested
from rapport.kafka.producer import EventProducer
from rapport.kafka.recent import every_partition
from rapport.mongo import Database, ensure_indexes, in_transaction
from rapport.testing import eventually, example_mention, metric, read_topic

pytestmark = pytest.mark.integration
ROWS, KEYS = 2_000, 20


def mention(n: int) -> MentionIngested:
    return example_mention(f"r{n}")


async def fill(db: Database, topic: str, numbers: range) -> None:
    await ensure_indexes(db, {outbox.COLLECTION: outbox.INDEXES})
    for first in range(numbers.start, numbers.stop, 100):
        rows = [(topic, f"k{n % KEYS}", mention(n)) for n in range(first, first + 100)]

        async def add(
            session: AsyncClientSession, rows: Sequence[tuple[str, str, Event]] = rows
        ) -> None:
            await outbox.add(db, session, rows)

        await in_transaction(db, add)


async def all_marked(db: Database) -> bool:
    return await db[outbox.COLLECTION].count_documents(outbox.PENDING) == 0


async def everything_on(bootstrap: str, topic: str) -> list[Any]:
    """Every record on ``topic``, to its end offsets (so duplicates are counted too)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = every_partition(consumer)
        total = sum((await consumer.end_offsets(list(partitions))).values())
    finally:
        await consumer.stop()
    return await read_topic(bootstrap, topic, until=lambda records: len(records) >= total)


def numbers_by_key(records: list[Any]) -> dict[bytes, list[int]]:
    found: dict[bytes, list[int]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        found[record.key].append(int(json.loads(record.value)["payload"]["external_id"][1:]))
    return found


class Replica(outbox.OutboxRelay):
    """A relay that counts what it publishes and can be made to die after the broker's ack of
    its n-th batch, before it marks the rows: it then hangs until cancelled (killed)."""

    def __init__(self, *args: Any, die_at_batch: int | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.published = self.batches = 0
        self.die_at_batch = die_at_batch
        self.dying = asyncio.Event()

    async def publish_pending(self) -> int:
        count = await super().publish_pending()
        self.published += count
        self.batches += count > 0
        return count

    async def _mark_published(self, ids: list[Any]) -> None:
        if self.batches + 1 == self.die_at_batch:
            self.dying.set()
            await asyncio.Event().wait()
        await super()._mark_published(ids)


async def started(bootstrap: str, count: int) -> list[EventProducer]:
    producers = [EventProducer(bootstrap) for _ in range(count)]
    for producer in producers:
        await producer.start()
    return producers


async def test_two_replicas_publish_every_row_once_in_key_order_across_a_crash(
    mongo_db: Database, kafka_bootstrap: str, new_topic: Any
) -> None:
    topic = await new_topic(3)
    await fill(mongo_db, topic, range(ROWS))
    first, second = await started(kafka_bootstrap, 2)
    dying = Replica(mongo_db, first, batch=100, poll_s=0.05, lease_s=2, die_at_batch=5)
    standby = Replica(mongo_db, second, batch=100, poll_s=0.05, lease_s=2)
    try:
        killed = asyncio.create_task(dying.run())
        await eventually(dying.dying.is_set, timeout_s=30)  # it holds the lease and publishes
        survivor = asyncio.create_task(standby.run())
        killed.cancel()  # dies with 100 rows on Kafka that it never marked
        await asyncio.gather(killed, return_exceptions=True)
        await eventually(lambda: all_marked(mongo_db), timeout_s=60)
        standby.stop()
        await survivor
    finally:
        for producer in (first, second):
            await producer.stop()

    records = await everything_on(kafka_bootstrap, topic)
    ids = Counter(json.loads(r.value)["event_id"] for r in records)
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(ids) == ROWS
    assert dying.published == 400  # four batches marked, the fifth on Kafka but not marked
    assert standby.published == ROWS - 500  # found the fifth on Kafka and did not resend it
    for key, numbers in numbers_by_key(records).items():
        assert numbers == sorted(numbers), key


async def test_a_standby_publishes_nothing_while_the_holder_lives_and_takes_over_when_it_stops(
    mongo_db: Database, kafka_bootstrap: str, new_topic: Any
) -> None:
    topic = await new_topic()
    await fill(mongo_db, topic, range(100))
    first, second = await started(kafka_bootstrap, 2)
    try:
        holder = outbox.OutboxRelay(mongo_db, first, batch=50)
        standby = outbox.OutboxRelay(mongo_db, second, batch=50)
        assert await holder.publish_pending() == 50
        assert await standby.publish_pending() == 0  # the lease is the holder's for 10 s
        await holder.lease.release()  # what a graceful stop does
        assert await standby.publish_pending() == 50
        assert await holder.publish_pending() == 0
    finally:
        for producer in (first, second):
            await producer.stop()
    records = await everything_on(kafka_bootstrap, topic)
    assert len({json.loads(r.value)["event_id"] for r in records}) == len(records) == 100


class AckedThenFailed(EventProducer):
    """Sends the first batch, then reports a failure, as when an ack is lost on the way back."""

    failed = False

    async def publish_records(self, records: Any) -> None:
        await super().publish_records(records)
        if not self.failed:
            self.failed = True
            raise KafkaError("the broker's answer was lost")


async def test_after_a_failed_publish_the_relay_looks_on_kafka_before_sending_again(
    mongo_db: Database, kafka_bootstrap: str, new_topic: Any
) -> None:
    topic = await new_topic(3)
    await fill(mongo_db, topic, range(100))
    producer = AckedThenFailed(kafka_bootstrap)
    await producer.start()
    try:
        relay = outbox.OutboxRelay(mongo_db, producer, batch=100)
        with pytest.raises(KafkaError):
            await relay.publish_pending()
        assert await relay.publish_pending() == 0  # all found on Kafka and marked
        assert await all_marked(mongo_db)
    finally:
        await producer.stop()
    records = await everything_on(kafka_bootstrap, topic)
    assert len({json.loads(r.value)["event_id"] for r in records}) == len(records) == 100


class MarkFailsOnce(outbox.OutboxRelay):
    """MongoDB goes away between the broker's ack and the mark, once."""

    failed = False

    async def _mark_published(self, ids: list[Any]) -> None:
        if not self.failed:
            self.failed = True
            raise AutoReconnect("mongod went away")
        await super()._mark_published(ids)


async def test_when_marking_fails_after_the_ack_the_same_relay_looks_on_kafka_before_resending(
    mongo_db: Database, kafka_bootstrap: str, new_topic: Any
) -> None:
    topic = await new_topic(3)
    await fill(mongo_db, topic, range(100))
    (producer,) = await started(kafka_bootstrap, 1)
    try:
        relay = MarkFailsOnce(mongo_db, producer, batch=100)
        with pytest.raises(AutoReconnect):
            await relay.publish_pending()
        assert await relay.publish_pending() == 0  # all found on Kafka and marked
        assert await all_marked(mongo_db)
    finally:
        await producer.stop()
    records = await everything_on(kafka_bootstrap, topic)
    assert len({json.loads(r.value)["event_id"] for r in records}) == len(records) == 100


async def test_a_row_kafka_refuses_for_good_is_parked_and_its_neighbours_go_on(
    mongo_db: Database, kafka_bootstrap: str, new_topic: Any
) -> None:
    topic = await new_topic(1)
    await fill(mongo_db, topic, range(100))
    oversized = await mongo_db[outbox.COLLECTION].find().sort("seq").skip(4).limit(1).next()
    huge = json.loads(oversized["value"]) | {"padding": "x" * 2_000_000}
    await mongo_db[outbox.COLLECTION].update_one(
        {"_id": oversized["_id"]}, {"$set": {"value": json.dumps(huge).encode()}}
    )
    (producer,) = await started(kafka_bootstrap, 1)
    relay = outbox.OutboxRelay(mongo_db, producer, poll_s=0.05, measure_every_s=0.05)
    relaying = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: all_marked(mongo_db), timeout_s=30)
        await eventually(lambda: metric("rapport_outbox_parked_rows", database=mongo_db.name) == 1)
    finally:
        relay.stop()
        await relaying
        await producer.stop()
    parked = await mongo_db[outbox.COLLECTION].find_one({"_id": oversized["_id"]})
    assert parked is not None
    assert parked["published_at"] is None
    assert parked["parked_error"].endswith("MessageSizeTooLargeError")
    records = await everything_on(kafka_bootstrap, topic)
    ids = [json.loads(r.value)["event_id"] for r in records]
    assert len(ids) == len(set(ids)) == 99
    assert oversized["_id"] not in ids
