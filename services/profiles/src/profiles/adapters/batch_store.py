"""Profiles' batches in MongoDB: mention batches and case-change batches, each read with a
query per collection and written with one bulk command per collection, in one transaction
(``mention_batches`` and ``case_batches`` work them out in memory)."""

from collections.abc import Sequence
from uuid import UUID

from pymongo import DESCENDING, ReplaceOne

from profiles.adapters.case_batches import CaseState, plan_cases
from profiles.adapters.mention_batches import Writes, plan
from profiles.adapters.mongo_store import Session, Store
from profiles.domain.model import Profile
from profiles.ports import Planned, PlannedCase
from rapport.mongo import Document


class BatchStore(Store):
    _history_limit: int

    async def apply_many(self, planned: Sequence[Planned]) -> None:
        """``apply`` each of ``planned`` (by identity, with its history entry) in order, in one
        transaction. What they decide is worked out in memory (``mention_batches``) from the
        markers of their causes and the owners of their identities, read with one query each,
        before the transaction: it reads them again and, unless they changed meanwhile (then it
        works it out again), only writes, one bulk command per collection. A cause applied
        before is skipped."""
        seen = await self._batch_state(planned, None)
        writes = self._plan(planned, seen)

        async def work(session: Session) -> None:
            state = await self._batch_state(planned, session)
            current = writes if state == seen else self._plan(planned, state)
            await self._write_batch(current, session)

        await self._transaction(work)

    async def _batch_state(
        self, planned: Sequence[Planned], session: Session | None
    ) -> tuple[set[str], list[Document]]:
        """(the causes applied before, the documents of the owners of the others' identities)."""
        markers = {"_id": {"$in": [p.cause for p in planned]}}
        found = self._processed.find(
            markers, {"_id": 1}, batch_size=len(planned) + 1, session=session
        )
        applied = {d["_id"] async for d in found}
        keys = sorted({p.identity for p in planned if p.cause not in applied})
        if not keys:
            return applied, []
        owners = self._profiles.find(
            {"identities.key": {"$in": keys}}, batch_size=len(keys) + 1, session=session
        )
        # Sorted here: asked of MongoDB, the sort makes it walk the _id index past every profile.
        return applied, sorted(await owners.to_list(), key=lambda doc: doc["_id"])

    def _plan(self, planned: Sequence[Planned], state: tuple[set[str], list[Document]]) -> Writes:
        applied, owners = state
        return plan(
            planned,
            applied=applied,
            owners=[Profile.model_validate(doc) for doc in owners],
            history_limit=self._history_limit,
            as_stored=self._as_stored,
        )

    async def apply_cases(self, planned: Sequence[PlannedCase]) -> None:
        """``apply_case`` each of ``planned`` in order, in one transaction: the causes' markers,
        the cases, their owners and the owners' open complaints read with a query each, the
        batch worked out in memory (``profiles.adapters.case_batches``), one bulk command per
        collection."""

        async def work(session: Session) -> None:
            state = await self._case_state(planned, session)
            await self._write_batch(plan_cases(planned, state, as_stored=self._as_stored), session)

        await self._transaction(work)

    async def _write_batch(self, writes: Writes, session: Session) -> None:
        if not writes.markers:
            return
        if writes.cases:
            cases = [ReplaceOne({"_id": i}, doc, upsert=True) for i, doc in writes.cases.items()]
            await self._cases.bulk_write(cases, session=session)
        await self._save_all(writes.profiles.values(), session)
        if writes.history:
            await self._history.insert_many(writes.history, session=session)
        for profile_id in writes.over_limit:
            await self._trim_history(profile_id, session)
        await self._publish(writes.messages, session, writes.traces)
        await self._processed.insert_many(writes.markers, session=session)

    async def _case_state(self, planned: Sequence[PlannedCase], session: Session) -> CaseState:
        causes = {"_id": {"$in": [p.cause for p in planned]}}
        applied = {
            d["_id"] async for d in self._processed.find(causes, {"_id": 1}, session=session)
        }
        case_ids = list({p.case.case_id for p in planned})
        stored = self._cases.find({"_id": {"$in": case_ids}}, {"sequence": 1}, session=session)
        sequences = {d["_id"]: d["sequence"] async for d in stored}
        owners = await self._owners_of({p.case.profile_id for p in planned}, session)
        known = list({i for owner in owners.values() for i in owner.known_ids})
        open_cases = self._cases.find(
            {"profile_id": {"$in": known}, "open_complaint": True},
            {"profile_id": 1},
            session=session,
        )
        complaints = {d["_id"]: d["profile_id"] async for d in open_cases}
        return CaseState(applied, sequences, owners, complaints)

    async def _owners_of(self, profile_ids: set[UUID], session: Session) -> dict[UUID, Profile]:
        """The live profile each of ``profile_ids`` is, or was merged into (if any)."""
        found = self._profiles.find({"_id": {"$in": list(profile_ids)}}, session=session)
        owners = {}
        async for doc in found:
            profile = Profile.model_validate(doc)
            if profile.merged_into is not None:
                resolved, _ = await self._resolve(profile.id, session)
                if resolved is None:
                    continue
                profile = resolved
            owners[doc["_id"]] = profile
        return owners

    async def _trim_history(self, profile_id: UUID, session: Session) -> None:
        """Drop the profile's history entries older than its ``history_limit`` latest."""
        oldest_kept = await self._history.find_one(
            {"profile_id": profile_id},
            {"created_at": 1},
            sort=[("created_at", DESCENDING)],
            skip=self._history_limit - 1,
            session=session,
        )
        if oldest_kept is not None:
            await self._history.delete_many(
                {"profile_id": profile_id, "created_at": {"$lt": oldest_kept["created_at"]}},
                session=session,
            )
