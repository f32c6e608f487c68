"""Purchases and referrals posted by external systems, remembered by their own id so a retry
gets the same answer and a different body under the same id is refused."""

from uuid import UUID

from pymongo.errors import DuplicateKeyError

from loyalty.errors import IdempotencyConflict
from rapport.mongo import Database, Document


class MongoIntake:
    def __init__(self, db: Database) -> None:
        self._intake = db["intake"]

    async def remember(self, key: str, body: Document, profile_ids: list[UUID]) -> None:
        """Record ``body`` under ``key``; the same body again is fine, another is a conflict."""
        try:
            await self._intake.insert_one({"_id": key, "body": body, "profile_ids": profile_ids})
        except DuplicateKeyError:
            first = await self._intake.find_one({"_id": key})
            if first is None or first["body"] != body:
                raise IdempotencyConflict(
                    f"{key} was already posted with a different body"
                ) from None
