"""Poison mentions written straight onto ``social.mentions`` (past ingest's validation) cost
profiles a dead letter each, not its consumer: the next mention still gets its profile."""

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from rapport.events import MentionIngested
from rapport.events.codec import encode
from rapport.events.examples import examples
from rapport.kafka import dlq_headers
from rapport.kafka.producer import EventProducer
from rapport.testing import eventually, read_topic, unique
from tests.support import WAIT_S, Platform, profile_id

pytestmark = pytest.mark.e2e
MENTIONS = "social.mentions"
DEAD_LETTERS = "social.mentions.dlq.profiles"


def valid_mention(author: str) -> MentionIngested:
    base = examples()[0]
    assert isinstance(base, MentionIngested)
    author_fields = base.payload.author.model_copy(update={"id": author, "handle": f"h_{author}"})
    payload = base.payload.model_copy(
        update={"external_id": unique("m"), "conversation_id": None, "author": author_fields}
    )
    return MentionIngested.of(payload)


def poisoned(author: str, change: dict[str, Any]) -> tuple[str, bytes]:
    """A mention of ``author`` as JSON with ``change`` applied to its payload: (event id, bytes)."""
    event = json.loads(encode(valid_mention(author)))
    event["event_id"] = str(uuid4())
    for path, value in change.items():
        target = event["payload"]
        *parents, leaf = path.split(".")
        for name in parents:
            target = target[name]
        target[leaf] = value
    return event["event_id"], json.dumps(event).encode()


async def test_poison_mentions_are_dead_lettered_and_the_next_mention_is_profiled(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    author = unique("poison")
    key = f"x:{author}".encode()
    poisons = [
        poisoned(author, {"created_at": "0001-01-01T00:00:00+01:00"}),
        poisoned(author, {"author.followers": 2**63}),
    ]
    producer = EventProducer(platform.kafka)
    await producer.start()
    try:
        for _, value in poisons:
            await producer.send_headers(MENTIONS, key, value, [("event_type", b"mention.ingested")])
        await producer.publish(MENTIONS, key.decode(), valid_mention(author))
    finally:
        await producer.stop()

    def ours(records: list[Any]) -> list[Any]:
        """Our poisons among the dead letters (other tests leave garbage there too)."""
        return [r for r in records if any(v == r.value for _, v in poisons)]

    dead = ours(await read_topic(platform.kafka, DEAD_LETTERS, until=lambda r: len(ours(r)) == 2))
    for record in dead:
        headers = dict(record.headers)
        assert headers[dlq_headers.ORIGINAL_TOPIC] == MENTIONS.encode()
        assert headers[dlq_headers.GROUP] == b"profiles"
        assert headers[dlq_headers.REASON]
        assert headers[dlq_headers.ERROR_TYPE]

    profile_url = f"{platform.url('profiles')}/v1/profiles/{profile_id(author)}"

    async def profiled() -> dict[str, Any] | None:
        response = await http.get(profile_url, headers=platform.token("agent"))
        return response.json() if response.status_code == 200 else None

    profile = await eventually(profiled, timeout_s=WAIT_S)
    assert profile["mention_count"] == 1
    health = await http.get(f"{platform.url('profiles')}/healthz")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
