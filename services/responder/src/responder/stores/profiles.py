"""The latest known stage and value of each profile (from ``crm.profiles``), for priority."""

from uuid import UUID

from pymongo import IndexModel, ReturnDocument

from rapport.events import ProfileSnapshot, RelationshipStage
from rapport.mongo import Database, Document
from responder.domain.brand_health import StageCounts

PROFILES = "profiles"
INDEXES = {PROFILES: [IndexModel("stage")]}


class ProfileCache:
    def __init__(self, db: Database) -> None:
        self._profiles = db[PROFILES]

    async def remember(self, profile: ProfileSnapshot) -> set[RelationshipStage]:
        """Keep the snapshot unless a later one (by ``last_seen``) is already kept; the stages
        whose number of profiles this changed."""
        document = profile.model_dump(mode="python")
        kept_since = {"$ifNull": ["$last_seen", None]}  # None: nothing kept yet
        newer = {"$lte": [kept_since, profile.last_seen]}
        kept = {"$mergeObjects": ["$$ROOT", {"$literal": document}]}
        before = await self._profiles.find_one_and_update(
            {"_id": profile.profile_id},
            [{"$replaceWith": {"$cond": [newer, kept, "$$ROOT"]}}],
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return {profile.stage}
        if before["last_seen"] > profile.last_seen or before["stage"] == profile.stage.value:
            return set()
        return {RelationshipStage(before["stage"]), profile.stage}

    async def get(self, profile_id: UUID) -> ProfileSnapshot | None:
        kept = await self._profiles.find_one({"_id": profile_id}, {"_id": 0})
        return None if kept is None else ProfileSnapshot.model_validate(kept)

    async def fans_and_evangelists(self) -> StageCounts:
        fan, evangelist = RelationshipStage.FAN.value, RelationshipStage.EVANGELIST.value
        pipeline: list[Document] = [
            {"$match": {"stage": {"$in": [fan, evangelist]}}},
            {"$group": {"_id": "$stage", "n": {"$sum": 1}}},
        ]
        rows = await (await self._profiles.aggregate(pipeline)).to_list()
        counts = {row["_id"]: row["n"] for row in rows}
        return counts.get(fan, 0), counts.get(evangelist, 0)

    async def forget(self, profile_ids: list[UUID]) -> int:
        deleted = await self._profiles.delete_many({"_id": {"$in": profile_ids}})
        return deleted.deleted_count
