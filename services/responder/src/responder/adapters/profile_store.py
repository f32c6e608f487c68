"""The latest known stage and value of each profile (from ``crm.profiles``), for priority."""

from collections.abc import Sequence
from uuid import UUID

from pymongo import IndexModel, ReturnDocument, UpdateOne

from rapport.events import ProfileSnapshot, RelationshipStage
from rapport.mongo import Database, Document
from responder.domain.brand_health import StageCounts
from responder.domain.snapshots import Kept, keep_all, moved

PROFILES = "profiles"
INDEXES = {PROFILES: [IndexModel("stage")]}


class MongoProfiles:
    def __init__(self, db: Database) -> None:
        self._profiles = db[PROFILES]

    async def remember(self, profile: ProfileSnapshot) -> set[RelationshipStage]:
        """Keep the snapshot unless a later one (by ``last_seen``) is already kept; the stages
        whose number of profiles this changed."""
        before = await self._profiles.find_one_and_update(
            {"_id": profile.profile_id},
            _kept_unless_later(profile),
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )
        return moved(None if before is None else _kept(before), profile)

    async def remember_all(self, profiles: Sequence[ProfileSnapshot]) -> set[RelationshipStage]:
        """``remember`` each, in order: the kept ones read with one query, each profile's last
        snapshot written with one guarded bulk write."""
        ids = list({p.profile_id for p in profiles})
        found = self._profiles.find({"_id": {"$in": ids}}, {"stage": 1, "last_seen": 1})
        kept = {doc["_id"]: _kept(doc) async for doc in found}
        winners, stages = keep_all(kept, profiles)
        writes = [
            UpdateOne({"_id": p.profile_id}, _kept_unless_later(p), upsert=True)
            for p in winners.values()
        ]
        if writes:
            await self._profiles.bulk_write(writes, ordered=False)
        return stages

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


def _kept_unless_later(profile: ProfileSnapshot) -> list[Document]:
    """The update that replaces the kept snapshot with ``profile`` unless it is later."""
    document = profile.model_dump(mode="python")
    kept_since = {"$ifNull": ["$last_seen", None]}  # None: nothing kept yet
    newer = {"$lte": [kept_since, profile.last_seen]}
    kept = {"$mergeObjects": ["$$ROOT", {"$literal": document}]}
    return [{"$replaceWith": {"$cond": [newer, kept, "$$ROOT"]}}]


def _kept(doc: Document) -> Kept:
    return RelationshipStage(doc["stage"]), doc["last_seen"]
