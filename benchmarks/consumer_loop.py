"""Consumer-loop throughput: 5,000 records over 6 partitions and 500 keys, each handled by one
MongoDB upsert keyed by its event id, one key at a time (concurrency=1) vs concurrent lanes.

Runs against the test profile's Kafka and MongoDB (``deploy/local/stack.py up --profile test
--infra-only``; RAPPORT_TEST_PORT_OFFSET, RAPPORT_TEST_KAFKA and RAPPORT_TEST_MONGO as for the
tests). The clock runs from the first record handled to the last, so joining the group is not
counted.
"""

import argparse
import asyncio
import os
import time

from pymongo import AsyncMongoClient

from rapport.events import Event, MentionIngested
from rapport.events.examples import examples
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.testing import unique
from rapport.topics import Topic, dead_letter_topic

OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
KAFKA = os.environ.get("RAPPORT_TEST_KAFKA", f"127.0.0.1:{19092 + OFFSET}")
MONGO = os.environ.get(
    "RAPPORT_TEST_MONGO", f"mongodb://127.0.0.1:{27117 + OFFSET}/?replicaSet=rapport"
)
RECORDS, PARTITIONS, KEYS = 5_000, 6, 500


async def fill(producer: EventProducer) -> Topic:
    name = unique("bench-consumer")
    await ensure_topics(KAFKA, [(name, PARTITIONS, 3_600_000)])
    base = examples()[0]
    assert isinstance(base, MentionIngested)
    messages = [
        (name, f"author-{n % KEYS}", MentionIngested.of(
            base.payload.model_copy(update={"external_id": f"bench{n}"})
        ))
        for n in range(RECORDS)
    ]  # fmt: skip
    for start in range(0, RECORDS, 500):
        await producer.publish_all(messages[start : start + 500])
    return Topic(name, "bench", "author", PARTITIONS, 3_600_000, (MentionIngested,), ("b",), ())


async def drain(
    topic: Topic, producer: EventProducer, db: Database, concurrency: int
) -> tuple[float, float]:
    """Records/s through a fresh group whose handler upserts one document per event, and this
    process's CPU milliseconds per record meanwhile."""
    group = unique("bench-group")
    await ensure_topics(KAFKA, [(dead_letter_topic(topic.name, group), 1, 3_600_000)])
    effects = db[f"effects_{concurrency}"]
    handled = 0
    first = last = cpu_first = cpu_last = 0.0
    all_done = asyncio.Event()

    async def upsert(event: Event) -> None:
        nonlocal handled, first, last, cpu_first, cpu_last
        first = first or time.perf_counter()
        cpu_first = cpu_first or time.process_time()
        key = {"_id": str(event.event_id)}
        await effects.update_one(key, {"$set": {"seen": True}}, upsert=True)
        handled += 1
        if handled == RECORDS:
            last, cpu_last = time.perf_counter(), time.process_time()
            all_done.set()

    loop = ConsumerLoop(
        bootstrap=KAFKA, group=group, topics=[topic], handle=upsert, producer=producer,
        concurrency=concurrency,
    )  # fmt: skip
    task = asyncio.create_task(loop.run())
    await asyncio.wait_for(all_done.wait(), timeout=600)
    loop.stop()
    await task
    assert await effects.count_documents({}) == RECORDS
    return RECORDS / (last - first), 1000 * (cpu_last - cpu_first) / RECORDS


async def main(concurrencies: list[int]) -> None:
    producer = EventProducer(KAFKA)
    await producer.start()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard"
    )
    name = unique("bench").replace("-", "_")
    try:
        topic = await fill(producer)
        print(f"Consumer loop, {RECORDS:,} records, {PARTITIONS} partitions, {KEYS} keys,")
        print("one MongoDB upsert per record:")
        for concurrency in concurrencies:
            rate, cpu_ms = await drain(topic, producer, client[name], concurrency)
            print(
                f"  concurrency={concurrency:<3} {rate:8,.0f} records/s"
                f"  ({cpu_ms:.2f} ms of this process's CPU per record)"
            )
    finally:
        await client.drop_database(name)
        await client.close()
        await producer.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    asyncio.run(main(parser.parse_args().concurrency))
