"""Merges and unmerges in MongoDB, each one transaction with its audit entry and its events.

The audit entry of a merge keeps the absorbed profiles as they were (``snapshots``), so an
unmerge knows which identities and commerce parts to give back.
"""

from uuid import UUID

from profiles.adapters.mongo_store import Session, Store, to_doc
from profiles.domain.model import Profile
from profiles.errors import MergeRefused, UnknownProfile
from profiles.ports import Action, Change, Complaints, MergeDecision, UnmergeDecision


class MongoMerges(Store):
    async def merge(
        self,
        survivor_id: UUID,
        absorbed_ids: list[UUID],
        decide: MergeDecision,
        action: Action,
    ) -> Change:
        async def work(session: Session) -> Change:
            survivor = await self._live(survivor_id, session)
            absorbed: dict[UUID, Profile] = {}
            for profile_id in absorbed_ids:
                found = await self._live(profile_id, session)
                if found.id == survivor.id:
                    raise MergeRefused(f"profile {profile_id} is already part of {survivor.id}")
                absorbed[found.id] = found
            everyone = [*survivor.known_ids, *(i for a in absorbed.values() for i in a.known_ids)]
            change, tombstones = decide(
                survivor, list(absorbed.values()), await self._complaints(everyone, session)
            )
            for tombstone in tombstones:
                await self._save(tombstone, session)
            await self._save(change.profile, session)
            gone = [i for a in absorbed.values() for i in a.known_ids]
            await self._profiles.update_many(
                {"_id": {"$in": gone}}, {"$set": {"merged_into": survivor.id}}, session=session
            )
            await self._history.update_many(
                {"profile_id": {"$in": gone}},
                {"$set": {"profile_id": survivor.id}},
                session=session,
            )
            await self._audit_entry(
                {
                    **action.entry("merged"),
                    "profile_ids": [survivor.id, *gone],
                    "survivor": survivor.id,
                    "absorbed": list(absorbed),
                    "snapshots": [to_doc(a) for a in absorbed.values()],
                    "undone": None,
                },
                session,
            )
            await self._publish(change.messages(), session)
            return change

        return await self._transaction(work)

    async def unmerge(
        self,
        survivor_id: UUID,
        absorbed_id: UUID,
        decide: UnmergeDecision,
        action: Action,
    ) -> tuple[Change, Change]:
        async def work(session: Session) -> tuple[Change, Change]:
            survivor = await self._live(survivor_id, session)
            entry = await self._audit.find_one(
                {"action": "merged", "absorbed": absorbed_id, "undone": None},
                sort=[("at", -1)],
                session=session,
            )
            if entry is None or absorbed_id not in survivor.absorbed:
                raise MergeRefused(f"profile {absorbed_id} is not merged into {survivor.id}")
            snapshot = next(s for s in entry["snapshots"] if s["_id"] == absorbed_id)
            at_merge = Profile.model_validate(snapshot)
            complaints = await self._complaints(survivor.known_ids, session)
            kept, restored = decide(survivor, at_merge, complaints)
            await self._save(kept.profile, session)
            await self._save(restored.profile, session)
            await self._profiles.update_many(
                {"_id": {"$in": restored.profile.absorbed}},
                {"$set": {"merged_into": restored.profile.id}},
                session=session,
            )
            keys = [i.key for i in restored.profile.identities]
            await self._history.update_many(
                {"profile_id": survivor.id, "identity": {"$in": keys}},
                {"$set": {"profile_id": restored.profile.id}},
                session=session,
            )
            await self._audit.update_one(
                {"_id": entry["_id"]}, {"$set": {"undone": action.at}}, session=session
            )
            await self._audit_entry(
                {
                    **action.entry("unmerged"),
                    "profile_ids": [survivor.id, absorbed_id],
                    "survivor": survivor.id,
                    "absorbed": [absorbed_id],
                },
                session,
            )
            await self._publish([*kept.messages(), *restored.messages()], session)
            return kept, restored

        return await self._transaction(work)

    async def _live(self, profile_id: UUID, session: Session) -> Profile:
        found, _ = await self._resolve(profile_id, session)
        if found is None:
            raise UnknownProfile(profile_id)
        return found

    async def _complaints(self, ids: list[UUID], session: Session) -> Complaints:
        cursor = await self._cases.aggregate(
            [
                {"$match": {"profile_id": {"$in": ids}, "open_complaint": True}},
                {"$group": {"_id": "$profile_id", "n": {"$sum": 1}}},
            ],
            session=session,
        )
        return {doc["_id"]: doc["n"] async for doc in cursor}
