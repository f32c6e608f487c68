"""A batch handler still sees each record's own trace: ``record_context(event)`` is the context of
the record's "process" span, a child of the trace the record was published in; when no span is
recorded, the very context the record was published in."""

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext

from rapport.events import Event, MentionIngested
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, record_context
from rapport.kafka.producer import EventProducer
from rapport.settings import RapportSettings
from rapport.telemetry import tracer, tracer_provider
from rapport.testing import eventually, example_mention, tracer_provider_set, unique
from rapport.topics import Topic, dead_letter_topic

pytestmark = pytest.mark.integration


async def test_a_batch_handler_gets_each_records_own_trace(
    kafka_bootstrap: str,
    new_topic: Callable[..., Awaitable[str]],
    producer: EventProducer,
    spans: InMemorySpanExporter,
) -> None:
    name, published, seen = await _handled_in_batches(kafka_bootstrap, new_topic, producer)

    assert {e: c.trace_id for e, c in seen.items()} == {e: c.trace_id for e, c in published.items()}
    processed = [s for s in spans.get_finished_spans() if s.name == f"process {name}"]
    assert sorted(s.context.trace_id for s in processed) == sorted(
        c.trace_id for c in published.values()
    )


async def test_untraced_a_batch_handler_gets_each_record_in_the_context_it_was_published_in(
    kafka_bootstrap: str, new_topic: Callable[..., Awaitable[str]], producer: EventProducer
) -> None:
    """No span recorded, none started: no "publish" or "process" span between the two."""
    with tracer_provider_set(tracer_provider(RapportSettings())):
        _, published, seen = await _handled_in_batches(kafka_bootstrap, new_topic, producer)

    assert {e: _ids(c) for e, c in seen.items()} == {e: _ids(c) for e, c in published.items()}
    assert not any(c.trace_flags.sampled for c in seen.values())


def _ids(context: SpanContext) -> tuple[int, int]:
    return context.trace_id, context.span_id


async def _handled_in_batches(
    kafka_bootstrap: str, new_topic: Callable[..., Awaitable[str]], producer: EventProducer
) -> tuple[str, dict[UUID, SpanContext], dict[UUID, SpanContext]]:
    """Six events, each published in a "post" span of its own, handled in batches: the topic,
    and by event id the span context it was published in and the one its handler was given."""
    name = await new_topic(1)
    topic = Topic(name, "test", "author", 1, 3_600_000, (MentionIngested,), ("test",), ())
    group = unique("group")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(name, group), 1, 3_600_000)])
    published: dict[UUID, SpanContext] = {}
    for n in range(6):
        event = example_mention(unique(f"traced{n}"))
        with tracer.start_as_current_span("post") as span:
            published[event.event_id] = span.get_span_context()
            await producer.publish(name, f"k{n % 2}", event)
    seen: dict[UUID, SpanContext] = {}
    calls: list[int] = []

    async def in_batches(events: list[Event]) -> None:
        calls.append(len(events))
        for event in events:
            context = record_context(event)
            assert context is not None
            seen[event.event_id] = trace.get_current_span(context).get_span_context()

    async def single(event: Event) -> None:
        raise AssertionError("not one by one")

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=single,
        producer=producer,
        batch_handlers={MentionIngested: in_batches},
    )
    task = asyncio.create_task(loop.run())
    await eventually(lambda: len(seen) == len(published))
    loop.stop()
    await task
    assert max(calls) > 1
    return name, published, seen
