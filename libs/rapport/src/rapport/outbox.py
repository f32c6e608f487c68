"""Transactional outbox: an event is stored in the same MongoDB transaction as the change that
caused it, and a relay publishes it to Kafka afterwards. A 2xx given after the commit therefore
means the event will reach Kafka even if the process dies the next instant.
"""

import logging
from collections.abc import Sequence
from datetime import timedelta

from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.events import Event, utcnow
from rapport.events.codec import encode
from rapport.kafka.producer import EventProducer, OutgoingRecord
from rapport.mongo import Database
from rapport.telemetry import inject_headers
from rapport.workers import Poller

log = logging.getLogger(__name__)

COLLECTION = "outbox"
KEEP_PUBLISHED = timedelta(days=7)
INDEXES = [
    IndexModel([("published_at", ASCENDING), ("seq", ASCENDING)], name="pending"),
    IndexModel(
        [("published_at", ASCENDING)],
        name="expire_published",
        expireAfterSeconds=int(KEEP_PUBLISHED.total_seconds()),
        partialFilterExpression={"published_at": {"$type": "date"}},
    ),
]


async def add(
    db: Database,
    session: AsyncClientSession,
    messages: Sequence[tuple[str, str, Event]],
) -> None:
    """Store (topic, key, event)s for publication, in the caller's transaction and trace."""
    headers = [[name, value] for name, value in inject_headers()]
    await db[COLLECTION].insert_many(
        [
            {
                "_id": str(event.event_id),
                "seq": ObjectId(),
                "topic": topic,
                "key": key,
                "event_type": event.type,
                "value": encode(event),
                "headers": headers,
                "published_at": None,
            }
            for topic, key, event in messages
        ],
        session=session,
    )


class OutboxRelay(Poller):
    """Publishes pending outbox events in insertion order, then marks them published."""

    def __init__(
        self, db: Database, producer: EventProducer, *, batch: int = 200, poll_s: float = 1.0
    ) -> None:
        super().__init__(poll_s)
        self._outbox = db[COLLECTION]
        self._producer = producer
        self._batch = batch

    async def step(self) -> bool:
        return await self.publish_pending() == self._batch

    async def publish_pending(self) -> int:
        cursor = self._outbox.find({"published_at": None}).sort("seq", ASCENDING)
        pending = await cursor.limit(self._batch).to_list()
        if not pending:
            return 0
        await self._producer.publish_records(
            [
                OutgoingRecord(
                    doc["topic"],
                    doc["key"].encode(),
                    bytes(doc["value"]),
                    doc["event_type"],
                    parent_headers=[(name, bytes(value)) for name, value in doc["headers"]],
                )
                for doc in pending
            ]
        )
        await self._outbox.update_many(
            {"_id": {"$in": [doc["_id"] for doc in pending]}},
            {"$set": {"published_at": utcnow()}},
        )
        return len(pending)
