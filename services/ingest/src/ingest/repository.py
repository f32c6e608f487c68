"""The mention archive: each mention stored once, with its event in the outbox, atomically."""

from typing import Protocol

from pymongo import IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError, DuplicateKeyError

from rapport import outbox
from rapport.events import Mention, MentionIngested, utcnow
from rapport.mongo import Database

MENTIONS_TOPIC = "social.mentions"
INDEXES = {
    "mentions": [IndexModel("author_key"), IndexModel("received_at")],
    outbox.COLLECTION: outbox.INDEXES,
}


class Archive(Protocol):
    async def known(self, ids: list[str]) -> set[str]: ...

    async def accept(self, mentions: list[Mention]) -> list[bool]: ...


def archive_key(platform: str, external_id: str) -> str:
    return f"{platform}:{external_id}"


def archive_id(mention: Mention) -> str:
    return archive_key(mention.platform.value, mention.external_id)


class MongoArchive:
    """``accept`` returns, per mention, whether it was new (True) or an exact duplicate."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._mentions = db["mentions"]

    async def known(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` are archived already."""
        return {doc["_id"] async for doc in self._mentions.find({"_id": {"$in": ids}}, {"_id": 1})}

    async def accept(self, mentions: list[Mention]) -> list[bool]:
        ids = [archive_id(m) for m in mentions]
        known = await self.known(ids)
        fresh: dict[str, Mention] = {}
        for mention_id, mention in zip(ids, mentions, strict=True):
            if mention_id not in known:
                fresh.setdefault(mention_id, mention)
        try:
            await self._store(list(fresh.values()))
            stored = set(fresh)
        except (DuplicateKeyError, BulkWriteError):  # a concurrent request stored some first
            stored = {archive_id(m) for m in fresh.values() if await self._store_one(m)}
        first_seen: set[str] = set()
        results = []
        for mention_id in ids:
            results.append(mention_id in stored and mention_id not in first_seen)
            first_seen.add(mention_id)
        return results

    async def _store_one(self, mention: Mention) -> bool:
        try:
            await self._store([mention])
        except (DuplicateKeyError, BulkWriteError):
            return False
        return True

    async def _store(self, mentions: list[Mention]) -> None:
        if not mentions:
            return

        received_at = utcnow()
        events = [MentionIngested.of(mention, occurred_at=received_at) for mention in mentions]

        async def write(session: AsyncClientSession) -> None:
            await self._mentions.insert_many(
                [
                    {
                        "_id": archive_id(mention),
                        "event_id": str(event.event_id),
                        "author_key": mention.author_key,
                        "received_at": received_at,
                        "mention": mention.model_dump(mode="json"),
                    }
                    for mention, event in zip(mentions, events, strict=True)
                ],
                session=session,
            )
            await outbox.add(
                self._db,
                session,
                [(MENTIONS_TOPIC, event.payload.author_key, event) for event in events],
            )

        async with self._db.client.start_session() as session:
            await session.with_transaction(write)
