"""The consumer loop against the real broker: dead letters, retries, redelivery, commits, traces."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from rapport.events import Event, MentionIngested
from rapport.events.examples import examples
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, HandlerFailed
from rapport.kafka.producer import EventProducer
from rapport.kafka.retry import RetryPolicy
from rapport.testing import eventually, read_topic, unique
from rapport.topics import Topic, dead_letter_topic

pytestmark = pytest.mark.integration
NewTopic = Callable[..., Awaitable[str]]


def mention(n: int) -> MentionIngested:
    base = examples()[0]
    assert isinstance(base, MentionIngested)
    return MentionIngested.of(base.payload.model_copy(update={"external_id": f"m{n}"}))


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[EventProducer]:
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    yield producer
    await producer.stop()


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
) -> ConsumerLoop:
    return ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=handle,
        producer=producer,
        retry=RetryPolicy(attempts=attempts, first_delay_s=0.01, max_delay_s=0.02),
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


async def test_a_failing_handler_is_retried_then_stops_without_committing_the_record(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    for n in (1, 2, 3):
        await producer.publish(topic.name, "k", mention(n))
    attempts: list[Any] = []

    async def fail_on_second(event: Event) -> None:
        attempts.append(event.event_id)
        if event.event_id == mention(2).event_id:
            raise RuntimeError("database down")

    with pytest.raises(HandlerFailed, match=rf"{topic.name}\[0\] offset=1"):
        await loop_for(kafka_bootstrap, topic, group, producer, fail_on_second, attempts=3).run()
    assert attempts == [mention(1).event_id] + [mention(2).event_id] * 3
    assert await committed(kafka_bootstrap, topic.name, group) == 1

    works = Recorder()

    loop = loop_for(kafka_bootstrap, topic, group, producer, works)
    await run_until(loop, lambda: len(works.events) == 2)
    assert [e.event_id for e in works.events] == [mention(2).event_id, mention(3).event_id]


async def test_a_transient_failure_is_retried_and_handled_once(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer
) -> None:
    group = await group_with_dlq(kafka_bootstrap, topic)
    await producer.publish(topic.name, "k", mention(1))
    calls: list[int] = []
    done: list[Event] = []

    async def flaky(event: Event) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("blip")
        done.append(event)

    loop = loop_for(kafka_bootstrap, topic, group, producer, flaky, attempts=5)
    await run_until(loop, lambda: bool(done))
    assert len(calls) == 3
    assert len(done) == 1
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
