"""Parked outbox rows, for an operator: events Kafka refused for good (``rapport.outbox``) are
listed without their value, and each is either *republished* (put back in line: the relay sends
it again, and parks it again if Kafka still refuses it) or *discarded* (deleted). Either action
is recorded in ``outbox_actions`` with who, when and why, in the same transaction."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from rapport import errors
from rapport.clock import utcnow
from rapport.mongo import Database, Document, in_transaction
from rapport.outbox import COLLECTION
from rapport.outbox_backlog import PARKED

ACTIONS = "outbox_actions"
MAX_PAGE = 500
SHOWN = {"topic": 1, "event_type": 1, "parked_at": 1, "parked_reason": 1, "parked_error": 1}


class Action(StrEnum):
    REPUBLISH = "republish"
    DISCARD = "discard"


class NotParked(errors.NotFound):
    """No parked event has that id (never parked, already republished, or discarded)."""


class ParkedEvents:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._outbox = db[COLLECTION]
        self._actions = db[ACTIONS]

    async def listing(self, *, limit: int, after: str | None = None) -> list[dict[str, Any]]:
        """Parked events, oldest parked first (ties by id); ``after``: the last id of a page."""
        query: Document = dict(PARKED)
        if after is not None:
            last = await self._outbox.find_one({"_id": after, **PARKED}, {"parked_at": 1})
            if last is None:
                raise NotParked(f"no parked event {after} to page after")
            query["$or"] = [
                {"parked_at": {"$gt": last["parked_at"]}},
                {"parked_at": last["parked_at"], "_id": {"$gt": after}},
            ]
        cursor = self._outbox.find(query, SHOWN).sort([("parked_at", 1), ("_id", 1)])
        return [_public(row) async for row in cursor.limit(limit)]

    async def act(self, event_id: str, action: Action, *, by: str, note: str) -> dict[str, Any]:
        """Republish or discard one parked event; what it was."""

        async def work(session: AsyncClientSession) -> dict[str, Any]:
            row = await self._outbox.find_one({"_id": event_id, **PARKED}, session=session)
            if row is None:
                raise NotParked(f"no parked event {event_id}")
            if action is Action.REPUBLISH:
                unpark = {"$unset": {"parked_at": "", "parked_reason": "", "parked_error": ""}}
                await self._outbox.update_one({"_id": event_id}, unpark, session=session)
            else:
                await self._outbox.delete_one({"_id": event_id}, session=session)
            done = {**_public(row), "action": action.value, "by": by}
            audit = {**done, "at": utcnow(), "note": note, "key": row["key"]}
            await self._actions.insert_one(audit, session=session)
            return done

        return await in_transaction(self._db, work)


def _public(row: Document) -> dict[str, Any]:
    parked_at: datetime = row["parked_at"]
    return {
        "event_id": row["_id"],
        "topic": row["topic"],
        "event_type": row["event_type"],
        "parked_at": parked_at.isoformat(),
        "reason": row.get("parked_reason"),
        "error": row.get("parked_error"),
    }
