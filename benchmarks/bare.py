"""The ceiling: a bare aiokafka pass-through over four hops, topic0 → topic1 → … → topic4.

Each hop is a consumer group that takes up to 500 records, sends them all to the next topic
through an idempotent acks=all producer, awaits the acks and commits once: the same
at-least-once shape as Rapport's consumers, with no work in between. Rate = messages / time
from the first produce to the last hop's commit covering all of them.

The stored variant (``mongo_url`` given) also writes each batch to MongoDB before sending it on:
one transaction per batch upserting one small document per record, keyed by the record's
position so a redelivery rewrites it. That is the least a hop that keeps state must do, so it is
the ceiling for a pipeline of services that each persist what they consume.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import ConsumerRecord
from pymongo import AsyncMongoClient, UpdateOne

from rapport.testing import eventually

HOPS = 4
PARTITIONS = 6


def producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")


Store = Callable[[Sequence[ConsumerRecord[bytes, bytes]]], Awaitable[None]]


def mongo_store(mongo: AsyncMongoClient[dict[str, Any]], collection: str) -> Store:
    """One transaction per batch, one upsert per record (keyed by topic, partition, offset)."""
    table = mongo["rapport_bench"][collection]

    async def store(records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        writes = [
            UpdateOne(
                {"_id": f"{r.topic}:{r.partition}:{r.offset}"},
                {"$set": {"key": r.key, "size": len(r.value or b"")}},
                upsert=True,
            )
            for r in records
        ]
        async with mongo.start_session() as session, await session.start_transaction():
            await table.bulk_write(writes, ordered=False, session=session)

    return store


async def hop(
    bootstrap: str,
    source: str,
    target: str,
    group: str,
    ready: asyncio.Event,
    done: list[int],
    store: Store | None = None,
) -> None:
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    out = producer(bootstrap)
    await out.start()
    await consumer.start()
    try:
        await eventually(consumer.assignment, timeout_s=60)
        ready.set()
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            if store is not None and batches:
                await store([record for records in batches.values() for record in records])
            sent = [
                await out.send(target, record.value, key=record.key)
                for records in batches.values()
                for record in records
            ]
            await asyncio.gather(*sent)
            if sent:
                await consumer.commit()
                done.append(len(sent))
    finally:
        await consumer.stop()
        await out.stop()


async def bare_4hop_per_s(
    bootstrap: str, messages: int, keys: int = 1000, mongo_url: str | None = None
) -> float:
    run = uuid.uuid4().hex[:8]
    mongo: AsyncMongoClient[dict[str, Any]] | None = (
        AsyncMongoClient(mongo_url) if mongo_url else None
    )
    topics = [f"bench.{run}.topic{i}" for i in range(HOPS + 1)]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics])
    finally:
        await admin.close()
    readies = [asyncio.Event() for _ in range(HOPS)]
    committed: list[list[int]] = [[] for _ in range(HOPS)]
    hops = [
        asyncio.create_task(
            hop(
                bootstrap,
                topics[i],
                topics[i + 1],
                f"bench.{run}.hop{i}",
                readies[i],
                committed[i],
                mongo_store(mongo, f"{run}.hop{i}") if mongo else None,
            )
        )
        for i in range(HOPS)
    ]
    try:
        for ready in readies:
            await asyncio.wait_for(ready.wait(), 90)
        payload = b"x" * 1000
        source = producer(bootstrap)
        await source.start()
        try:
            started = time.perf_counter()
            sent = [
                await source.send(topics[0], payload, key=f"key-{i % keys}".encode())
                for i in range(messages)
            ]
            await asyncio.gather(*sent)
        finally:
            await source.stop()
        await eventually(lambda: sum(committed[-1]) >= messages, timeout_s=600, interval_s=0.01)
        return messages / (time.perf_counter() - started)
    finally:
        for task in hops:
            task.cancel()
        await asyncio.gather(*hops, return_exceptions=True)
        if mongo:
            await mongo.drop_database("rapport_bench")
            await mongo.close()
