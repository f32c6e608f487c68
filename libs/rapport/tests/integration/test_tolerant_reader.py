"""A consumer one schema version behind, through the real broker and the consumer loop."""

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest

from rapport.events import CaseChanged, CaseOpened, Event, MentionIngested
from rapport.events.codec import encode
from rapport.events.examples import examples
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.testing import eventually, read_topic, unique
from rapport.topics import Topic, dead_letter_topic

pytestmark = pytest.mark.integration
NewTopic = Callable[..., Awaitable[str]]


async def consume(
    kafka_bootstrap: str, topic: Topic, producer: EventProducer, until: int
) -> tuple[list[Event], str]:
    """Run a consumer loop over ``topic`` until it has handled ``until`` events."""
    group = unique("group")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(topic.name, group), 1, 3_600_000)])
    handled: list[Event] = []

    async def handle(event: Event) -> None:
        handled.append(event)

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap, group=group, topics=[topic], handle=handle, producer=producer
    )
    task = asyncio.create_task(loop.run())
    await eventually(lambda: len(handled) >= until)
    loop.stop()
    await task
    return handled, group


def v2_with_extras(event: Event) -> bytes:
    data = json.loads(encode(event))
    data["schema_version"] = 2
    data["producer_hint"] = "v2"
    data["payload"]["mood"] = "curious"
    data["payload"]["author"]["pronouns"] = "they"
    return json.dumps(data).encode()


async def test_a_v1_consumer_handles_a_v2_event_with_extra_fields_and_dead_letters_unknown_types(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer
) -> None:
    topic = Topic(await new_topic(), "t", "author", 1, 3_600_000, (MentionIngested,), ("t",), ())
    v1 = examples()[0]
    assert isinstance(v1, MentionIngested)
    unknown = json.dumps({**json.loads(encode(v1)), "type": "mention.deleted"}).encode()
    await producer.send_headers(topic.name, b"k", unknown, [])
    await producer.send_headers(topic.name, b"k", v2_with_extras(v1), [])

    handled, group = await consume(kafka_bootstrap, topic, producer, until=1)

    assert handled == [v1]
    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(topic.name, group), until=lambda r: len(r) >= 1
    )
    assert [r.value for r in dead] == [unknown]
    assert b"not an event of this topic" in dict(dead[0].headers)["dlq.reason"]


async def test_an_old_version_reaches_the_handler_upcast(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer
) -> None:
    topic = Topic(await new_topic(), "t", "case", 1, 3_600_000, (CaseChanged,), ("t",), ())
    opened = next(e for e in examples() if isinstance(e, CaseOpened))
    await producer.publish(topic.name, "k", opened)

    handled, _ = await consume(kafka_bootstrap, topic, producer, until=1)

    assert [type(e) for e in handled] == [CaseChanged]
    assert handled[0].event_id == opened.event_id
