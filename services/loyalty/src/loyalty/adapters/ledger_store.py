"""The append-only ledger in MongoDB. An earning entry is keyed ``rule:cause``; it is
``credited`` (in the balance), ``held`` (waiting for a human) or ``rejected``. Redemptions and
expiries are entries with negative points. What an entry decides is decided in ``domain/``;
bound to a session, this store reads and writes inside its transaction."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.read_concern import ReadConcern

from loyalty.adapters import in_transaction
from loyalty.adapters.standing import read_standing
from loyalty.domain.crediting import Candidate, Standing
from loyalty.domain.guardrails import Verdict
from rapport.mongo import Database, Document

Session = AsyncClientSession
EXPIRING_AT_ONCE = 1000


class MongoLedger:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._ledger = db["ledger"]
        self._session = session

    async def standing(self, c: Candidate, *, now: datetime, tier_window: timedelta) -> Standing:
        assert self._session is not None, "an earning reads its standing in its transaction"
        return await read_standing(
            self._db,
            profile_id=c.profile_id,
            entry_id=c.entry_id,
            rule=c.rule,
            now=now,
            tier_window=tier_window,
            session=self._session,
        )

    async def entry(self, entry_id: str) -> Document | None:
        return await self._ledger.find_one({"_id": entry_id, "kind": "earn"}, session=self._session)

    async def add(self, entry: Mapping[str, Any]) -> None:
        await self._ledger.insert_one(dict(entry), session=self._session)

    async def update(self, entry_id: str, fields: Mapping[str, Any]) -> None:
        await self._ledger.update_one(
            {"_id": entry_id}, {"$set": dict(fields)}, session=self._session
        )

    async def due(self, profile_id: UUID, now: datetime) -> list[tuple[str, int]]:
        found = self._ledger.find(
            _due(now) | {"profile_id": profile_id}, {"points": 1}, session=self._session
        )
        due = await found.sort("expires_at", ASCENDING).limit(EXPIRING_AT_ONCE).to_list()
        return [(d["_id"], d["points"]) for d in due]

    async def settle(self, entry_ids: Sequence[str]) -> None:
        await self._ledger.update_many(
            {"_id": {"$in": list(entry_ids)}}, {"$set": {"settled": True}}, session=self._session
        )

    async def window(self, profile_id: UUID, since: datetime) -> tuple[int, datetime | None]:
        pipeline: list[Document] = [
            {"$match": {"profile_id": profile_id, "kind": "earn", "status": "credited"}},
            {"$match": {"credited_at": {"$gte": since}}},
            {
                "$group": {
                    "_id": None,
                    "points": {"$sum": "$points"},
                    "oldest": {"$min": "$credited_at"},
                }
            },
        ]
        found = await (await self._ledger.aggregate(pipeline, session=self._session)).to_list()
        return (found[0]["points"], found[0]["oldest"]) if found else (0, None)

    async def held(self, limit: int) -> list[Document]:
        cursor = self._ledger.find({"status": Verdict.HOLD.value}).sort("at", ASCENDING)
        return await cursor.limit(limit).to_list()

    async def due_for_expiry(self, now: datetime, limit: int) -> list[UUID]:
        pipeline: list[Document] = [
            {"$match": _due(now)},
            {"$group": {"_id": "$profile_id"}},
            {"$limit": limit},
        ]
        return [doc["_id"] async for doc in await self._ledger.aggregate(pipeline)]

    async def member(self, profile_id: UUID, *, entries: int) -> Document | None:
        """The member with their newest entries, read from one snapshot so they agree."""

        async def read(s: Session) -> Document | None:
            member = await self._db["members"].find_one({"_id": profile_id}, session=s)
            if member is None:
                return None
            newest = self._ledger.find({"profile_id": profile_id}, session=s)
            member["ledger"] = await newest.sort("at", DESCENDING).limit(entries).to_list()
            return member

        return await in_transaction(self._db, read, ReadConcern("snapshot"))


def _due(now: datetime) -> Document:
    return {"settled": False, "status": "credited", "expires_at": {"$lte": now}}
