"""The consumer loop: decode, handle, commit after the effect; no record can stop it.

- Each fetched batch is split into lanes, one per partition and key (``rapport.kafka.lanes``):
  a key's records are handled one after another in offset order, up to ``concurrency`` lanes
  at a time. One batch is in flight at a time, so memory stays bounded by ``max_records``.
- Offsets are committed by hand, per partition, only after every earlier record's handler
  returned (its effect is durable and what it published is acknowledged) or the record was
  dead-lettered: once per batch, and every ``commit_every_s`` while a lane still works.
  When the group takes partitions away, what is done is committed first; nothing after.
- A *transient* failure (MongoDB or Kafka away, see ``rapport.failures``) retries the SAME
  record with capped backoff for as long as it takes; the loop is degraded meanwhile
  (``/healthz`` stays 200, ``/readyz`` 503) and logs the outage once per state change.
- A record that does not decode to one of its topic's events, or whose handler fails
  *permanently* ``RetryPolicy.attempts`` times, goes to ``<topic>.dlq.<group>`` with the
  headers of ``rapport.kafka.dlq_headers``; the loop goes on. Sending it is retried like any
  transient failure.
- When most recent records are dead-lettered (``DlqLimit``), a bad deploy is more likely than
  bad data: the loop stops without committing the record, and the worker is reported dead.
- ``stop()`` finishes (or abandons, uncommitted) each lane's record in hand, commits and leaves.
- *Batch handlers*: lanes whose events all have the same batch handler are handed to it
  together, up to ``batch_size`` records per call (a key's events in offset order), so a
  service can apply them in one transaction. A transient failure retries the whole call; a
  permanent one (its transaction rolled back) sends those lanes through the per-record path
  above, where only the bad record is dead-lettered. Each record of the call still gets its own
  "process" span in its own trace; ``record_context(event)`` gives it to the handler, to carry
  on what the event causes (``rapport.outbox.add(..., contexts=...)``), or ``processing(event)``
  makes it current.
"""

import asyncio
import contextlib
import logging
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import context, trace
from prometheus_client import Counter

from rapport.events import Event
from rapport.events.codec import DecodeError, decode
from rapport.failures import error_type, is_transient, reason
from rapport.kafka.connection import ClientSecurity
from rapport.kafka.dlq_headers import dead_letter_headers
from rapport.kafka.dlq_limit import DlqLimit
from rapport.kafka.lag import LagGauge
from rapport.kafka.lanes import Batch, Progress, Record, chunks, lanes
from rapport.kafka.producer import EventProducer
from rapport.outages import Outage, current_outage, watched
from rapport.retry import RetryPolicy
from rapport.telemetry import extract_context, recording, tracer
from rapport.topics import Topic, dead_letter_topic
from rapport.workers import INTERVAL, stepped

log = logging.getLogger(__name__)
Handler = Callable[[Event], Awaitable[None]]
BatchHandler = Callable[[list[Any]], Awaitable[None]]
"""Applies events in the order given (a key's events in offset order), all or none."""
Decoded = Event | DecodeError

_Decodings = Mapping[tuple[str, int, int], Decoded]
MAX_LINKS = 128
RECORDS = Counter(
    "rapport_consumed_records_total", "Records consumed, by outcome", ["topic", "group", "outcome"]
)
DEAD_LETTERED = Counter(
    "rapport_dead_lettered_total",
    "Records sent to the dead-letter topic, by why: undecodable, or their handler failed",
    ["topic", "group", "kind"],
)
_record_contexts: ContextVar[Mapping[UUID, context.Context]] = ContextVar("record_contexts")


def record_context(event: Event) -> context.Context | None:
    """In a batch handler: the context of the event's own "process" span (in its record's
    trace); None elsewhere."""
    return _record_contexts.get({}).get(event.event_id)


@contextlib.contextmanager
def processing(event: Event) -> Iterator[None]:
    """In a batch handler: ``event``'s own "process" span made current, so what is decided and
    published meanwhile continues its record's trace; elsewhere nothing changes."""
    found = record_context(event)
    if found is None:
        yield
        return
    token = context.attach(found)
    try:
        yield
    finally:
        context.detach(token)


