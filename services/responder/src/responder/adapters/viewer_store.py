"""Who has a case open in the console: each agent's heartbeat, kept for ``ttl`` (a TTL index
removes stale ones; reads also ignore any the TTL monitor has not reached yet)."""

from datetime import datetime, timedelta
from uuid import UUID

from pydantic import BaseModel
from pymongo import ASCENDING, IndexModel

from rapport.mongo import Database

INDEXES = {
    "viewers": [
        IndexModel("expires_at", expireAfterSeconds=0),
        IndexModel([("case_id", ASCENDING), ("expires_at", ASCENDING)]),
    ]
}


class Viewer(BaseModel):
    agent: str
    seen_at: datetime


class MongoViewers:
    def __init__(self, db: Database, ttl: timedelta) -> None:
        self._viewers = db["viewers"]
        self._ttl = ttl

    async def seen(self, case_id: UUID, agent: str, now: datetime) -> None:
        beat = {"case_id": case_id, "agent": agent, "seen_at": now, "expires_at": now + self._ttl}
        await self._viewers.update_one(
            {"_id": {"case_id": case_id, "agent": agent}}, {"$set": beat}, upsert=True
        )

    async def of_case(self, case_id: UUID, now: datetime) -> list[Viewer]:
        query = {"case_id": case_id, "expires_at": {"$gt": now}}
        docs = await self._viewers.find(query).sort("agent", ASCENDING).to_list()
        return [Viewer.model_validate(doc) for doc in docs]

    async def forget_cases(self, case_ids: list[UUID]) -> int:
        deleted = await self._viewers.delete_many({"case_id": {"$in": case_ids}})
        return deleted.deleted_count
