"""The consumer loop runs a batch's keys concurrently against the real broker and MongoDB:
each key's order is kept, a failing record holds back or dead-letters only itself; a batch
handler gets many events per call, and a batch that fails is rolled back and redone record
by record."""

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo.errors import ServerSelectionTimeoutError

from rapport.events import Event, MentionIngested
from rapport.events.codec import decode, encode
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.retry import RetryPolicy
from rapport.testing import eventually, example_mention, read_topic, unique
from rapport.topics import Topic, dead_letter_topic

pytestmark = pytest.mark.integration
NewTopic = Callable[..., Awaitable[str]]


def mention(n: int) -> MentionIngested:
    return example_mention(f"lane{n}")


async def topic_of(new_topic: NewTopic, partitions: int) -> Topic:
    name = await new_topic(partitions)
    return Topic(name, "test", "author", partitions, 3_600_000, (MentionIngested,), ("test",), ())


async def group_for(kafka_bootstrap: str, topic: Topic) -> str:
    group = unique("group")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(topic.name, group), 1, 3_600_000)])
    return group


def loop_for(
    kafka_bootstrap: str,
    topic: Topic,
    group: str,
    producer: EventProducer,
    handle: Any,
    commit_every_s: float = 0.1,
    batch_handlers: Any = None,
) -> ConsumerLoop:
    return ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=handle,
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.05),
        commit_every_s=commit_every_s,
        batch_handlers=batch_handlers,
    )


async def committed(kafka_bootstrap: str, topic: str, group: str, partition: int) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group)
    await consumer.start()
    try:
        offset: int | None = await consumer.committed(TopicPartition(topic, partition))
        return offset
    finally:
        await consumer.stop()


async def publish_keyed(
    producer: EventProducer, topic: Topic, count: int
) -> tuple[dict[str, list[object]], dict[object, str]]:
    """``count`` mentions over 40 keys: each key's event ids in order sent, and each id's key."""
    keys = [f"author-{k}" for k in range(40)]
    sent: dict[str, list[object]] = defaultdict(list)
    key_of: dict[object, str] = {}
    messages = []
    for n in range(count):
        key, event = keys[n % len(keys)], mention(n)
        sent[key].append(event.event_id)
        key_of[event.event_id] = key
        messages.append((topic.name, key, event))
    await producer.publish_all(messages)
    return sent, key_of


