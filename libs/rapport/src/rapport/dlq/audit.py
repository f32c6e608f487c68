"""``dead_letter_actions``: one document per handled letter, saying who replayed or dropped it,
when and why. Its ``_id`` is the letter's position, so a letter is handled at most once."""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pymongo.errors import DuplicateKeyError

from rapport.dlq.letters import Position
from rapport.events import utcnow
from rapport.mongo import Database

COLLECTION = "dead_letter_actions"


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
    def __init__(self, db: Database) -> None:
        self._actions = db[COLLECTION]

    async def claim(self, position: Position, action: Action, *, by: str, note: str) -> None:
        """Record ``action`` on the letter, or raise ``AlreadyHandled``."""
        document = {
            "_id": str(position),
            "topic": position.topic,
            "partition": position.partition,
            "offset": position.offset,
            "action": action.value,
            "by": by,
            "at": utcnow(),
            "note": note,
        }
        try:
            await self._actions.insert_one(document)
        except DuplicateKeyError:
            done = await self._actions.find_one({"_id": str(position)})
            raise AlreadyHandled(position, done or document) from None

    async def release(self, position: Position) -> None:
        """Undo a claim whose action could not be carried out."""
        await self._actions.delete_one({"_id": str(position)})

    async def handled(self, topics: Iterable[str]) -> dict[Position, dict[str, Any]]:
        cursor = self._actions.find({"topic": {"$in": list(topics)}}, {"note": 0})
        return {Position(d["topic"], d["partition"], d["offset"]): _public(d) async for d in cursor}

    async def count(self, topic: str, partition: int, *, from_offset: int) -> int:
        return await self._actions.count_documents(
            {"topic": topic, "partition": partition, "offset": {"$gte": from_offset}}
        )


def _public(document: dict[str, Any]) -> dict[str, Any]:
    at: datetime = document["at"]
    return {"action": document["action"], "by": document["by"], "at": at.isoformat()}
