"""Enrichment throughput: MentionIngested in, profile updated and MentionEnriched out, per second.

    RAPPORT_TEST_PORT_OFFSET=100 .venv/bin/python services/profiles/benchmarks/enrich.py \
        [--mentions 3000] [--authors 300] [--lanes 1,6] [--kafka]

Runs the real handler against the test stack's MongoDB (a throwaway database), one lane per
partition the consumer would own: each lane handles its mentions one after another, as the
consumer loop does. Without --kafka the publish step is a no-op, so the number is profiles'
own work (the transaction); with --kafka it also waits for the broker's acks, publishing to
fresh topics of its own (six partitions), never to the platform's.
"""

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import Sequence

from pymongo import AsyncMongoClient

from profiles.domain.rules import Rules
from profiles.handlers import on_mention_ingested
from profiles.repository import INDEXES, MongoProfiles
from rapport.events import Event, MentionIngested, utcnow
from rapport.events.factories import a_mention
from rapport.kafka.admin import ensure_topics
from rapport.kafka.producer import EventProducer, Publish
from rapport.mongo import ensure_indexes

OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
MONGO = f"mongodb://127.0.0.1:{27117 + OFFSET}/?replicaSet=rapport"
KAFKA = f"127.0.0.1:{19092 + OFFSET}"
PUBLISHED = ("social.mentions.enriched", "crm.profiles")


async def no_publish(messages: Sequence[tuple[str, str, Event]]) -> None:
    return None


def mentions(count: int, authors: int, run: str) -> list[MentionIngested]:
    return [
        MentionIngested.of(
            a_mention(
                n,
                author=f"{run}-{n % authors}",
                score=(n % 7 - 3) / 3,
                external_id=f"{run}-{n}",
                text=f"bench mention {n} about the machine and the coffee",
            )
        )
        for n in range(count)
    ]


async def own_topics(producer: EventProducer) -> Publish:
    """Publish to ``bench-<run>-<topic>`` instead of the platform's topics."""
    run = uuid.uuid4().hex[:6]
    await ensure_topics(KAFKA, [(f"bench-{run}-{t}", 6, 3_600_000) for t in PUBLISHED])

    async def publish(messages: Sequence[tuple[str, str, Event]]) -> None:
        await producer.publish_all([(f"bench-{run}-{t}", k, e) for t, k, e in messages])

    return publish


async def measure(events: list[MentionIngested], lanes: int, publish: Publish) -> float:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard"
    )
    name = f"bench_{uuid.uuid4().hex[:8]}"
    db = client[name]
    try:
        await ensure_indexes(db, INDEXES)
        profiles = MongoProfiles(db)
        rules = Rules()
        by_lane: list[list[MentionIngested]] = [[] for _ in range(lanes)]
        for event in events:  # one author's mentions stay in one lane, in order
            by_lane[hash(event.payload.author_key) % lanes].append(event)

        async def lane(todo: list[MentionIngested]) -> None:
            for event in todo:
                await on_mention_ingested(
                    event, profiles=profiles, publish=publish, rules=rules, clock=utcnow
                )

        started = time.perf_counter()
        await asyncio.gather(*(lane(todo) for todo in by_lane))
        return len(events) / (time.perf_counter() - started)
    finally:
        await client.drop_database(name)
        await client.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=3000)
    parser.add_argument("--authors", type=int, default=300)
    parser.add_argument("--lanes", default="1,6")
    parser.add_argument("--kafka", action="store_true")
    args = parser.parse_args()
    producer = EventProducer(KAFKA, client_id="bench-profiles") if args.kafka else None
    publish: Publish = no_publish
    if producer:
        await producer.start()
        publish = await own_topics(producer)
    try:
        for lanes in (int(n) for n in args.lanes.split(",")):
            events = mentions(args.mentions, args.authors, uuid.uuid4().hex[:6])
            rate = await measure(events, lanes, publish)
            where = "MongoDB + Kafka acks" if producer else "MongoDB, no publish"
            print(f"{args.mentions} mentions, {args.authors} authors, {lanes} lane(s), {where}:")
            print(f"  {rate:,.0f} mentions/s")
    finally:
        if producer:
            await producer.stop()


if __name__ == "__main__":
    asyncio.run(main())