def dispatch(handlers: Mapping[type[Event], Callable[[Any], Awaitable[None]]]) -> Handler:
    """One handler for a loop: each event goes to the handler of its type; others are skipped."""

    async def handle(event: Event) -> None:
        handler = handlers.get(type(event))
        if handler is not None:
            await handler(event)

    return handle


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
        batch_handlers: Mapping[type[Event], BatchHandler] | None = None,
        max_records: int = 500,
        batch_size: int = 250,
        concurrency: int = 16,
        commit_every_s: float = 1.0,
        security: ClientSecurity | None = None,
        lag_every_s: float = 15.0,
    ) -> None:
        self.group = group
        self.outage = Outage(f"consumer:{group}")
        self._topics = {topic.name: topic for topic in topics}
        self._handle = handle
        self._producer = producer
        self._retry = retry or RetryPolicy()
        self._dlq_limit = dlq_limit or DlqLimit()
        self._batch_handlers = dict(batch_handlers or {})
        self._max_records = max_records
        self._batch_size = batch_size
        self._lane_slots = asyncio.Semaphore(concurrency)
        self._commit_every_s = commit_every_s
        self._stopping = asyncio.Event()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group,
            client_id=f"rapport-{group}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **(security or {}),
        )
        self._consumer.subscribe(list(self._topics), listener=_Revocations(self))
        self.lag = LagGauge(self._consumer, group, every_s=lag_every_s)
        self._progress = Progress({})
        self._waiting_lanes: set[object] = set()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        self.outage = current_outage.get() or self.outage
        INTERVAL.labels(self.outage.worker).set(self._commit_every_s)
        if not await self._until_done(self._consumer.start, "start"):
            return
        lag = asyncio.create_task(self.lag.run(self._stopping))
        try:
            while not self._stopping.is_set():
                batch = await self._fetch()
                if batch:
                    await self._run_batch(batch)
        finally:
            await self._commit()
            self._stopping.set()
            await lag
            await self._consumer.stop()

    async def _run_batch(self, batch: Batch) -> None:
        """Run the batch's lanes concurrently, committing what is done as it gets done. If a
        lane raises, the others are abandoned where they are (uncommitted) and it is raised."""
        self._progress = progress = Progress(batch)
        decoded = {
            _position(record): self._decode(record)
            for records in batch.values()
            for record in records
        }
        single: list[list[Record]] = []
        batched: dict[BatchHandler, list[list[Record]]] = defaultdict(list)
        for lane in lanes(batch):
            handler = self._batch_handler_of(lane, decoded)
            if handler is None:
                single.append(lane)
            else:
                batched[handler].append(lane)
        work = [self._run_lane(lane, progress, decoded) for lane in single]
        work += [self._run_batched(h, group, progress, decoded) for h, group in batched.items()]
        pending = {asyncio.create_task(job) for job in work}
        try:
            while pending:
                done, pending = await asyncio.wait(
                    pending, timeout=self._commit_every_s, return_when=asyncio.FIRST_EXCEPTION
                )
                for task in done:
                    task.result()
                await self._commit()
                stepped(self.outage.worker)
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _run_lane(self, lane: list[Record], progress: Progress, decoded: _Decodings) -> None:
        async with self._lane_slots:
            try:
                await self._process_lane(lane, progress, decoded)
            finally:
                self._waiting_lanes.discard(asyncio.current_task())

    async def _process_lane(
        self, lane: list[Record], progress: Progress, decoded: _Decodings
    ) -> bool:
        """Handle the lane's records in order; False if stopped or its partition was taken."""
        for record in lane:
            if self._stopping.is_set() or not progress.owns(record):
                return False
            if not await self._process(record, decoded[_position(record)]):
                return False
            progress.done(record)
        return True

    def _batch_handler_of(self, lane: list[Record], decoded: _Decodings) -> BatchHandler | None:
        """The batch handler of every event of the lane, if they decode and share one."""
        events = [decoded[_position(r)] for r in lane]
        valid = [event for event in events if isinstance(event, Event)]
        if len(valid) < len(events):
            return None
        handlers = {self._batch_handlers.get(type(event)) for event in valid}
        handler = handlers.pop()
        return handler if not handlers else None

    async def _run_batched(
        self,
        handler: BatchHandler,
        group: list[list[Record]],
        progress: Progress,
        decoded: _Decodings,
    ) -> None:
        async with self._lane_slots:
            try:
                for chunk in chunks(group, self._batch_size):
                    owned = [lane for lane in chunk if progress.owns(lane[0])]
                    if self._stopping.is_set():
                        return
                    if not owned:
                        continue
                    handled = await self._handle_chunk(handler, owned, decoded)
                    if handled is None:
                        return
                    if handled:
                        self._chunk_done(owned, progress)
                        continue
                    for lane in owned:
                        await self._process_lane(lane, progress, decoded)
                        if self._stopping.is_set():
                            return
            finally:
                self._waiting_lanes.discard(asyncio.current_task())

    async def _handle_chunk(
        self, handler: BatchHandler, chunk: list[list[Record]], decoded: _Decodings
    ) -> bool | None:
        """True once ``handler`` applied the chunk; False if it failed permanently (the
        records then go one by one); None if stopped first."""
        records = [record for lane in chunk for record in lane]
        events = [decoded[_position(record)] for record in records]
        carried = [extract_context(record.headers) for record in records]
        traced = recording()
        links = _links(carried[:MAX_LINKS]) if traced else ()
        with (
            tracer.start_as_current_span(
                f"process batch {records[0].topic}",
                kind=trace.SpanKind.CONSUMER,
                links=links,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.consumer.group.name": self.group,
                    "messaging.batch.message_count": len(records),
                },
            ),
            self._record_spans(records, events, carried, traced=traced),
        ):
            waits = self._retry.waits()
            while True:
                try:
                    await handler(events)
                    break
                except Exception as error:
                    if not is_transient(error):
                        log.warning(
                            "batch failed, handling its records one by one",
                            extra={"error": error_type(error), "records": len(records)},
                        )
                        return False
                    self._lane_waiting(error, position=f"batch of {len(records)}")
                if not await self._pause(next(waits)):
                    return None
        self._lane_over()
        return True

    @contextlib.contextmanager
    def _record_spans(
        self,
        records: list[Record],
        events: list[Any],
        carried: list[context.Context],
        *,
        traced: bool,
    ) -> Iterator[None]:
        """Each record's "process" span, in the trace its headers carried (``carried``); when
        nothing is recorded, each record's carried context as it is."""
        spans = (
            [
                tracer.start_span(
                    f"process {record.topic}",
                    context=parent,
                    kind=trace.SpanKind.CONSUMER,
                    attributes=self._record_attributes(record),
                )
                for record, parent in zip(records, carried, strict=True)
            ]
            if traced
            else []
        )
        own = [trace.set_span_in_context(span) for span in spans] if traced else carried
        contexts = {event.event_id: c for event, c in zip(events, own, strict=True)}
        token = _record_contexts.set(contexts)
        try:
            yield
        finally:
            _record_contexts.reset(token)
            for span in spans:
                span.end()

    def _record_attributes(self, record: Record) -> dict[str, str | int]:
        return {
            "messaging.system": "kafka",
            "messaging.consumer.group.name": self.group,
            "messaging.destination.partition.id": str(record.partition),
            "messaging.kafka.offset": record.offset,
        }

    def _chunk_done(self, chunk: list[list[Record]], progress: Progress) -> None:
        handled: Tally[str] = Tally()
        for lane in chunk:
            for record in lane:
                progress.done(record)
                self._dlq_limit.record(valid=True)
                handled[record.topic] += 1
        for topic, count in handled.items():
            RECORDS.labels(topic, self.group, "handled").inc(count)

    async def revoked(self, partitions: list[TopicPartition]) -> None:
        """The group takes ``partitions`` away: what is done is committed while they are still
        ours, then their lanes stop and nothing more of theirs is committed (the new owner
        redelivers the rest; handlers are idempotent)."""
        await self._commit()
        self._progress.forget(partitions)
        self.lag.forget(partitions)

    async def _fetch(self) -> dict[TopicPartition, list[Record]]:
        """The next records; none while a transient fetch error is waited out."""
        try:
            batches: dict[TopicPartition, list[Record]] = await self._consumer.getmany(
                timeout_ms=500, max_records=self._max_records
            )
        except Exception as error:
            if not is_transient(error):
                raise
            self.outage.waiting(error, position="fetch")
            await self._pause(self._retry.max_delay_s)
            return {}
        self.outage.over()
        stepped(self.outage.worker)
        return batches

    async def _commit(self) -> None:
        assigned = self._consumer.assignment()
        offsets = {tp: o for tp, o in self._progress.advanced().items() if tp in assigned}
        if not offsets:
            return
        try:
            await watched(self._consumer.commit(offsets), "Kafka", outage=self.outage)
            self.lag.committed(offsets)
        except (CommitFailedError, KafkaError) as error:
            # The group rebalanced: the new owner redelivers; handlers are idempotent.
            log.warning("commit failed", extra={"group": self.group, "error": repr(error)})

    def _decode(self, record: Record) -> Decoded:
        try:
            return decode(record.value, self._topics[record.topic].events)
        except DecodeError as error:
            return error

    async def _process(self, record: Record, event: Decoded) -> bool:
        """Handle or dead-letter ``record``; False if stopped before either was done."""
        position = f"{record.topic}[{record.partition}] offset={record.offset}"
        with self._process_span(record):
            if isinstance(event, DecodeError):
                return await self._dead_letter(record, position, event, str(event), attempts=1)
            return await self._handle_or_dead_letter(record, event, position)

    @contextlib.contextmanager
    def _process_span(self, record: Record) -> Iterator[None]:
        """The record's "process" span made current, in the trace its headers carried; when
        nothing is recorded, that carried context itself."""
        carried = extract_context(record.headers)
        if not recording():
            token = context.attach(carried)
            try:
                yield
            finally:
                context.detach(token)
            return
        with tracer.start_as_current_span(
            f"process {record.topic}",
            context=carried,
            kind=trace.SpanKind.CONSUMER,
            attributes=self._record_attributes(record),
        ):
            yield

    async def _handle_or_dead_letter(self, record: Record, event: Event, position: str) -> bool:
        """Retry transient failures for as long as it takes, permanent ones ``attempts`` times
        in all, then dead-letter; False if stopped before either was done."""
        attempts = 0
        waits = self._retry.waits()
        while True:
            try:
                await self._handle(event)
                break
            except Exception as error:
                extra = {"position": position, "event_id": str(event.event_id)}
                if is_transient(error):
                    self._lane_waiting(error, **extra)
                else:
                    attempts += 1
                    if attempts >= self._retry.attempts:
                        why = reason(error)
                        return await self._dead_letter(
                            record, position, error, why, attempts=attempts
                        )
                    log.warning(
                        "handler failed, retrying",
                        extra={**extra, "error": error_type(error), "attempts": attempts},
                    )
                if not await self._pause(next(waits)):
                    return False
        self._lane_over()
        self._dlq_limit.record(valid=True)
        RECORDS.labels(record.topic, self.group, "handled").inc()
        return True

    async def _dead_letter(
        self, record: Record, position: str, error: BaseException, why: str, *, attempts: int
    ) -> bool:
        self._dlq_limit.record(valid=False)
        headers = dead_letter_headers(record, self.group, error, why, attempts=attempts)
        target = dead_letter_topic(record.topic, self.group)

        async def send() -> None:
            await self._producer.send_headers(target, record.key, record.value, headers)

        if not await self._until_done(send, position):
            return False
        RECORDS.labels(record.topic, self.group, "dead_lettered").inc()
        kind = "undecodable" if isinstance(error, DecodeError) else "handler_failed"
        DEAD_LETTERED.labels(record.topic, self.group, kind).inc()
        log.warning(
            "dead-lettered",
            extra={"position": position, "reason": why, "error": error_type(error)},
        )
        return True

    async def _until_done(self, work: Callable[[], Awaitable[None]], position: str) -> bool:
        """Run ``work`` until it succeeds, waiting out transient failures; False if stopped
        first. A permanent failure is raised: the worker dies (and says why)."""
        waits = self._retry.waits()
        while True:
            try:
                await work()
                self.outage.over()
                return True
            except Exception as error:
                if not is_transient(error):
                    raise
                self.outage.waiting(error, position=position)
            if not await self._pause(next(waits)):
                return False

    def _lane_waiting(self, error: BaseException, **context: object) -> None:
        self._waiting_lanes.add(asyncio.current_task())
        self.outage.waiting(error, **context)

    def _lane_over(self) -> None:
        """The outage is over once no lane waits any more (not when a lane of a key that does
        not need the missing dependency succeeds)."""
        self._waiting_lanes.discard(asyncio.current_task())
        if not self._waiting_lanes:
            self.outage.over()

    async def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``; False if ``stop()`` was called meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        return not self._stopping.is_set()


def _links(carried: list[context.Context]) -> list[trace.Link]:
    found = (trace.get_current_span(c).get_span_context() for c in carried)
    return [trace.Link(span_context) for span_context in found if span_context.is_valid]


def _position(record: Record) -> tuple[str, int, int]:
    return record.topic, record.partition, record.offset


class _Revocations(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: ConsumerLoop) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._loop.revoked(revoked)

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        pass
