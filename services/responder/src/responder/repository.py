"""Cases in MongoDB. At most one open case per profile (a unique partial index guarantees it)."""

from typing import Protocol
from uuid import UUID

from pymongo import DESCENDING, IndexModel

from rapport.events import OpenedCase
from rapport.mongo import Database, Document

OPEN = "open"
INDEXES = {
    "cases": [
        IndexModel(
            "profile_id",
            name="one_open_case_per_profile",
            unique=True,
            partialFilterExpression={"state": OPEN},
        ),
        IndexModel([("state", 1), ("opened_at", DESCENDING)]),
    ]
}


class CaseRepository(Protocol):
    async def open_case_of(self, profile_id: UUID) -> Document | None: ...

    async def open(self, case: OpenedCase) -> None: ...

    async def add_mention(self, case_id: UUID, mention_event_id: UUID) -> None: ...

    async def list(
        self, *, profile_id: UUID | None, state: str | None, limit: int
    ) -> list[Document]: ...


class MongoCases:
    def __init__(self, db: Database) -> None:
        self._cases = db["cases"]

    async def open_case_of(self, profile_id: UUID) -> Document | None:
        return await self._cases.find_one({"profile_id": profile_id, "state": OPEN})

    async def open(self, case: OpenedCase) -> None:
        await self._cases.insert_one(
            {
                "_id": case.case_id,
                "profile_id": case.profile_id,
                "state": OPEN,
                "queue": case.queue,
                "priority": case.priority.value,
                "opened_at": case.opened_at,
                "opened_by_mention": case.opened_by_mention,
                "mention_ids": [case.opened_by_mention],
            }
        )

    async def add_mention(self, case_id: UUID, mention_event_id: UUID) -> None:
        await self._cases.update_one(
            {"_id": case_id, "mention_ids": {"$ne": mention_event_id}},
            {"$push": {"mention_ids": mention_event_id}},
        )

    async def list(
        self, *, profile_id: UUID | None, state: str | None, limit: int
    ) -> list[Document]:
        query: Document = {}
        if profile_id is not None:
            query["profile_id"] = profile_id
        if state is not None:
            query["state"] = state
        cursor = self._cases.find(query).sort("opened_at", DESCENDING).limit(limit)
        return await cursor.to_list()
