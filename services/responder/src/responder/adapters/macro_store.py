"""Saved replies (macros) in MongoDB, listed by name."""

from uuid import UUID

from pymongo import ASCENDING, IndexModel

from rapport.mongo import Database
from responder.domain.macros import Macro

INDEXES = {"macros": [IndexModel("name")]}


class MongoMacros:
    def __init__(self, db: Database) -> None:
        self._macros = db["macros"]

    async def put(self, macro: Macro) -> Macro:
        await self._macros.replace_one(
            {"_id": macro.id}, macro.model_dump(by_alias=True), upsert=True
        )
        return macro

    async def get(self, macro_id: UUID) -> Macro | None:
        found = await self._macros.find_one({"_id": macro_id})
        return None if found is None else Macro.model_validate(found)

    async def all(self) -> list[Macro]:
        cursor = self._macros.find().sort([("name", ASCENDING), ("_id", ASCENDING)])
        return [Macro.model_validate(doc) for doc in await cursor.to_list()]

    async def delete(self, macro_id: UUID) -> bool:
        return (await self._macros.delete_one({"_id": macro_id})).deleted_count == 1
