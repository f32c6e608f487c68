"""The Kafka broker killed and restarted: a publishing worker waits for it (degraded, alive),
a consumer resumes, and every record is handled.

The broker is the test's own (a single KRaft node on a spare port), killed with SIGKILL and
restarted on the same data directory.
"""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from rapport.events import Event, MentionIngested
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.retry import RetryPolicy
from rapport.testing import eventually, example_mention, topic_size, unique
from rapport.topics import Topic, dead_letter_topic
from rapport.workers import Poller, Workers

REPO = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO / "deploy" / "local"))
from local_kafka import start_kafka  # noqa: E402
from local_procs import wait_port  # noqa: E402

pytestmark = pytest.mark.integration
PORT = 19092 + int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0")) + 50
BATCH = 20


class Broker:
    """A Kafka broker this test may kill and restart."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pid: int | None = None
        self.bootstrap = f"127.0.0.1:{PORT}"

    def start(self) -> None:
        log_path = self.root / "kafka.log"
        self.pid = start_kafka(
            lib_dir=REPO / ".state" / "kafka-lib",
            kafka_dir=self.root,
            port=PORT,
            controller_port=PORT + 1,
            log_path=log_path,
            pid_path=self.root / "kafka.pid",
        )
        wait_port(PORT, 120, what="kafka", pid=self.pid, log_path=log_path)

    def kill(self) -> None:
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.pid = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    server = Broker(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.pid is not None:
            server.kill()


@pytest.fixture
async def producer(broker: Broker) -> AsyncIterator[EventProducer]:
    producer = EventProducer(broker.bootstrap)
    await eventually(lambda: started(producer), timeout_s=60)
    yield producer
    await producer.stop()


async def started(producer: EventProducer) -> bool:
    try:
        await producer.start()
    except Exception:  # the broker is still starting
        return False
    return True


class Publisher(Poller):
    """Publishes what is queued, like an outbox relay."""

    def __init__(self, producer: EventProducer, topic: str) -> None:
        super().__init__(0.05, backoff=RetryPolicy(first_delay_s=0.05, max_delay_s=1.0))
        self.producer = producer
        self.topic = topic
        self.queue: list[Event] = []

    async def step(self) -> bool:
        if not self.queue:
            return False
        await self.producer.publish_all([(self.topic, "k", e) for e in self.queue[:BATCH]])
        del self.queue[:BATCH]
        return bool(self.queue)


def mention(n: int) -> MentionIngested:
    return example_mention(f"k{n}")


async def test_workers_wait_out_a_broker_outage_and_handle_every_record(
    broker: Broker, producer: EventProducer
) -> None:
    name, group = unique("outage"), unique("group")
    dlq = dead_letter_topic(name, group)
    await ensure_topics(broker.bootstrap, [(name, 1, 3_600_000), (dlq, 1, 3_600_000)])
    topic = Topic(name, "test", "k", 1, 3_600_000, (MentionIngested,), ("test",), ())
    handled: set[str] = set()

    async def handle(event: Event) -> None:
        handled.add(str(event.event_id))

    workers = Workers()
    publisher = Publisher(producer, name)
    loop = ConsumerLoop(
        bootstrap=broker.bootstrap, group=group, topics=[topic], handle=handle, producer=producer
    )
    workers.start("publisher", publisher.run(), stop=publisher.stop)
    workers.start("consumer", loop.run(), stop=loop.stop)
    try:
        publisher.queue.extend(mention(n) for n in range(BATCH))
        publisher.wake()
        await eventually(lambda: len(handled) == BATCH, timeout_s=60)

        broker.kill()
        publisher.queue.extend(mention(n) for n in range(BATCH, 2 * BATCH))
        publisher.wake()
        await eventually(lambda: "publisher" in workers.waiting, timeout_s=30)
        assert workers.waiting["publisher"].dependency == "Kafka"
        assert workers.healthy

        await asyncio.to_thread(broker.start)
        expected = {str(mention(n).event_id) for n in range(2 * BATCH)}
        await eventually(lambda: handled == expected, timeout_s=120)
        await eventually(lambda: not workers.degraded, timeout_s=30)
        assert workers.failures == {}
        assert await topic_size(broker.bootstrap, dlq) == 0
    finally:
        await workers.stop()
