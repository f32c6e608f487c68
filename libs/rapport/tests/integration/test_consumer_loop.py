"""The consumer loop against the real broker: dead letters, retries, commits, traces; no record
stops it."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo.errors import ServerSelectionTimeoutError

from rapport.clock import utcnow
from rapport.events import Event, MentionIngested
from rapport.events.codec import decode
from rapport.kafka import dlq_headers
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.dlq_limit import DlqLimit, DlqLimitExceeded
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.retry import RetryPolicy
from rapport.settings import RapportSettings
from rapport.telemetry import tracer, tracer_provider
from rapport.testing import (
    eventually,
    example_mention,
    read_topic,
    topic_size,
    tracer_provider_set,
    unique,
)
from rapport.topics import Topic, dead_letter_topic

pytestmark = pytest.mark.integration
NewTopic = Callable[..., Awaitable[str]]


def mention(n: int) -> MentionIngested:
    return example_mention(f"m{n}")


@pytest.fixture
async def topic(kafka_bootstrap: str, new_topic: NewTopic) -> Topic:
    name = await new_topic()
    return Topic(name, "test", "author", 1, 3_600_000, (MentionIngested,), ("test",), ())


async def group_with_dlq(kafka_bootstrap: str, topic: Topic) -> str:
    group = unique("group")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(topic.name, group), 1, 3_600_000)])
    return group


def loop_for(
    kafka_bootstrap: str,
    topic: Topic,
    group: str,
    producer: EventProducer,
    handle: Callable[[Event], Awaitable[None]],
    attempts: int = 3,
    dlq_limit: DlqLimit | None = None,
) -> ConsumerLoop:
    return ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=handle,
        producer=producer,
        retry=RetryPolicy(attempts=attempts, first_delay_s=0.01, max_delay_s=0.02),
        dlq_limit=dlq_limit,
    )


class Recorder:
    """A handler that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)


async def run_until(loop: ConsumerLoop, condition: Callable[[], bool]) -> None:
    """Run ``loop`` until ``condition`` holds (bounded), then stop it gracefully."""
    task = asyncio.create_task(loop.run())
    await eventually(condition)
    loop.stop()
    await task


async def committed(kafka_bootstrap: str, topic: str, group: str) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group)
    await consumer.start()
    try:
        offset: int | None = await consumer.committed(TopicPartition(topic, 0))
        return offset
    finally:
        await consumer.stop()


async def test_undecodable_message_is_dead_lettered_and_the_next_one_handled(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    await producer.send_headers(topic.name, b"k", b"{not an event", [("h", b"1")])
    await producer.publish(topic.name, "k", mention(1))
    handle = Recorder()

    loop = loop_for(kafka_bootstrap, topic, group, producer, handle)
    await run_until(loop, lambda: bool(handle.events))

    assert [e.event_id for e in handle.events] == [mention(1).event_id]
    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(topic.name, group), until=lambda r: len(r) >= 1
    )
    headers = dict(dead[0].headers)
    assert dead[0].value == b"{not an event"
    assert headers["dlq.original.topic"] == topic.name.encode()
    assert headers["dlq.original.partition"] == b"0"
    assert headers["dlq.original.offset"] == b"0"
    assert headers["dlq.group"] == group.encode()
    assert b"json" in headers["dlq.reason"].lower()
    assert headers["h"] == b"1"
    assert await committed(kafka_bootstrap, topic.name, group) == 2


async def dead_letters(kafka_bootstrap: str, topic: Topic, group: str, count: int) -> list[Any]:
    return await read_topic(
        kafka_bootstrap, dead_letter_topic(topic.name, group), until=lambda r: len(r) >= count
    )


