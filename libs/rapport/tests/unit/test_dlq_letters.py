"""What a dead letter's headers say, and what a replay of it carries."""

from types import SimpleNamespace

from rapport.dlq.cli import table
from rapport.dlq.letters import REPLAYED_FROM, DeadLetter, Position

EVENT = b'{"type": "mention.ingested", "event_id": "0b6f", "payload": {"text": "secret words"}}'


def record(headers: list[tuple[str, bytes]], value: bytes | None = EVENT) -> SimpleNamespace:
    return SimpleNamespace(
        topic="social.mentions.dlq.profiles",
        partition=0,
        offset=7,
        key=b"x:1",
        value=value,
        headers=headers,
    )


FULL = [
    ("event_type", b"mention.ingested"),
    ("traceparent", b"00-abc-def-01"),
    ("dlq.original.topic", b"social.mentions"),
    ("dlq.original.partition", b"3"),
    ("dlq.original.offset", b"41"),
    ("dlq.group", b"profiles"),
    ("dlq.reason", b"payload.created_at: year 1 is out of range"),
    ("dlq.error.type", b"OverflowError"),
    ("dlq.error.traceback", b"Traceback (most recent call last):\n  ..."),
    ("dlq.failed_at", b"2026-12-01T05:00:00+00:00"),
    ("dlq.attempts", b"3"),
]


def test_summary_names_reason_type_and_positions_but_not_the_text() -> None:
    summary = DeadLetter.of(record(FULL)).summary()

    assert summary["topic"] == "social.mentions.dlq.profiles"
    assert (summary["partition"], summary["offset"]) == (0, 7)
    assert summary["original"] == {"topic": "social.mentions", "partition": 3, "offset": 41}
    assert summary["reason"] == "payload.created_at: year 1 is out of range"
    assert summary["error_type"] == "OverflowError"
    assert summary["failed_at"] == "2026-12-01T05:00:00+00:00"
    assert summary["attempts"] == 3
    assert (summary["event_id"], summary["event_type"]) == ("0b6f", "mention.ingested")
    assert "secret words" not in repr(summary)


def test_an_older_letter_without_the_new_headers_still_reads() -> None:
    letter = DeadLetter.of(record(FULL[:7], value=b"{not json"))

    summary = letter.summary()
    assert summary["error_type"] is None
    assert summary["attempts"] is None
    assert summary["event_id"] is None
    assert summary["event_type"] == "mention.ingested"
    assert letter.details(with_value=False)["traceback"] is None


def test_value_is_shown_only_when_asked() -> None:
    letter = DeadLetter.of(record(FULL))

    assert "value" not in letter.details(with_value=False)
    assert "secret words" in letter.details(with_value=True)["value"]


def test_replay_keeps_the_original_headers_and_says_where_it_came_from() -> None:
    headers = DeadLetter.of(record(FULL)).replay_headers()

    assert headers == [
        ("event_type", b"mention.ingested"),
        ("traceparent", b"00-abc-def-01"),
        (REPLAYED_FROM, b"social.mentions.dlq.profiles/0/7"),
    ]


def test_original_topic_falls_back_to_the_dead_letter_topics_name() -> None:
    assert DeadLetter.of(record([])).original_topic == "social.mentions"


def test_position_round_trips_through_text() -> None:
    position = Position("a.dlq.b", 0, 12)
    assert Position.parse(str(position)) == position


def test_table_lists_one_row_per_letter_with_its_reason() -> None:
    summary = {**DeadLetter.of(record(FULL)).summary(), "handled": None}

    lines = table([summary]).splitlines()

    assert lines[0].split()[:2] == ["POSITION", "FROM"]
    assert "social.mentions.dlq.profiles/0/7" in lines[1]
    assert "social.mentions[3]@41" in lines[1]
    assert "OverflowError" in lines[1]
    assert "year 1 is out of range" in lines[1]
