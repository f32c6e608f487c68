"""The consumer loop: decode, handle, commit after the effect.

- Offsets are committed by hand, per partition, only after every earlier record's handler
  returned (its effect is durable and what it published is acknowledged).
- A record that does not decode to one of its topic's events goes to ``<topic>.dlq.<group>``
  with the original topic, partition, offset and the reason in headers; the loop goes on.
- Any other error is retried with backoff; when the retries run out the loop commits what is
  done and raises ``HandlerFailed``, so the record is redelivered to whoever consumes next.
- ``stop()`` finishes the record in hand, commits and leaves the group.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace
from prometheus_client import Counter

from rapport.events import Event
from rapport.events.codec import DecodeError, decode
from rapport.kafka.connection import ClientSecurity
from rapport.kafka.producer import EventProducer
from rapport.kafka.retry import DlqLimit, RetryPolicy
from rapport.telemetry import extract_context, tracer
from rapport.topics import Topic, dead_letter_topic

log = logging.getLogger(__name__)
Handler = Callable[[Event], Awaitable[None]]
Record: TypeAlias = Any  # aiokafka.ConsumerRecord; aiokafka ships no type hints

RECORDS = Counter(
    "rapport_consumed_records_total", "Records consumed, by outcome", ["topic", "group", "outcome"]
)


def dispatch(handlers: Mapping[type[Event], Callable[[Any], Awaitable[None]]]) -> Handler:
    """One handler for a loop: each event goes to the handler of its type; others are skipped."""

    async def handle(event: Event) -> None:
        handler = handlers.get(type(event))
        if handler is not None:
            await handler(event)

    return handle


class HandlerFailed(RuntimeError):
    """A handler kept failing; the record was not committed and will be redelivered."""


class ConsumerLoop:
    def __init__(
        self,
        *,
        bootstrap: str,
        group: str,
        topics: Sequence[Topic],
        handle: Handler,
        producer: EventProducer,
        retry: RetryPolicy | None = None,
        dlq_limit: DlqLimit | None = None,
        max_records: int = 100,
        security: ClientSecurity | None = None,
    ) -> None:
        self.group = group
        self._topics = {topic.name: topic for topic in topics}
        self._handle = handle
        self._producer = producer
        self._retry = retry or RetryPolicy()
        self._dlq_limit = dlq_limit or DlqLimit()
        self._max_records = max_records
        self._stopping = asyncio.Event()
        self._consumer = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=bootstrap,
            group_id=group,
            client_id=f"rapport-{group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **(security or {}),
        )
        self._done: dict[TopicPartition, int] = {}

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        await self._consumer.start()
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(
                    timeout_ms=500, max_records=self._max_records
                )
                for partition, records in batches.items():
                    for record in records:
                        if self._stopping.is_set():
                            break
                        await self._process(record)
                        self._done[partition] = record.offset + 1
                    await self._commit()
        finally:
            await self._commit()
            await self._consumer.stop()

    async def _commit(self) -> None:
        if not self._done:
            return
        offsets, self._done = self._done, {}
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as error:
            # The group rebalanced: the new owner redelivers; handlers are idempotent.
            log.warning("commit failed", extra={"group": self.group, "error": repr(error)})

    async def _process(self, record: Record) -> None:
        topic = self._topics[record.topic]
        position = f"{record.topic}[{record.partition}] offset={record.offset}"
        with tracer.start_as_current_span(
            f"process {record.topic}",
            context=extract_context(record.headers),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": self.group,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
            },
        ):
            try:
                event = decode(record.value, topic.events)
            except DecodeError as error:
                self._dlq_limit.record(valid=False)
                await self._dead_letter(record, str(error))
                RECORDS.labels(record.topic, self.group, "dead_lettered").inc()
                log.warning("dead-lettered", extra={"position": position, "reason": str(error)})
                return
            self._dlq_limit.record(valid=True)
            await self._handle_with_retries(event, position)
            RECORDS.labels(record.topic, self.group, "handled").inc()

    async def _handle_with_retries(self, event: Event, position: str) -> None:
        delays = self._retry.delays()
        while True:
            try:
                await self._handle(event)
                return
            except Exception as error:
                delay = next(delays, None)
                extra: dict[str, object] = {
                    "position": position,
                    "event_id": str(event.event_id),
                    "error": type(error).__name__,
                }
                if delay is None or self._stopping.is_set():
                    log.exception("handler failed, giving up", extra=extra)
                    raise HandlerFailed(position) from error
                extra["retry_in_s"] = delay
                log.warning("handler failed, retrying", extra=extra)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=delay)

    async def _dead_letter(self, record: Record, reason: str) -> None:
        headers = [
            *(record.headers or ()),
            ("dlq.original.topic", record.topic.encode()),
            ("dlq.original.partition", str(record.partition).encode()),
            ("dlq.original.offset", str(record.offset).encode()),
            ("dlq.group", self.group.encode()),
            ("dlq.reason", reason[:1000].encode()),
        ]
        target = dead_letter_topic(record.topic, self.group)
        await self._producer.send_headers(target, record.key, record.value, headers)
