"""The append-only ledger and member balances, written together in one transaction."""

from typing import Any, Protocol
from uuid import UUID

from pymongo import DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from rapport.events import AwardedPoints, utcnow
from rapport.mongo import Database, Document

INDEXES = {"ledger": [IndexModel([("profile_id", 1), ("at", DESCENDING)])]}


class Ledger(Protocol):
    async def award(self, award: AwardedPoints) -> AwardedPoints: ...

    async def member(self, profile_id: UUID, *, entries: int) -> Document | None: ...


class MongoLedger:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._ledger = db["ledger"]
        self._members = db["members"]

    async def award(self, award: AwardedPoints) -> AwardedPoints:
        """Write the entry and credit the balance once; a repeat returns the first entry."""
        result: dict[str, Any] = {}

        async def write(session: AsyncClientSession) -> None:
            result.clear()
            if await self._ledger.find_one({"_id": award.entry_id}, {"_id": 1}, session=session):
                return
            member = await self._members.find_one_and_update(
                {"_id": award.profile_id},
                {"$inc": {"balance": award.points, "lifetime_points": award.points}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            assert member is not None  # upserted
            entry = award.model_copy(update={"balance": member["balance"]})
            await self._ledger.insert_one(
                {"_id": entry.entry_id, **entry.model_dump(exclude={"entry_id"}), "at": utcnow()},
                session=session,
            )
            result["entry"] = entry

        try:
            async with self._db.client.start_session() as session:
                await session.with_transaction(write)
        except DuplicateKeyError:  # a concurrent delivery of the same cause won
            result.clear()
        if "entry" in result:
            entry: AwardedPoints = result["entry"]
            return entry
        first = await self._ledger.find_one({"_id": award.entry_id})
        assert first is not None
        return AwardedPoints(entry_id=first["_id"], **_fields(first))

    async def member(self, profile_id: UUID, *, entries: int) -> Document | None:
        member = await self._members.find_one({"_id": profile_id})
        if member is None:
            return None
        cursor = self._ledger.find({"profile_id": profile_id}).sort("at", DESCENDING)
        member["ledger"] = await cursor.limit(entries).to_list()
        return member


def _fields(doc: Document) -> Document:
    return {k: doc[k] for k in AwardedPoints.model_fields if k != "entry_id"}
