"""Internal notes on cases, in MongoDB: once per note id, in the order they were written."""

from uuid import UUID

from pymongo import ASCENDING, IndexModel

from rapport.mongo import Database
from responder.domain.notes import Note

INDEXES = {"notes": [IndexModel([("case_id", ASCENDING), ("created_at", ASCENDING)])]}


class MongoNotes:
    def __init__(self, db: Database) -> None:
        self._notes = db["notes"]

    async def add(self, note: Note) -> Note:
        await self._notes.update_one(
            {"_id": note.id}, {"$setOnInsert": note.model_dump(by_alias=True)}, upsert=True
        )
        found = await self._notes.find_one({"_id": note.id})
        assert found is not None
        return Note.model_validate(found)

    async def of_case(self, case_id: UUID) -> list[Note]:
        cursor = self._notes.find({"case_id": case_id}).sort("created_at", ASCENDING)
        return [Note.model_validate(doc) for doc in await cursor.to_list()]
