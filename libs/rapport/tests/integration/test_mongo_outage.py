"""MongoDB killed and restarted under load: consumers and workers wait, lose nothing, resume.

A mongod of the test's own (a single-member replica set on a spare port) is killed with
SIGKILL and restarted on the same data directory, as a crashed database comes back.
"""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from rapport.events import Event, MentionIngested
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.retry import RetryPolicy
from rapport.testing import eventually, example_mention, topic_size, unique
from rapport.topics import Topic, dead_letter_topic
from rapport.workers import Poller, Workers

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "deploy" / "local"))
from local_mongo import ensure_primary, start_mongod

pytestmark = pytest.mark.integration
PORT = 27117 + int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0")) + 50
OUTAGE_S = 20.0
MENTIONS = 300


class Mongod:
    """A mongod this test may kill and restart."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pid: int | None = None
        self.url = f"mongodb://127.0.0.1:{PORT}/?replicaSet=rapport"

    def start(self) -> None:
        log_path = self.root / "mongod.log"
        self.pid = start_mongod(
            mongo_dir=self.root, port=PORT, log_path=log_path, pid_path=self.root / "mongod.pid"
        )
        ensure_primary(PORT, 60, log_path=log_path)

    def kill(self) -> None:
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.pid = None


@pytest.fixture
def mongod(tmp_path: Path) -> Iterator[Mongod]:
    server = Mongod(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.pid is not None:
            server.kill()


@pytest.fixture
async def db(mongod: Mongod) -> AsyncIterator[Database]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongod.url, tz_aware=True, uuidRepresentation="standard", serverSelectionTimeoutMS=2000
    )
    try:
        yield client["outage"]
    finally:
        await client.close()


async def outage(mongod: Mongod, seconds: float) -> None:
    """Kill mongod, keep it down ``seconds``, restart it (off the event loop)."""
    mongod.kill()
    await asyncio.sleep(seconds)  # the length of the outage, not a wait for anything
    await asyncio.to_thread(mongod.start)


def mention(n: int) -> MentionIngested:
    return example_mention(f"load{n}")


async def apply_once(db: Database, event: Event) -> None:
    """The effect of one event, idempotent the way the services make it: a marker keyed by the
    event id in the same transaction. (Without ``with_transaction``, which would itself retry
    for up to two minutes: here every error reaches the loop.)"""
    try:
        async with db.client.start_session() as session, await session.start_transaction():
            await db.applied.insert_one({"_id": str(event.event_id)}, session=session)
            await db.totals.update_one(
                {"_id": "mentions"}, {"$inc": {"n": 1}}, upsert=True, session=session
            )
    except DuplicateKeyError:
        return


async def total(db: Database) -> int:
    doc = await db.totals.find_one({"_id": "mentions"})
    return int(doc["n"]) if doc else 0


async def test_a_consumer_waits_out_a_mongodb_outage_and_loses_nothing(
    kafka_bootstrap: str, mongod: Mongod, db: Database
) -> None:
    name = unique("outage")
    group = unique("group")
    dlq = dead_letter_topic(name, group)
    await ensure_topics(kafka_bootstrap, [(name, 3, 3_600_000), (dlq, 1, 3_600_000)])
    topic = Topic(name, "test", "author", 3, 3_600_000, (MentionIngested,), ("test",), ())
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    workers = Workers()
    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=lambda event: apply_once(db, event),
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.05, max_delay_s=1.0),
    )
    try:
        workers.start(f"consumer:{group}", loop.run(), stop=loop.stop)

        async def produce(numbers: range) -> None:
            for n in numbers:
                await producer.publish(name, f"author{n % 17}", mention(n))

        third = MENTIONS // 3
        await produce(range(third))
        await eventually(lambda: total(db))  # consuming
        down = asyncio.create_task(outage(mongod, OUTAGE_S))
        await produce(range(third, 2 * third))
        await eventually(lambda: workers.degraded, timeout_s=OUTAGE_S)
        assert workers.healthy
        assert workers.waiting[f"consumer:{group}"].dependency == "MongoDB"
        await down
        await produce(range(2 * third, MENTIONS))

        async def all_applied() -> bool:
            return await total(db) == MENTIONS

        await eventually(all_applied, timeout_s=90)
        await eventually(lambda: not workers.degraded)
        assert await db.applied.count_documents({}) == MENTIONS
        assert workers.failures == {}
        assert await topic_size(kafka_bootstrap, dlq) == 0
    finally:
        await workers.stop()
        await producer.stop()


class Counter(Poller):
    """A worker that counts its steps in MongoDB."""

    def __init__(self, db: Database) -> None:
        super().__init__(0.05, backoff=RetryPolicy(first_delay_s=0.05, max_delay_s=1.0))
        self.db = db

    async def step(self) -> bool:
        await self.db.ticks.update_one({"_id": "ticks"}, {"$inc": {"n": 1}}, upsert=True)
        return False


async def test_a_poller_keeps_running_through_a_mongodb_outage(
    mongod: Mongod, db: Database
) -> None:
    workers = Workers()
    counter = Counter(db)
    workers.start("ticker", counter.run(), stop=counter.stop)

    async def ticks() -> int:
        doc = await db.ticks.find_one({"_id": "ticks"})
        return int(doc["n"]) if doc else 0

    try:
        await eventually(ticks)
        down = asyncio.create_task(outage(mongod, OUTAGE_S / 2))
        await eventually(lambda: workers.degraded, timeout_s=OUTAGE_S)
        assert workers.healthy
        assert workers.waiting["ticker"].dependency == "MongoDB"
        await down
        before = await ticks()
        await eventually(lambda: not workers.degraded, timeout_s=30)

        async def ticking() -> bool:
            return await ticks() > before

        await eventually(ticking)
        assert workers.failures == {}
    finally:
        await workers.stop()
