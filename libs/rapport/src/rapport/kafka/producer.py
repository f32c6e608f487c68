"""A producer that returns only once the broker has acknowledged (acks=all, idempotent).

An idempotent producer numbers each partition's batches, and aiokafka does not take a number
back when the broker refuses a batch for good (e.g. over the topic's ``max.message.bytes``):
every later send to that partition would fail with ``OutOfOrderSequenceNumber``. So after such
a refusal ``EventProducer`` replaces its aiokafka producer (a new producer id, numbering from
zero); the refused send still raises, and the next one goes through.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.structs import RecordMetadata
from opentelemetry import trace

from rapport.events import Event
from rapport.events.codec import encode
from rapport.kafka.connection import ClientSecurity
from rapport.outages import watched
from rapport.telemetry import Headers, extract_context, inject_headers, recording, tracer
from rapport.topics import check_publication

Publish = Callable[[Sequence[tuple[str, str, Event]]], Awaitable[None]]
"""What handlers are given to publish with: ``EventProducer.publish_all`` (topic, key, event)."""


@dataclass(frozen=True)
class OutgoingRecord:
    topic: str
    key: bytes | None
    value: bytes | None
    event_type: str
    parent_headers: Headers | None = None
    """Trace context to continue, when the record was prepared in another context (outbox)."""


class EventProducer:
    def __init__(
        self,
        bootstrap: str,
        *,
        client_id: str = "rapport",
        security: ClientSecurity | None = None,
        request_timeout_ms: int = 40_000,
        producer: str | None = None,
    ) -> None:
        """``producer`` names the service publishing: the catalogue must list it for every
        catalogue topic it publishes to (see ``rapport.topics.check_publication``)."""
        self._name = producer
        self._config = {
            "bootstrap_servers": bootstrap,
            "client_id": client_id,
            "acks": "all",
            "enable_idempotence": True,
            "linger_ms": 2,
            "request_timeout_ms": request_timeout_ms,
            **(security or {}),
        }
        self._producer = AIOKafkaProducer(**self._config)
        self._renewing = asyncio.Lock()

    async def start(self) -> None:
        await self._producer.start()

    async def _renew(self, refused: AIOKafkaProducer) -> None:
        """Replace ``refused`` (unless another failure did already): its numbering is broken."""
        async with self._renewing:
            if self._producer is not refused:
                return
            fresh = AIOKafkaProducer(**self._config)
            await fresh.start()
            self._producer = fresh
        await refused.stop()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, key: str, event: Event) -> None:
        """Publish one event under the current trace context; returns after the broker's ack."""
        await self.publish_all([(topic, key, event)])

    async def publish_all(self, messages: Sequence[tuple[str, str, Event]]) -> None:
        """Publish (topic, key, event)s in order; returns when every one is acknowledged."""
        await self.publish_records(
            [
                OutgoingRecord(topic, key.encode(), encode(event), event.type)
                for topic, key, event in messages
            ]
        )

    async def publish_records(self, records: Sequence["OutgoingRecord"]) -> None:
        """Enqueue in order (so one key's records keep their order), then wait for every ack
        (a slow wait is the broker being away: the worker is degraded meanwhile).
        RefusedPublication, before anything is sent, for a record the catalogue refuses."""
        for topic, event_type in {(record.topic, record.event_type) for record in records}:
            check_publication(topic, event_type, producer=self._name)
        sending = self._producer
        if recording():
            acks = [await self._enqueue_traced(record) for record in records]
        else:
            current = inject_headers()
            acks = [
                await self._enqueue(
                    record, current if record.parent_headers is None else record.parent_headers
                )
                for record in records
            ]
        try:
            await watched(asyncio.gather(*acks), "Kafka")
        except KafkaError as error:
            if not error.retriable:
                await self._renew(sending)
            raise

    async def _enqueue_traced(self, record: "OutgoingRecord") -> "asyncio.Future[RecordMetadata]":
        """Enqueue ``record`` under its own "publish" span, a child of its parent context."""
        ctx = extract_context(record.parent_headers) if record.parent_headers is not None else None
        with tracer.start_as_current_span(
            f"publish {record.topic}",
            context=ctx,
            kind=trace.SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.destination.name": record.topic},
        ):
            return await self._enqueue(record, inject_headers())

    async def _enqueue(
        self, record: "OutgoingRecord", trace_headers: Headers
    ) -> "asyncio.Future[RecordMetadata]":
        headers = [("event_type", record.event_type.encode()), *trace_headers]
        ack: asyncio.Future[RecordMetadata] = await self._producer.send(
            record.topic, value=record.value, key=record.key, headers=headers
        )
        return ack

    async def send_headers(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers
    ) -> None:
        """Send bytes with the given headers as they are (dead letters); waits for the ack."""
        sending = self._producer
        send = sending.send_and_wait(topic, value=value, key=key, headers=list(headers))
        try:
            await watched(send, "Kafka")
        except KafkaError as error:
            if not error.retriable:
                await self._renew(sending)
            raise
