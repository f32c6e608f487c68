"""Profiles in MongoDB: each change applied once per cause, atomically with what it announces.

Every write runs in a transaction that also stores the events it causes in the outbox and a
``processed`` marker keyed by its cause (an event id, or a request id) holding the
``crm.profiles`` events it produced; a redelivered cause changes nothing (its outbox rows and
marker exist: a duplicate key) and returns the stored events.
"""

from collections.abc import Awaitable, Callable
from uuid import UUID

from pymongo.errors import DuplicateKeyError

from profiles.adapters.batch_store import BatchStore
from profiles.adapters.case_batches import case_document
from profiles.adapters.mongo_store import Session, marker, mention_count
from profiles.domain.model import Profile
from profiles.errors import IdentityTaken, UnknownProfile
from profiles.ports import (
    Applied,
    Change,
    Decide,
)
from rapport.events import CaseChange, ProfileChanged
from rapport.mongo import Database, Document


class MongoProfiles(BatchStore):
    def __init__(self, db: Database, *, history_limit: int = 200) -> None:
        super().__init__(db)
        self._history_limit = history_limit

    async def get(self, profile_id: UUID) -> tuple[Profile | None, UUID | None]:
        return await self._resolve(profile_id)

    async def apply(
        self,
        cause: str,
        decide: Decide,
        *,
        identity: str | None = None,
        profile_id: UUID | None = None,
        history: Document | None = None,
    ) -> Applied:
        """Apply ``decide`` to the profile holding ``identity`` (or ``profile_id``) once.

        The marker is written last: a cause applied before fails there (or on its history
        entry or outbox rows) with a duplicate key, the transaction is dropped and the stored
        result returned.
        """

        async def work(session: Session) -> Applied:
            if identity is not None:
                before = await self._owner(identity, session)
            else:
                assert profile_id is not None
                before, _ = await self._resolve(profile_id, session)
            change = decide(before)
            if change is None:
                await self._mark(cause, None, [], session)
                return Applied(before, [], True)
            await self._save(change.profile, session)
            if history is not None:
                await self._record_history(change.profile, history, session)
            await self._publish(change.messages(), session)
            await self._mark(cause, change.profile.id, change.events, session)
            return Applied(change.profile, change.events, True)

        return await self._once(cause, work)

    async def apply_case(
        self, cause: str, case: CaseChange, decide: Callable[[Profile, int], Change]
    ) -> Applied:
        """Keep the case's latest change; recount the owner's open complaints and apply. Like
        ``apply``, a cause applied before fails on its marker (or outbox rows), written last."""

        async def work(session: Session) -> Applied:
            stored = await self._cases.find_one({"_id": case.case_id}, session=session)
            before, _ = await self._resolve(case.profile_id, session)
            if before is None or (stored is not None and stored["sequence"] >= case.sequence):
                await self._mark(cause, None, [], session)
                return Applied(before, [], True)
            await self._cases.replace_one(
                {"_id": case.case_id}, case_document(case), upsert=True, session=session
            )
            query = {"profile_id": {"$in": before.known_ids}, "open_complaint": True}
            count = await self._cases.count_documents(query, session=session)
            change = decide(before, count)
            await self._save(change.profile, session)
            await self._publish(change.messages(), session)
            await self._mark(cause, change.profile.id, change.events, session)
            return Applied(change.profile, change.events, True)

        return await self._once(cause, work)

    async def create(self, change: Change) -> Profile:
        """Store a new profile with its announcements, or return the one stored under its id;
        IdentityTaken if one of its identities belongs to another."""
        profile = change.profile

        async def work(session: Session) -> Profile:
            existing = await self._find({"_id": profile.id}, session)
            if existing is not None:
                return existing
            for identity in profile.identities:
                owner = await self._owner(identity.key, session)
                if owner is not None:
                    raise IdentityTaken(identity.kind, owner.id)
            await self._save(profile, session)
            await self._publish(change.messages(), session)
            return profile

        return await self._transaction(work)

    async def link(self, profile_id: UUID, key: str, kind: str, decide: Decide) -> Applied:
        """Apply ``decide`` (adding the identity ``key``) unless another profile holds it."""

        async def work(session: Session) -> Applied:
            before, _ = await self._resolve(profile_id, session)
            if before is None:
                raise UnknownProfile(profile_id)
            owner = await self._owner(key, session)
            if owner is not None and owner.id != before.id:
                raise IdentityTaken(kind, owner.id)
            change = decide(before)
            if owner is not None or change is None:
                return Applied(before, [], False)
            await self._save(change.profile, session)
            await self._publish(change.messages(), session)
            return Applied(change.profile, change.events, True)

        return await self._transaction(work)

    async def _once(self, cause: str, work: Callable[[Session], Awaitable[Applied]]) -> Applied:
        """Run ``work`` in a transaction, or return what ``cause`` did before (a duplicate key)."""
        try:
            return await self._transaction(work)
        except DuplicateKeyError:
            replayed = await self._replayed(cause)
            if replayed is None:
                raise
            return replayed

    async def _replayed(self, cause: str, session: Session | None = None) -> Applied | None:
        marker = await self._processed.find_one({"_id": cause}, session=session)
        if marker is None:
            return None
        profile = None
        if marker.get("profile_id") is not None:
            profile, _ = await self._resolve(marker["profile_id"], session)
        events = [ProfileChanged.model_validate(e) for e in marker.get("events", [])]
        return Applied(profile, events, False)

    async def _mark(
        self, cause: str, profile_id: UUID | None, events: list[ProfileChanged], session: Session
    ) -> None:
        await self._processed.insert_one(marker(cause, profile_id, events), session=session)

    async def _record_history(self, profile: Profile, doc: Document, session: Session) -> None:
        await self._history.insert_one({**doc, "profile_id": profile.id}, session=session)
        if mention_count(profile) > self._history_limit:
            await self._trim_history(profile.id, session)
