"""Transactional outbox: an event is stored in the same MongoDB transaction as the change that
caused it, and a relay publishes it to Kafka afterwards. A 2xx given after the commit therefore
means the event will reach Kafka even if the process dies the next instant.

Any number of replicas may run a relay over one database: they share one lease
(:mod:`rapport.lease`, 10 s, renewed every step), only its holder publishes, in insertion
order (``seq``, from :mod:`rapport.sequence`: a row stored after another one committed, by any
replica, comes after it, so each key's order holds), and the others stand by to take over when
it expires.
Before each batch the holder notes the rows it is about to publish in the lease. Whoever takes
over next (or the holder itself after a failed publish) first looks for those rows on their
topics and marks the ones it finds as published instead of sending them again: a relay killed
between the broker's acknowledgement and marking its rows leaves no duplicate behind.
Marking needs no fence: a row acknowledged by the broker is published, whoever marks it.

A row Kafka refuses for good (a *permanent* failure, e.g. an event over the broker's size
limit) must not stop the relay: after a batch fails that way the relay sends one row at a time,
and the row that fails on its own is *parked* (``parked_at``, ``parked_reason``,
``parked_error``, the gauge-friendly counter ``rapport_outbox_parked_total``) and skipped. Its
neighbours, the same key's later events included, go on. Unsetting ``parked_at`` sends it again.
"""

import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from opentelemetry.context import Context
from prometheus_client import Counter
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from rapport.clock import utcnow
from rapport.events import Event
from rapport.events.codec import encode
from rapport.failures import error_type, is_transient, reason
from rapport.kafka.producer import EventProducer, OutgoingRecord
from rapport.kafka.recent import KafkaRecentEvents, RecentEvents
from rapport.lease import Held, Lease
from rapport.mongo import Database, Document
from rapport.outbox_backlog import PENDING as PENDING
from rapport.outbox_backlog import measure
from rapport.sequence import reserve
from rapport.telemetry import inject_headers
from rapport.topics import check_publication
from rapport.workers import Poller

log = logging.getLogger(__name__)

COLLECTION = "outbox"
KEEP_PUBLISHED = timedelta(days=7)
LEASE = "outbox-relay"
CLOCK_SKEW = timedelta(minutes=1)
"""How far the broker's record timestamps (the producer's clock) may lag the database's."""
INDEXES = [
    IndexModel([("published_at", ASCENDING), ("seq", ASCENDING)], name="pending"),
    IndexModel([("key", ASCENDING)], name="by_key"),  # a person's events, for an erasure
    IndexModel(
        [("published_at", ASCENDING)],
        name="expire_published",
        expireAfterSeconds=int(KEEP_PUBLISHED.total_seconds()),
        partialFilterExpression={"published_at": {"$type": "date"}},
    ),
]
_DUPLICATE_KEY = 11000
_PUBLISHED_FIELDS = {"topic": 1, "key": 1, "event_type": 1, "value": 1, "headers": 1}
PARKED = Counter(
    "rapport_outbox_parked_total", "Outbox rows Kafka refused for good, set aside", ["topic"]
)


async def add(
    db: Database,
    session: AsyncClientSession | None,
    messages: Sequence[tuple[str, str, Event]],
    *,
    contexts: Sequence[Context | None] | None = None,
) -> None:
    """Store (topic, key, event)s for publication, in the caller's transaction and trace (or,
    message by message, in the trace of ``contexts``, e.g. each of a batch's records).

    The row's id is the event id: storing an event twice raises DuplicateKeyError; an event
    its topic does not carry raises RefusedPublication and stores nothing.
    """
    if not messages:
        return
    for topic, _, event in messages:
        check_publication(topic, event.type)
    traced = contexts if contexts is not None else [None] * len(messages)
    seqs, stored_at = await reserve(db, COLLECTION, len(messages)), utcnow()
    try:
        await db[COLLECTION].insert_many(
            [
                {
                    "_id": str(event.event_id),
                    "seq": seq,
                    "stored_at": stored_at,
                    "topic": topic,
                    "key": key,
                    "event_type": event.type,
                    "value": encode(event),
                    "headers": [[name, value] for name, value in inject_headers(context)],
                    "published_at": None,
                }
                for (topic, key, event), context, seq in zip(messages, traced, seqs, strict=True)
            ],
            session=session,
        )
    except BulkWriteError as error:
        codes = {e["code"] for e in error.details.get("writeErrors", [])}
        if codes == {_DUPLICATE_KEY}:
            raise DuplicateKeyError("event already in the outbox", _DUPLICATE_KEY) from error
        raise


