"""A dead letter as read from ``<topic>.dlq.<group>``: its position and what its headers say.

The consumer loop copies the original record's key, value and headers, then appends ``dlq.*``
headers; older letters may lack some of them, so every field but the position is optional.
"""

import json
from dataclasses import dataclass
from typing import Any

from rapport.topics import CATALOGUE, Topic, dead_letter_topic

DLQ_PREFIX = "dlq."
REPLAYED_FROM = "dlq.replayed_from"
Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, order=True)
class Position:
    topic: str
    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"

    @classmethod
    def parse(cls, text: str) -> "Position":
        topic, partition, offset = text.rsplit("/", 2)
        return cls(topic, int(partition), int(offset))


@dataclass(frozen=True)
class DeadLetter:
    position: Position
    key: bytes | None
    value: bytes | None
    headers: Headers

    @classmethod
    def of(cls, record: Any) -> "DeadLetter":
        headers = [(name, bytes(value or b"")) for name, value in record.headers or ()]
        return cls(
            Position(record.topic, record.partition, record.offset),
            record.key,
            record.value,
            headers,
        )

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None

    @property
    def original_topic(self) -> str:
        return self.header("dlq.original.topic") or original_topic_of(self.position.topic)

    def original_headers(self) -> Headers:
        """The headers the original record carried (trace context, ``event_type``)."""
        return [(k, v) for k, v in self.headers if not k.startswith(DLQ_PREFIX)]

    def replay_headers(self) -> Headers:
        return [*self.original_headers(), (REPLAYED_FROM, str(self.position).encode())]

    def event(self) -> dict[str, str | None]:
        """The event's id and type when the value decodes as an event envelope."""
        found: dict[str, str | None] = {"event_id": None, "event_type": self.header("event_type")}
        try:
            body = json.loads(self.value or b"")
        except ValueError:
            return found
        if isinstance(body, dict):
            if isinstance(body.get("event_id"), str):
                found["event_id"] = body["event_id"]
            if isinstance(body.get("type"), str):
                found["event_type"] = body["type"]
        return found

    def summary(self) -> dict[str, Any]:
        """What ``list`` shows: never the message text."""
        return {
            "topic": self.position.topic,
            "partition": self.position.partition,
            "offset": self.position.offset,
            "original": {
                "topic": self.original_topic,
                "partition": _int(self.header("dlq.original.partition")),
                "offset": _int(self.header("dlq.original.offset")),
            },
            "reason": self.header("dlq.reason"),
            "error_type": self.header("dlq.error.type"),
            "failed_at": self.header("dlq.failed_at"),
            "attempts": _int(self.header("dlq.attempts")),
            **self.event(),
        }

    def details(self, *, with_value: bool) -> dict[str, Any]:
        """What ``show`` shows: the summary, the traceback and the original headers' names;
        the key and value only when asked for."""
        shown: dict[str, Any] = {
            **self.summary(),
            "traceback": self.header("dlq.error.traceback"),
            "replayed_from": self.header(REPLAYED_FROM),
            "headers": [name for name, _ in self.original_headers()],
        }
        if with_value:
            shown["key"] = _text(self.key)
            shown["value"] = _text(self.value)
        return shown


def group_topics(group: str) -> dict[str, Topic]:
    """The group's dead-letter topics, each with the catalogue topic it holds letters of."""
    return {
        dead_letter_topic(topic.name, group): topic
        for topic in CATALOGUE.values()
        if group in topic.consumers
    }


def original_topic_of(dlq_topic: str) -> str:
    return dlq_topic.rsplit(".dlq.", 1)[0]


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _text(data: bytes | None) -> str | None:
    return data.decode(errors="backslashreplace") if data is not None else None
