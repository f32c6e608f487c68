"""What a service connects at start-up (its MongoDB database, a Kafka producer) and consumes."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka.errors import KafkaConnectionError

from rapport.events import Event
from rapport.kafka.connection import client_security
from rapport.kafka.consumer import BatchHandler, ConsumerLoop, dispatch
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, connect, ping
from rapport.retry import retry_until
from rapport.service import Runtime
from rapport.topics import CATALOGUE


@dataclass(frozen=True)
class Clients:
    db: Database
    producer: EventProducer


@asynccontextmanager
async def connected(runtime: Runtime, *, connect_timeout_s: float = 60.0) -> AsyncIterator[Clients]:
    settings = runtime.settings
    mongo = connect(settings)
    producer = EventProducer(
        settings.kafka_bootstrap,
        client_id=f"rapport-{settings.service_name}",
        security=client_security(settings),
        producer=settings.service_name,
    )
    await retry_until(producer.start, retry_on=KafkaConnectionError, timeout_s=connect_timeout_s)
    db = mongo[settings.mongo_db]
    runtime.readiness.append(lambda: ping(db))
    try:
        yield Clients(db=db, producer=producer)
    finally:
        await producer.stop()
        await mongo.close()


def consume(
    runtime: Runtime,
    clients: Clients,
    *,
    group: str,
    handlers: Mapping[type[Event], Callable[[Any], Awaitable[None]]],
    batch_handlers: Mapping[type[Event], BatchHandler] | None = None,
) -> None:
    """Start the consumer loop of ``group`` over every catalogue topic it consumes. An event
    type with a batch handler is handled in batches, and one by one by its handler in
    ``handlers`` when a batch fails (see ``rapport.kafka.consumer``)."""
    topics = [topic for topic in CATALOGUE.values() if group in topic.consumers]
    loop = ConsumerLoop(
        bootstrap=runtime.settings.kafka_bootstrap,
        group=group,
        topics=topics,
        handle=dispatch(handlers),
        batch_handlers=batch_handlers,
        producer=clients.producer,
        security=client_security(runtime.settings),
    )
    runtime.workers.start(f"consumer:{group}", loop.run(), stop=loop.stop)
