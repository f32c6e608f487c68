import json
import logging

from opentelemetry import trace

from rapport.logs import JsonFormatter


def record(msg: str, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("rapport.test", logging.WARNING, __file__, 1, msg, None, None)
    rec.__dict__.update(extra)
    return rec


def test_a_line_is_json_with_service_level_and_extras() -> None:
    line = json.loads(
        JsonFormatter("ingest").format(record("dead-lettered", position="t[0] offset=3"))
    )
    assert line["service"] == "ingest"
    assert line["level"] == "WARNING"
    assert line["msg"] == "dead-lettered"
    assert line["position"] == "t[0] offset=3"
    assert "trace_id" not in line


def test_the_current_trace_id_is_carried() -> None:
    with trace.get_tracer("test").start_as_current_span("work") as span:
        line = json.loads(JsonFormatter("ingest").format(record("x")))
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
