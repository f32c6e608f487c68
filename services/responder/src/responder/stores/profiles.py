"""The latest known stage and value of each profile (from ``crm.profiles``), for priority."""

from uuid import UUID

from pymongo import IndexModel

from rapport.events import ProfileSnapshot, RelationshipStage
from rapport.mongo import Database
from responder.domain.brand_health import StageCounts

PROFILES = "profiles"
INDEXES = {PROFILES: [IndexModel("stage")]}


class ProfileCache:
    def __init__(self, db: Database) -> None:
        self._profiles = db[PROFILES]

    async def remember(self, profile: ProfileSnapshot) -> None:
        """Keep the snapshot unless a later one (by ``last_seen``) is already kept."""
        document = profile.model_dump(mode="python")
        await self._profiles.update_one(
            {"_id": profile.profile_id, "last_seen": {"$lte": profile.last_seen}},
            {"$set": document},
            upsert=False,
        )
        await self._profiles.update_one(
            {"_id": profile.profile_id}, {"$setOnInsert": document}, upsert=True
        )

    async def get(self, profile_id: UUID) -> ProfileSnapshot | None:
        kept = await self._profiles.find_one({"_id": profile_id}, {"_id": 0})
        return None if kept is None else ProfileSnapshot.model_validate(kept)

    async def fans_and_evangelists(self) -> StageCounts:
        fans = await self._profiles.count_documents({"stage": RelationshipStage.FAN.value})
        evangelists = await self._profiles.count_documents(
            {"stage": RelationshipStage.EVANGELIST.value}
        )
        return fans, evangelists

    async def forget(self, profile_ids: list[UUID]) -> int:
        deleted = await self._profiles.delete_many({"_id": {"$in": profile_ids}})
        return deleted.deleted_count
