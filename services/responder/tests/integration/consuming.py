"""responder's batch handler of one event type behind the real consumer loop, on a topic and
group of the test's own, the batches it is handed recorded."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from rapport.events import Event
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, dispatch
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.retry import RetryPolicy
from rapport.testing import unique
from rapport.topics import Topic, dead_letter_topic
from responder.adapters.alert_store import MongoAlerts
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.handlers import batch_handlers, event_handlers
from responder.ports import Ports


@dataclass
class Consuming:
    dead_letters: str
    """The group's dead-letter topic."""
    batches: list[list[Event]] = field(default_factory=list)


@asynccontextmanager
async def consuming(
    ports: Ports,
    db: Database,
    kafka_bootstrap: str,
    producer: EventProducer,
    topic: Topic,
    batched: type[Event],
) -> AsyncIterator[Consuming]:
    """The loop runs while the block does; events of type ``batched`` go to their batch
    handler, the others (and a failed batch's) one by one."""
    group = unique("responder")
    dead_letters = dead_letter_topic(topic.name, group)
    await ensure_topics(kafka_bootstrap, [(dead_letters, 1, 3_600_000)])
    alerts, health = MongoAlerts(db), MongoBrandHealth(db)
    seen = Consuming(dead_letters)
    batch = batch_handlers(ports, alerts, health)[batched]

    async def recorded(events: list[Event]) -> None:
        seen.batches.append(events)
        await batch(events)

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=dispatch(event_handlers(ports, alerts, health)),
        batch_handlers={batched: recorded},
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.05),
        commit_every_s=0.1,
    )
    task = asyncio.create_task(loop.run())
    try:
        yield seen
    finally:
        loop.stop()
        await task