class OutboxRelay(Poller):
    """Publishes pending outbox events in insertion order while it holds the relay lease."""

    def __init__(
        self,
        db: Database,
        producer: EventProducer,
        *,
        batch: int = 200,
        poll_s: float = 1.0,
        lease_s: float = 10.0,
        recent: RecentEvents | None = None,
        measure_every_s: float = 10.0,
    ) -> None:
        super().__init__(poll_s)
        self._outbox = db[COLLECTION]
        self._producer = producer
        self._batch = batch
        self.lease = Lease(db, LEASE, duration_s=lease_s)
        self._recent = recent
        self._one_at_a_time = 0
        """After a batch failed for good, its rows go one by one to find the one that did."""
        self._checked_term: int | None = None
        """The lease term whose predecessor's unfinished batch has been looked for on Kafka."""
        self._measure_every_s = measure_every_s
        self._measured_at = -measure_every_s

    async def step(self) -> bool:
        now = time.monotonic()
        if now - self._measured_at >= self._measure_every_s:
            await measure(self._outbox)
            self._measured_at = now
        return await self.publish_pending() == self._batch

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            if self._stopping:
                with contextlib.suppress(PyMongoError):  # then the others wait for expiry
                    await self.lease.release()

    async def publish_pending(self) -> int:
        """Publish the next batch if this replica holds the lease; how many were published."""
        held = await self.lease.hold()
        if held is None:
            return 0
        if held.term != self._checked_term:
            await self._settle(held)
            self._checked_term = held.term
        cursor = self._outbox.find(PENDING, _PUBLISHED_FIELDS).sort("seq", ASCENDING)
        pending = await cursor.limit(1 if self._one_at_a_time else self._batch).to_list()
        if not pending:
            return 0
        held = await self.lease.record([doc["_id"] for doc in pending])
        if held is None or held.remaining() < self.lease.duration_s / 2:
            return 0
        try:
            await self._producer.publish_records([_record(doc) for doc in pending])
            await self._mark_published([doc["_id"] for doc in pending])
        except Exception as error:
            # Some or all may be on Kafka without their mark (the broker or MongoDB went away
            # in between): look on Kafka before sending any of them again.
            self._checked_term = None
            if is_transient(error):
                raise
            if len(pending) > 1:
                self._one_at_a_time = len(pending)
                raise
            await self._park(pending[0], error)
            self._one_at_a_time = 0
            return 1
        except BaseException:
            self._checked_term = None
            raise
        self._one_at_a_time = max(0, self._one_at_a_time - 1)
        return len(pending)

    async def _park(self, doc: Document, error: Exception) -> None:
        await self._outbox.update_one(
            {"_id": doc["_id"], "published_at": None},
            {
                "$set": {
                    "parked_at": utcnow(),
                    "parked_reason": reason(error),
                    "parked_error": error_type(error),
                }
            },
        )
        PARKED.labels(doc["topic"]).inc()
        log.error(
            "outbox row parked: Kafka refuses it for good",
            extra={"event_id": doc["_id"], "topic": doc["topic"], "error": error_type(error)},
        )

    async def _settle(self, held: Held) -> None:
        """Mark the rows of the previous holder's last batch that are on Kafka already."""
        if not held.in_flight or held.in_flight_since is None:
            return
        query = {"_id": {"$in": held.in_flight}, "published_at": None}
        unmarked = await self._outbox.find(query, {"topic": 1}).to_list()
        if not unmarked:
            return
        recent = self._recent or KafkaRecentEvents.like(self._producer)
        found = await recent({doc["topic"] for doc in unmarked}, held.in_flight_since - CLOCK_SKEW)
        published = [doc["_id"] for doc in unmarked if doc["_id"] in found]
        log.info(
            "outbox batch of a previous relay checked",
            extra={"unmarked": len(unmarked), "found_published": len(published)},
        )
        await self._mark_published(published)

    async def _mark_published(self, ids: list[Any]) -> None:
        if ids:
            await self._outbox.update_many(
                {"_id": {"$in": ids}, "published_at": None}, {"$set": {"published_at": utcnow()}}
            )


def _record(doc: Document) -> OutgoingRecord:
    return OutgoingRecord(
        doc["topic"],
        doc["key"].encode(),
        bytes(doc["value"]),
        doc["event_type"],
        parent_headers=[(name, bytes(value)) for name, value in doc["headers"]],
    )
