"""A service without a trace exporter records no span, yet every trace keeps its ids; and the
producer then starts no span per record: each record goes out in the very span context it was
prepared in (an outbox row's stored headers as they are)."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from rapport.events.codec import encode
from rapport.kafka.producer import EventProducer, OutgoingRecord
from rapport.settings import RapportSettings, TraceExporter
from rapport.telemetry import inject_headers, recording, tracer, tracer_provider
from rapport.testing import example_mention, tracer_provider_set

Sent = tuple[str, list[tuple[str, bytes]]]


def untraced() -> TracerProvider:
    return tracer_provider(RapportSettings(trace_exporter=TraceExporter.NONE))


@pytest.fixture
def no_spans() -> Iterator[TracerProvider]:
    with tracer_provider_set(untraced()) as provider:
        yield provider


def test_without_an_exporter_no_span_records_but_traces_keep_their_ids(
    no_spans: TracerProvider,
) -> None:
    assert not recording()
    with tracer.start_as_current_span("request") as span:
        assert not span.is_recording()
        assert span.get_span_context().is_valid
        assert inject_headers()[0][0] == "traceparent"


def test_with_an_exporter_spans_record(tmp_path: Path) -> None:
    settings = RapportSettings(trace_exporter=TraceExporter.FILE, trace_file=str(tmp_path / "t"))
    with tracer_provider_set(tracer_provider(settings)):
        assert recording()
        with tracer.start_as_current_span("request") as span:
            assert span.is_recording()


def test_the_tests_provider_records(spans: InMemorySpanExporter) -> None:
    assert recording()


async def test_untraced_records_go_out_in_the_context_they_were_prepared_in(
    no_spans: TracerProvider,
) -> None:
    producer, sent = _capturing_producer()
    event = example_mention("untraced")
    with tracer.start_as_current_span("outbox add"):
        stored = inject_headers()
    with tracer.start_as_current_span("request"):
        await producer.publish_records(
            [
                OutgoingRecord("t", b"k", encode(event), event.type, parent_headers=stored),
                OutgoingRecord("t", b"k", encode(event), event.type),
            ]
        )
        current = inject_headers()

    assert sent == [
        ("t", [("event_type", b"mention.ingested"), *stored]),
        ("t", [("event_type", b"mention.ingested"), *current]),
    ]
    assert stored != current


async def test_traced_records_each_get_a_publish_span(spans: InMemorySpanExporter) -> None:
    producer, sent = _capturing_producer()
    event = example_mention("traced")
    with tracer.start_as_current_span("outbox add"):
        stored = inject_headers()
    await producer.publish_records(
        [OutgoingRecord("t", b"k", encode(event), event.type, parent_headers=stored)]
    )

    (publish,) = [s for s in spans.get_finished_spans() if s.name == "publish t"]
    assert publish.parent is not None
    assert f"{publish.parent.span_id:016x}".encode() in stored[0][1]
    assert f"{publish.context.span_id:016x}".encode() in dict(sent[0][1])["traceparent"]


def _capturing_producer() -> tuple[EventProducer, list[Sent]]:
    """A producer whose broker acknowledges at once; what it was given to send, in order."""
    producer = EventProducer("127.0.0.1:1")
    sent: list[Sent] = []

    async def send(topic: str, **record: Any) -> asyncio.Future[None]:
        sent.append((topic, record["headers"]))
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acked.set_result(None)
        return acked

    producer._producer.send = send
    return producer, sent
