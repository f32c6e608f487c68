"""``ProfileQueries`` on MongoDB: look-ups by identity or handle, filtered pages of profiles,
a profile's history, look-alike candidates and the audit trail."""

from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING

from profiles.adapters.mongo_store import Store, from_doc
from profiles.domain.lookalikes import match_keys
from profiles.domain.model import Profile
from profiles.ports import LOOKALIKE_CANDIDATES
from rapport.mongo import Document


class MongoProfileQueries(Store):
    async def by_identity(self, key: str) -> Profile | None:
        return await self._owner(key)

    async def by_handle(self, handle_key: str) -> Profile | None:
        return await self._find({"handle_keys": handle_key.lower()})

    async def page(
        self, *, stage: str | None, segment: str | None, after: UUID | None, limit: int
    ) -> list[Profile]:
        """Live profiles in id order, after ``after``; the values are enum members, not input."""
        query: dict[str, Any] = {"merged_into": None}
        if stage is not None:
            query["stage"] = stage
        if segment is not None:
            query["segment"] = segment
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self._profiles.find(query).sort("_id", ASCENDING).limit(limit)
        return [p for doc in await cursor.to_list() if (p := from_doc(doc)) is not None]

    async def history(self, profile: Profile, limit: int) -> list[Document]:
        cursor = (
            self._history.find({"profile_id": {"$in": profile.known_ids}})
            .sort("created_at", DESCENDING)
            .limit(limit)
        )
        return await cursor.to_list()

    async def lookalike_candidates(self, profile: Profile) -> list[Profile]:
        keys = match_keys(profile)
        if not keys:
            return []
        query = {"match_keys": {"$in": keys}, "merged_into": None, "_id": {"$ne": profile.id}}
        docs = await self._profiles.find(query).limit(LOOKALIKE_CANDIDATES).to_list()
        return [p for doc in docs if (p := from_doc(doc)) is not None]

    async def audit_trail(self, profile: Profile, limit: int = 100) -> list[Document]:
        cursor = (
            self._audit.find({"profile_ids": {"$in": profile.known_ids}}, {"snapshots": 0})
            .sort("at", DESCENDING)
            .limit(limit)
        )
        return await cursor.to_list()

    async def reject(self, profile_id: UUID, other_id: UUID) -> None:
        for one, other in ((profile_id, other_id), (other_id, profile_id)):
            await self._profiles.update_one(
                {"_id": one}, {"$addToSet": {"rejected_suggestions": other}}
            )
