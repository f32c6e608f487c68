"""OpenTelemetry set-up, and trace context carried in Kafka headers (W3C ``traceparent``)."""

import json
from collections.abc import Sequence
from typing import TextIO

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

from rapport.settings import RapportSettings, TraceExporter

Headers = Sequence[tuple[str, bytes]]
tracer = trace.get_tracer("rapport")
_provider: TracerProvider | None = None


class JsonLinesSpanExporter(SpanExporter):
    """One JSON object per finished span, appended to a file (local runs and tests)."""

    def __init__(self, path: str) -> None:
        self._out: TextIO = open(path, "a", encoding="utf-8")  # noqa: SIM115

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        for span in spans:
            self._out.write(json.dumps(json.loads(span.to_json(indent=None))) + "\n")
        self._out.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._out.close()


def setup_tracing(settings: RapportSettings) -> TracerProvider:
    """Install the process's tracer provider once; later calls return the same one."""
    global _provider
    if _provider is not None:
        return _provider
    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    if settings.trace_exporter is TraceExporter.FILE and settings.trace_file:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(settings.trace_file)))
    elif settings.trace_exporter is TraceExporter.OTLP:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _provider = provider
    return provider


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
