"""OpenTelemetry set-up, and trace context carried in Kafka headers (W3C ``traceparent``)."""

import json
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.sdk.util import ns_to_iso_str
from opentelemetry.trace import SpanContext

from rapport.settings import RapportSettings, TraceExporter

Headers = Sequence[tuple[str, bytes]]
tracer = trace.get_tracer("rapport")
_provider: TracerProvider | None = None
FILE_QUEUE, FILE_BATCH, FILE_DELAY_MS = 16_384, 1_024, 500


class JsonLinesSpanExporter(SpanExporter):
    """One JSON object per finished span (the fields of ``ReadableSpan.to_json``), appended to
    a file (local runs and tests); each export is written whole, in one write, so a reader sees
    whole lines but maybe the last."""

    def __init__(self, path: str) -> None:
        self._out: TextIO = open(path, "a", encoding="utf-8")  # noqa: SIM115
        self._resource: tuple[Resource, dict[str, Any]] | None = None

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self._out.write("".join(json.dumps(self._record(span)) + "\n" for span in spans))
        self._out.flush()
        return SpanExportResult.SUCCESS

    def _record(self, span: ReadableSpan) -> dict[str, Any]:
        if self._resource is None or self._resource[0] is not span.resource:
            # the process's one resource: encoded once, not once per span
            self._resource = span.resource, json.loads(span.resource.to_json())
        resource = self._resource[1]
        status: dict[str, str] = {"status_code": span.status.status_code.name}
        if span.status.description:
            status["description"] = span.status.description
        return {
            "name": span.name,
            "context": _context(span.context),
            "kind": str(span.kind),
            "parent_id": None if span.parent is None else f"0x{span.parent.span_id:016x}",
            "start_time": _iso(span.start_time),
            "end_time": _iso(span.end_time),
            "status": status,
            "attributes": _dict(span.attributes),
            "events": [
                {"name": e.name, "timestamp": _iso(e.timestamp), "attributes": _dict(e.attributes)}
                for e in span.events
            ],
            "links": [
                {"context": _context(link.context), "attributes": _dict(link.attributes)}
                for link in span.links
            ],
            "resource": resource,
        }

    def shutdown(self) -> None:
        self._out.close()


def _context(context: SpanContext | None) -> dict[str, str] | None:
    if context is None:
        return None
    return {
        "trace_id": f"0x{context.trace_id:032x}",
        "span_id": f"0x{context.span_id:016x}",
        "trace_state": repr(context.trace_state),
    }


def _dict(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(attributes or {})


def _iso(ns: int | None) -> str | None:
    return ns_to_iso_str(ns) if ns else None


def file_spans(path: str) -> BatchSpanProcessor:
    """Spans written to ``path`` off the request and consumer paths, in batches: at most
    ``FILE_QUEUE`` wait (more are dropped, and counted by the SDK), at least every
    ``FILE_DELAY_MS``; the provider flushes the rest when it shuts down (at exit)."""
    return BatchSpanProcessor(
        JsonLinesSpanExporter(path),
        max_queue_size=FILE_QUEUE,
        schedule_delay_millis=FILE_DELAY_MS,
        max_export_batch_size=FILE_BATCH,
    )


def setup_tracing(settings: RapportSettings) -> TracerProvider:
    """Install the process's tracer provider (``tracer_provider``) once; later calls return the
    same one."""
    global _provider
    if _provider is None:
        _provider = tracer_provider(settings)
        trace.set_tracer_provider(_provider)
    return _provider


def tracer_provider(settings: RapportSettings) -> TracerProvider:
    """Spans exported as ``settings`` say. Without an exporter no span is recorded (nothing
    would read it), but each trace still gets its ids, which logs and Kafka headers carry on
    (marked not sampled)."""
    processor = _span_processor(settings)
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=None if processor else ALWAYS_OFF,
    )
    if processor:
        provider.add_span_processor(processor)
    return provider


def _span_processor(settings: RapportSettings) -> SpanProcessor | None:
    if settings.trace_exporter is TraceExporter.FILE and settings.trace_file:
        return file_spans(settings.trace_file)
    if settings.trace_exporter is TraceExporter.OTLP:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return BatchSpanProcessor(OTLPSpanExporter())
    return None


def recording() -> bool:
    """Whether spans started here may be recorded: a tracer provider is installed and it
    samples. When not, the hot paths start no span per record and carry each record's own
    trace context as it came."""
    provider = trace.get_tracer_provider()
    return isinstance(provider, TracerProvider) and provider.sampler is not ALWAYS_OFF


def inject_headers(ctx: context.Context | None = None) -> list[tuple[str, bytes]]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=ctx)
    return [(name, value.encode()) for name, value in carrier.items()]


def extract_context(headers: Headers | None) -> context.Context:
    carrier = {name: value.decode(errors="replace") for name, value in headers or ()}
    return propagate.extract(carrier)


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