async def test_a_permanently_failing_record_is_dead_lettered_and_the_next_one_handled(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    for n in (1, 2, 3):
        await producer.publish(topic.name, "k", mention(n))
    attempts: list[Any] = []
    handled: list[Any] = []
    email = "alice@example.com"

    async def fail_on_second(event: Event) -> None:
        attempts.append(event.event_id)
        if event.event_id == mention(2).event_id:
            raise ValueError(f"{email} has no profile")
        handled.append(event.event_id)

    loop = loop_for(kafka_bootstrap, topic, group, producer, fail_on_second, attempts=3)
    task = asyncio.create_task(loop.run())
    await eventually(lambda: len(handled) == 2)
    assert not task.done()
    loop.stop()
    await task

    assert handled == [mention(1).event_id, mention(3).event_id]
    assert attempts.count(mention(2).event_id) == 3
    assert await committed(kafka_bootstrap, topic.name, group) == 3
    [dead] = await dead_letters(kafka_bootstrap, topic, group, 1)
    headers = dict(dead.headers)
    assert decode(dead.value, (MentionIngested,)).event_id == mention(2).event_id
    assert dead.key == b"k"
    assert headers["event_type"] == b"mention.ingested"
    assert headers[dlq_headers.ORIGINAL_TOPIC] == topic.name.encode()
    assert headers[dlq_headers.ORIGINAL_PARTITION] == b"0"
    assert headers[dlq_headers.ORIGINAL_OFFSET] == b"1"
    assert headers[dlq_headers.GROUP] == group.encode()
    assert headers[dlq_headers.REASON] == b"ValueError"
    assert headers[dlq_headers.ERROR_TYPE] == b"ValueError"
    traceback = headers[dlq_headers.ERROR_TRACEBACK]
    assert b"fail_on_second" in traceback
    assert len(traceback) <= 2048
    assert email.encode() not in traceback + headers[dlq_headers.REASON]
    failed_at = datetime.fromisoformat(headers[dlq_headers.FAILED_AT].decode())
    assert failed_at.tzinfo is not None
    assert abs(failed_at - utcnow()) < timedelta(minutes=5)
    assert headers[dlq_headers.ATTEMPTS] == b"3"


async def test_an_overflow_from_mongodb_is_dead_lettered(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer, mongo_db: Database
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    await producer.publish(topic.name, "k", mention(1))
    await producer.publish(topic.name, "k", mention(2))

    async def store(event: Event) -> None:
        followers = 2**63 if event.event_id == mention(1).event_id else 1
        await mongo_db.authors.insert_one({"_id": str(event.event_id), "followers": followers})

    loop = loop_for(kafka_bootstrap, topic, group, producer, store)

    async def second_stored() -> bool:
        return await mongo_db.authors.count_documents({"_id": str(mention(2).event_id)}) == 1

    task = asyncio.create_task(loop.run())
    await eventually(second_stored)
    loop.stop()
    await task
    [dead] = await dead_letters(kafka_bootstrap, topic, group, 1)
    headers = dict(dead.headers)
    assert headers[dlq_headers.ERROR_TYPE] == b"OverflowError"
    assert headers[dlq_headers.ORIGINAL_OFFSET] == b"0"
    assert await mongo_db.authors.count_documents({}) == 1


async def test_a_mostly_failing_stream_stops_the_loop_without_committing_the_record(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    for n in range(4):
        await producer.publish(topic.name, "k", mention(n))

    async def broken_deploy(event: Event) -> None:
        raise KeyError("missing setting")

    loop = loop_for(
        kafka_bootstrap, topic, group, producer, broken_deploy, attempts=1,
        dlq_limit=DlqLimit(max_invalid_ratio=0.5, window=3),
    )  # fmt: skip
    with pytest.raises(DlqLimitExceeded):
        await loop.run()
    assert await committed(kafka_bootstrap, topic.name, group) == 2
    assert len(await dead_letters(kafka_bootstrap, topic, group, 2)) == 2


async def test_a_transient_failure_is_retried_beyond_the_attempts_and_handled_once(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    await producer.publish(topic.name, "k", mention(1))
    await producer.publish(topic.name, "k", mention(2))
    calls: list[Event] = []
    done: list[Event] = []
    mongo_away = True

    async def flaky(event: Event) -> None:
        calls.append(event)
        if mongo_away:
            raise ServerSelectionTimeoutError("no primary")
        done.append(event)

    loop = loop_for(kafka_bootstrap, topic, group, producer, flaky, attempts=2)
    task = asyncio.create_task(loop.run())
    await eventually(lambda: len(calls) >= 6)
    assert loop.outage.current is not None
    assert loop.outage.current.dependency == "MongoDB"
    assert {e.event_id for e in calls} == {mention(1).event_id}
    mongo_away = False
    await eventually(lambda: len(done) == 2)
    loop.stop()
    await task
    assert [e.event_id for e in done] == [mention(1).event_id, mention(2).event_id]
    assert loop.outage.current is None
    assert await committed(kafka_bootstrap, topic.name, group) == 2
    assert await topic_size(kafka_bootstrap, dead_letter_topic(topic.name, group)) == 0


async def test_stop_ends_a_wait_for_an_outage_without_committing_the_record(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    await producer.publish(topic.name, "k", mention(1))
    await producer.publish(topic.name, "k", mention(2))

    async def mongo_away_for_the_second(event: Event) -> None:
        if event.event_id == mention(2).event_id:
            raise ServerSelectionTimeoutError("no primary")

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap, group=group, topics=[topic], handle=mongo_away_for_the_second,
        producer=producer, retry=RetryPolicy(first_delay_s=30, max_delay_s=30),
    )  # fmt: skip
    task = asyncio.create_task(loop.run())
    await eventually(lambda: loop.outage.current is not None)
    loop.stop()
    await asyncio.wait_for(task, timeout=10)
    assert await committed(kafka_bootstrap, topic.name, group) == 1


async def test_stop_commits_what_is_done(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    for n in range(5):
        await producer.publish(topic.name, "k", mention(n))
    seen: list[Event] = []
    loop: ConsumerLoop

    async def stop_after_two(event: Event) -> None:
        seen.append(event)
        if len(seen) == 2:
            loop.stop()

    loop = loop_for(kafka_bootstrap, topic, group, producer, stop_after_two)
    await loop.run()
    assert len(seen) == 2
    assert await committed(kafka_bootstrap, topic.name, group) == 2


async def test_processing_continues_the_producers_trace(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer, spans: InMemorySpanExporter
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    with trace.get_tracer("test").start_as_current_span("request") as request:
        await producer.publish(topic.name, "k", mention(1))
    handle = Recorder()

    loop = loop_for(kafka_bootstrap, topic, group, producer, handle)
    await run_until(loop, lambda: bool(handle.events))

    by_name = {s.name: s for s in spans.get_finished_spans()}
    publish, process = by_name[f"publish {topic.name}"], by_name[f"process {topic.name}"]
    trace_id = request.get_span_context().trace_id
    assert publish.context.trace_id == process.context.trace_id == trace_id
    assert process.parent is not None
    assert process.parent.span_id == publish.context.span_id


async def test_untraced_processing_continues_in_the_producers_very_span_context(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    """No span recorded, none started: no "publish" or "process" span between the two."""
    group = await group_with_dlq(kafka_bootstrap, topic)
    seen: list[trace.SpanContext] = []

    async def handle(event: Event) -> None:
        seen.append(trace.get_current_span().get_span_context())

    with tracer_provider_set(tracer_provider(RapportSettings())):
        with tracer.start_as_current_span("request") as request:
            await producer.publish(topic.name, "k", mention(1))
        loop = loop_for(kafka_bootstrap, topic, group, producer, handle)
        await run_until(loop, lambda: bool(seen))

    (handled,) = seen
    published = request.get_span_context()
    assert (handled.trace_id, handled.span_id) == (published.trace_id, published.span_id)
    assert not handled.trace_flags.sampled
