"""The local trace file: spans are written off the caller's path, in batches, each a whole JSON
line with the fields of ``ReadableSpan.to_json``, and every span is in the file once the
provider shuts down (as a service's does at exit)."""

import json
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from rapport.telemetry import file_spans


def test_every_span_is_a_json_line_in_the_file_once_the_provider_shuts_down(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spans.jsonl"
    provider = TracerProvider(resource=Resource.create({"service.name": "test"}))
    provider.add_span_processor(file_spans(str(path)))
    kept = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(kept))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("batch") as batch:
        link = trace.Link(batch.get_span_context(), {"why": "linked"})
        for n in range(300):
            with tracer.start_as_current_span(f"span {n}", attributes={"n": n}, links=[link]):
                trace.get_current_span().add_event("seen", {"n": n})
    with tracer.start_as_current_span("failed") as failed:
        failed.set_status(trace.StatusCode.ERROR, "no")
    provider.shutdown()

    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(written) == 302
    assert sorted(written, key=_span_id) == sorted(
        (json.loads(span.to_json()) for span in kept.get_finished_spans()), key=_span_id
    )


def _span_id(span: dict[str, dict[str, str]]) -> str:
    return span["context"]["span_id"]
