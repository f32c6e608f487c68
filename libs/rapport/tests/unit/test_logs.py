import json
import logging

import pytest
from opentelemetry import trace

from rapport.logs import JsonFormatter, RepeatFilter, setup_logging


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


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def repeat(
    msg: str, *, logger: str = "aiokafka.conn", level: int = logging.WARNING
) -> logging.LogRecord:
    return logging.LogRecord(logger, level, __file__, 1, msg, ("broker:9092",), None)


def test_the_first_of_a_kind_passes_and_repeats_within_the_period_are_held_back() -> None:
    clock = FakeClock()
    repeats = RepeatFilter(30, clock=clock)

    passed = [repeats.filter(repeat("Unable to connect to %s")) for _ in range(4000)]

    assert passed[0] is True
    assert not any(passed[1:])


def test_after_the_period_one_passes_carrying_the_suppressed_count() -> None:
    clock = FakeClock()
    repeats = RepeatFilter(30, clock=clock)
    repeats.filter(repeat("Unable to connect to %s"))
    for _ in range(99):
        clock.now += 0.1
        repeats.filter(repeat("Unable to connect to %s"))

    clock.now += 30
    written = repeat("Unable to connect to %s")
    assert repeats.filter(written) is True
    assert written.__dict__["suppressed"] == 99

    clock.now += 1
    assert repeats.filter(repeat("Unable to connect to %s")) is False
    clock.now += 30
    again = repeat("Unable to connect to %s")
    assert repeats.filter(again) is True
    assert again.__dict__["suppressed"] == 1


def test_kinds_differ_by_logger_template_and_level() -> None:
    repeats = RepeatFilter(30, clock=FakeClock())
    assert repeats.filter(repeat("Unable to connect to %s"))
    assert repeats.filter(repeat("Unable to connect to %s", logger="pymongo.topology"))
    assert repeats.filter(repeat("Unable to connect to %s", level=logging.ERROR))
    assert repeats.filter(repeat("Connection to %s lost"))
    assert not repeats.filter(repeat("Connection to %s lost"))


def test_a_record_written_without_repeats_has_no_suppressed_field() -> None:
    clock = FakeClock()
    repeats = RepeatFilter(30, clock=clock)
    repeats.filter(repeat("m"))
    clock.now += 31
    written = repeat("m")
    assert repeats.filter(written)
    assert "suppressed" not in written.__dict__


def test_the_table_of_kinds_stays_bounded() -> None:
    clock = FakeClock()
    repeats = RepeatFilter(30, clock=clock, max_kinds=100)
    for n in range(10_000):
        clock.now += 0.001
        repeats.filter(repeat(f"pre-formatted text {n}"))
    assert len(repeats._seen) <= 100


def test_setup_logging_bounds_every_logger_through_the_root_handler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("ingest", "INFO")
        for _ in range(500):
            logging.getLogger("aiokafka.conn").warning("Unable to connect to %s", "broker:9092")
            logging.getLogger("pymongo.topology").warning("Server %s unreachable", "mongo:27017")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        root.handlers[:], root.level = saved
    assert [line["logger"] for line in lines] == ["aiokafka.conn", "pymongo.topology"]