@pytest.fixture
async def raw_producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    """A producer that writes to the partition a test names."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    yield producer
    await producer.stop()


async def test_each_keys_order_is_kept_while_keys_run_concurrently(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer
) -> None:
    topic = await topic_of(new_topic, 3)
    group = await group_for(kafka_bootstrap, topic)
    sent, key_of = await publish_keyed(producer, topic, 200)
    seen: dict[str, list[object]] = defaultdict(list)
    running = 0
    most_at_once = 0

    async def slow_and_uneven(event: Event) -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        await asyncio.sleep(random.uniform(0, 0.01))  # simulated work of uneven length
        seen[key_of[event.event_id]].append(event.event_id)
        running -= 1

    loop = loop_for(kafka_bootstrap, topic, group, producer, slow_and_uneven)
    task = asyncio.create_task(loop.run())
    await eventually(lambda: sum(map(len, seen.values())) == 200)
    loop.stop()
    await task

    assert seen == sent
    assert most_at_once > 1


async def test_a_failing_record_dead_letters_alone_and_its_neighbours_apply_once(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer, mongo_db: Database
) -> None:
    topic = await topic_of(new_topic, 2)
    group = await group_for(kafka_bootstrap, topic)
    events = [mention(n) for n in range(12)]
    bad = events[5]
    await producer.publish_all([(topic.name, f"k{n % 4}", e) for n, e in enumerate(events)])

    async def count_effect(event: Event) -> None:
        if event.event_id == bad.event_id:
            raise ValueError("no profile")
        key = {"_id": str(event.event_id)}
        await mongo_db.effects.update_one(key, {"$inc": {"applied": 1}}, upsert=True)

    async def applied(count: int) -> bool:
        return await mongo_db.effects.count_documents({}) == count

    loop = loop_for(kafka_bootstrap, topic, group, producer, count_effect)
    task = asyncio.create_task(loop.run())
    await eventually(lambda: applied(11))
    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(topic.name, group), until=lambda r: len(r) >= 1
    )
    loop.stop()
    await task

    # A second run of the group gets only what came after: nothing is applied twice.
    marker = mention(99)
    await producer.publish(topic.name, "k0", marker)
    loop = loop_for(kafka_bootstrap, topic, group, producer, count_effect)
    task = asyncio.create_task(loop.run())
    await eventually(lambda: applied(12))
    loop.stop()
    await task

    assert len(dead) == 1
    assert decode(dead[0].value, topic.events).event_id == bad.event_id
    counts = [doc["applied"] async for doc in mongo_db.effects.find({})]
    assert counts == [1] * 12
    assert await mongo_db.effects.count_documents({"_id": str(bad.event_id)}) == 0


async def test_a_lane_waiting_for_an_outage_holds_back_only_its_partitions_commit(
    kafka_bootstrap: str,
    new_topic: NewTopic,
    producer: EventProducer,
    raw_producer: AIOKafkaProducer,
) -> None:
    topic = await topic_of(new_topic, 2)
    group = await group_for(kafka_bootstrap, topic)
    a1, b1, a2, b2, c1, c2 = (mention(n) for n in range(6))
    layout = [(0, "a", a1), (0, "b", b1), (0, "a", a2), (0, "b", b2), (1, "c", c1), (1, "c", c2)]
    for partition, key, event in layout:
        await raw_producer.send_and_wait(
            topic.name, encode(event), key=key.encode(), partition=partition
        )
    handled: list[object] = []
    mongo_away_for_b1 = True

    async def flaky(event: Event) -> None:
        if mongo_away_for_b1 and event.event_id == b1.event_id:
            raise ServerSelectionTimeoutError("no primary")
        handled.append(event.event_id)

    async def commits_are(p0: int, p1: int) -> bool:
        return (
            await committed(kafka_bootstrap, topic.name, group, 0),
            await committed(kafka_bootstrap, topic.name, group, 1),
        ) == (p0, p1)

    loop = loop_for(kafka_bootstrap, topic, group, producer, flaky)
    task = asyncio.create_task(loop.run())
    await eventually(lambda: len(handled) == 4)
    await eventually(lambda: commits_are(1, 2))  # while b1 still waits
    assert sorted(map(str, handled)) == sorted(
        map(str, [a1.event_id, a2.event_id, c1.event_id, c2.event_id])
    )
    assert loop.outage.current is not None
    loop.stop()
    await task
    assert await commits_are(1, 2)

    mongo_away_for_b1 = False
    handled.clear()
    loop = loop_for(kafka_bootstrap, topic, group, producer, flaky)
    task = asyncio.create_task(loop.run())
    await eventually(lambda: b2.event_id in handled)
    await eventually(lambda: commits_are(4, 2))
    loop.stop()
    await task
    assert sorted(map(str, handled)) == sorted(map(str, [b1.event_id, a2.event_id, b2.event_id]))
    assert handled.index(b1.event_id) < handled.index(b2.event_id)


async def test_a_member_losing_partitions_mid_batch_commits_what_it_finished(
    kafka_bootstrap: str,
    new_topic: NewTopic,
    producer: EventProducer,
    raw_producer: AIOKafkaProducer,
) -> None:
    topic = await topic_of(new_topic, 2)
    group = await group_for(kafka_bootstrap, topic)
    x1, y1 = mention(1), mention(2)
    await raw_producer.send_and_wait(topic.name, encode(x1), key=b"x", partition=0)
    await raw_producer.send_and_wait(topic.name, encode(y1), key=b"y", partition=1)
    slow_work_done = asyncio.Event()
    handled: list[object] = []

    async def slow_on_x1(event: Event) -> None:
        if event.event_id == x1.event_id:
            await slow_work_done.wait()
        handled.append(event.event_id)

    def member() -> ConsumerLoop:
        # Only a revocation can commit during the batch.
        return loop_for(kafka_bootstrap, topic, group, producer, slow_on_x1, commit_every_s=600)

    first, second = member(), member()
    first_task = asyncio.create_task(first.run())
    await eventually(lambda: y1.event_id in handled)
    assert await committed(kafka_bootstrap, topic.name, group, 1) is None
    second_task = asyncio.create_task(second.run())  # the group rebalances
    await eventually(
        lambda: committed(kafka_bootstrap, topic.name, group, 1), timeout_s=60, interval_s=0.5
    )
    assert await committed(kafka_bootstrap, topic.name, group, 1) == 1
    assert await committed(kafka_bootstrap, topic.name, group, 0) is None
    slow_work_done.set()
    await eventually(lambda: committed(kafka_bootstrap, topic.name, group, 0), timeout_s=60)
    first.stop()
    second.stop()
    await asyncio.gather(first_task, second_task)
    assert handled.count(y1.event_id) == 1


async def test_a_batch_handler_gets_many_events_per_call_each_keys_in_order(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer
) -> None:
    topic = await topic_of(new_topic, 3)
    group = await group_for(kafka_bootstrap, topic)
    sent, key_of = await publish_keyed(producer, topic, 300)
    seen: dict[str, list[object]] = defaultdict(list)
    calls: list[int] = []
    one_by_one: list[Event] = []

    async def in_batches(events: list[Event]) -> None:
        calls.append(len(events))
        for event in events:
            seen[key_of[event.event_id]].append(event.event_id)

    async def single(event: Event) -> None:
        one_by_one.append(event)

    loop = loop_for(
        kafka_bootstrap,
        topic,
        group,
        producer,
        single,
        batch_handlers={MentionIngested: in_batches},
    )
    task = asyncio.create_task(loop.run())
    await eventually(lambda: sum(map(len, seen.values())) == 300)
    loop.stop()
    await task

    assert seen == sent
    assert max(calls) > 1
    assert one_by_one == []


async def test_a_batch_with_a_bad_record_is_rolled_back_and_redone_one_by_one(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer, mongo_db: Database
) -> None:
    topic = await topic_of(new_topic, 2)
    group = await group_for(kafka_bootstrap, topic)
    events = [mention(n) for n in range(12)]
    bad = events[5]
    await producer.publish_all([(topic.name, f"k{n % 4}", e) for n, e in enumerate(events)])
    batch_calls = 0

    async def apply(event: Event, session: Any = None) -> None:
        if event.event_id == bad.event_id:
            raise ValueError("no profile")
        key = {"_id": str(event.event_id)}
        await mongo_db.effects.update_one(
            key, {"$inc": {"applied": 1}}, upsert=True, session=session
        )

    async def in_one_transaction(batch: list[Event]) -> None:
        nonlocal batch_calls
        batch_calls += 1

        async def work(session: Any) -> None:
            for event in batch:
                await apply(event, session)

        async with mongo_db.client.start_session() as session:
            await session.with_transaction(work)

    async def applied(count: int) -> bool:
        return await mongo_db.effects.count_documents({}) == count

    loop = loop_for(
        kafka_bootstrap,
        topic,
        group,
        producer,
        apply,
        batch_handlers={MentionIngested: in_one_transaction},
    )
    task = asyncio.create_task(loop.run())
    await eventually(lambda: applied(11))
    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(topic.name, group), until=lambda r: len(r) >= 1
    )
    loop.stop()
    await task

    assert batch_calls >= 1
    assert len(dead) == 1
    assert decode(dead[0].value, topic.events).event_id == bad.event_id
    counts = [doc["applied"] async for doc in mongo_db.effects.find({})]
    assert counts == [1] * 11


async def test_a_batch_waiting_for_an_outage_is_retried_whole(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer
) -> None:
    topic = await topic_of(new_topic, 1)
    group = await group_for(kafka_bootstrap, topic)
    events = [mention(n) for n in range(20)]
    await producer.publish_all([(topic.name, f"k{n % 5}", e) for n, e in enumerate(events)])
    outages = 1
    handled: list[object] = []
    one_by_one: list[Event] = []

    async def in_batches(batch: list[Event]) -> None:
        nonlocal outages
        if outages:
            outages -= 1
            raise ServerSelectionTimeoutError("no primary")
        handled.extend(event.event_id for event in batch)

    async def single(event: Event) -> None:
        one_by_one.append(event)

    loop = loop_for(
        kafka_bootstrap,
        topic,
        group,
        producer,
        single,
        batch_handlers={MentionIngested: in_batches},
    )
    task = asyncio.create_task(loop.run())
    await eventually(lambda: len(handled) == 20)
    loop.stop()
    await task

    assert sorted(map(str, handled)) == sorted(str(e.event_id) for e in events)
    assert one_by_one == []
    assert outages == 0
