"""``dead_letter_actions``: one document per handled letter, saying who replayed or dropped it,
when and why. Its ``_id`` is the letter's position, so a letter is handled at most once; an
action is claimed (``done: false``) before it is carried out and completed after."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo.errors import DuplicateKeyError

from rapport.clock import utcnow
from rapport.dlq.letters import Position
from rapport.mongo import Database

COLLECTION = "dead_letter_actions"
STALE_CLAIM = timedelta(minutes=5)


class Action(StrEnum):
    REPLAY = "replay"
    DROP = "drop"


class AlreadyHandled(Exception):
    """The letter was replayed or dropped before."""

    def __init__(self, position: Position, done: dict[str, Any]) -> None:
        super().__init__(
            f"dead letter {position} was already handled: {done['action']} by {done['by']}"
            f" at {done['at'].isoformat()}"
        )
        self.done = done


class ActionLog:
    def __init__(self, db: Database, *, stale_after: timedelta = STALE_CLAIM) -> None:
        self._actions = db[COLLECTION]
        self._stale_after = stale_after

    async def claim(self, position: Position, action: Action, *, by: str, note: str) -> None:
        """Record ``action`` on the letter as begun, or raise ``AlreadyHandled``. A claim
        that was never completed (the process died mid-replay) may be taken over once stale."""
        now = utcnow()
        document = {
            "topic": position.topic,
            "partition": position.partition,
            "offset": position.offset,
            "action": action.value,
            "by": by,
            "at": now,
            "note": note,
            "done": False,
        }
        try:
            await self._actions.insert_one({"_id": str(position), **document})
            return
        except DuplicateKeyError:
            pass
        abandoned = {"_id": str(position), "done": False, "at": {"$lt": now - self._stale_after}}
        if await self._actions.find_one_and_update(abandoned, {"$set": document}) is None:
            found = await self._actions.find_one({"_id": str(position)})
            raise AlreadyHandled(position, found or document)

    async def complete(self, position: Position) -> None:
        await self._actions.update_one({"_id": str(position)}, {"$set": {"done": True}})

    async def release(self, position: Position) -> None:
        """Undo a claim whose action could not be carried out."""
        await self._actions.delete_one({"_id": str(position), "done": False})

    async def handled(self, topics: Iterable[str]) -> dict[Position, dict[str, Any]]:
        """The completed actions on ``topics``' letters."""
        query = {"topic": {"$in": list(topics)}, "done": True}
        cursor = self._actions.find(query, {"note": 0})
        return {Position(d["topic"], d["partition"], d["offset"]): _public(d) async for d in cursor}

    async def count(self, topic: str, partition: int, *, from_offset: int) -> int:
        query = {"topic": topic, "partition": partition, "offset": {"$gte": from_offset}}
        return await self._actions.count_documents({**query, "done": True})


def _public(document: dict[str, Any]) -> dict[str, Any]:
    at: datetime = document["at"]
    return {"action": document["action"], "by": document["by"], "at": at.isoformat()}
