"""Helpers for tests of ingest's analysis stage, which completes mentions after the 2xx: bounded
waits, mentions to accept, and a relay's producer that publishes to a topic of the test's own."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.domain.normalize import MentionIn
from ingest.use_cases.intake import BrandAccounts, provisional
from rapport.events import Mention, MentionIngested, Source
from rapport.events.codec import decode
from rapport.kafka.producer import EventProducer, OutgoingRecord
from rapport.mongo import Database
from rapport.testing import eventually, read_topic, unique

WAIT_S = 60.0


class ToTopic(EventProducer):
    """Publishes every record to one topic of the test's own."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        super().__init__(bootstrap)
        self.topic = topic

    async def publish_records(self, records: Sequence[OutgoingRecord]) -> None:
        await super().publish_records([replace(r, topic=self.topic) for r in records])


def incoming(
    author: str, text: str, minute: int = 0, *, in_reply_to: str | None = None
) -> MentionIn:
    created = datetime(2026, 11, 20, 9, tzinfo=UTC) + timedelta(minutes=minute)
    mention: MentionIn = MentionIn.model_validate(
        {
            "platform": "x",
            "external_id": unique("m"),
            "author": {"id": author},
            "text": text,
            "created_at": created.isoformat(),
            "in_reply_to": in_reply_to,
        }
    )
    return mention


def stored(mention: MentionIn) -> Mention:
    return provisional(mention, brand=BrandAccounts([]), source=Source.API)


async def published(kafka: str, topic: str, count: int) -> list[MentionIngested]:
    records = await read_topic(kafka, topic, until=lambda rs: len(rs) >= count, timeout_s=WAIT_S)
    events = [decode(r.value, (MentionIngested,)) for r in records]
    return [e for e in events if isinstance(e, MentionIngested)]


async def analysed(db: Database, mention_id: str) -> dict[str, Any]:
    """The archived mention once the analysis stage has completed it."""
    done = {"_id": mention_id, "pending": {"$exists": False}}
    doc = await eventually(lambda: db["mentions"].find_one(done), timeout_s=WAIT_S)
    mention: dict[str, Any] = doc["mention"]
    return mention


async def in_outbox(db: Database, count: int) -> None:
    """Wait until ``count`` events are in the outbox and no mention is pending any more."""

    async def settled() -> bool:
        pending = await db["mentions"].count_documents({"pending": True})
        return pending == 0 and await db["outbox"].count_documents({}) == count

    await eventually(settled, timeout_s=WAIT_S)
