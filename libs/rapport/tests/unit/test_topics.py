"""Topics only through the catalogue: publishing refuses what the catalogue does not allow."""

import asyncio
from typing import Any

import pytest

from rapport import outbox
from rapport.events import CaseChanged, MentionIngested
from rapport.events.examples import examples
from rapport.kafka.producer import EventProducer
from rapport.testing import Published
from rapport.topics import (
    CASES,
    CATALOGUE,
    LOYALTY,
    MENTIONS,
    RefusedPublication,
    check_publication,
)

EXAMPLES = {type(event): event for event in examples()}
MENTION = EXAMPLES[MentionIngested]


@pytest.mark.parametrize("topic", CATALOGUE.values(), ids=lambda topic: topic.name)
def test_every_topic_takes_its_own_events_from_its_own_producers(topic: Any) -> None:
    for kind in topic.events:
        for producer in topic.producers:
            check_publication(topic.name, kind.type_name(), producer=producer)


def test_an_event_its_topic_does_not_carry_is_refused_with_the_reason() -> None:
    with pytest.raises(RefusedPublication, match=r"care\.cases does not carry mention\.ingested"):
        check_publication(CASES.name, "mention.ingested", producer="responder")


def test_a_producer_the_catalogue_does_not_list_is_refused_with_the_reason() -> None:
    with pytest.raises(RefusedPublication, match=r"loyalty is not a producer of social\.mentions"):
        check_publication(MENTIONS.name, "mention.ingested", producer="loyalty")


def test_a_topic_outside_the_catalogue_is_not_checked() -> None:
    check_publication("test-a1b2c3", "mention.ingested", producer="loyalty")


async def test_the_producer_refuses_a_topic_its_service_does_not_produce() -> None:
    producer = EventProducer("127.0.0.1:9", producer="loyalty")  # never started: nothing is sent
    with pytest.raises(RefusedPublication, match=r"loyalty is not a producer of care\.cases"):
        async with asyncio.timeout(30):  # unchecked, the send would wait for a broker
            await producer.publish_all([(CASES.name, "profile-1", EXAMPLES[CaseChanged])])


async def test_the_producer_refuses_an_event_its_topic_does_not_carry() -> None:
    producer = EventProducer("127.0.0.1:9", producer="ingest")
    with pytest.raises(RefusedPublication, match=r"loyalty\.events does not carry"):
        async with asyncio.timeout(30):
            await producer.publish_all([(LOYALTY.name, "someone", MENTION)])


class Untouchable:
    """A database the refused write must never reach."""

    def __getitem__(self, name: str) -> Any:
        raise AssertionError(f"the outbox wrote to {name}")


async def test_the_outbox_refuses_an_event_its_topic_does_not_carry_and_stores_nothing() -> None:
    with pytest.raises(RefusedPublication, match=r"care\.cases does not carry"):
        await outbox.add(Untouchable(), None, [(CASES.name, "someone", MENTION)])  # type: ignore[arg-type]


async def test_the_fake_publisher_refuses_what_the_producer_refuses() -> None:
    published = Published()
    with pytest.raises(RefusedPublication):
        await published([(CASES.name, "someone", MENTION)])
    assert published.messages == []
