"""In-memory implementations of ``profiles.ports`` for unit tests; the contract tests
(``tests/contract``) hold them to what the MongoDB adapters do."""

from collections.abc import Callable, Sequence
from uuid import UUID

from profiles.case_batches import is_open_complaint
from profiles.domain.model import Profile
from profiles.errors import IdentityTaken, UnknownProfile
from profiles.ports import Applied, Change, Decide, Document, Message, Planned, PlannedCase
from profiles.store import MAX_MERGE_HOPS
from rapport.events import CaseChange, ProfileChanged


class FakeProfiles:
    """``ProfileStore`` in dictionaries: ``outbox`` holds what changes announced, in order."""

    def __init__(self) -> None:
        self.profiles: dict[UUID, Profile] = {}
        self.processed: dict[str, tuple[UUID | None, list[ProfileChanged]]] = {}
        self.history: list[Document] = []
        self.cases: dict[UUID, CaseChange] = {}
        self.outbox: list[Message] = []

    def owner(self, key: str) -> Profile | None:
        return next((p for p in self.profiles.values() if p.identity(key)), None)

    async def get(self, profile_id: UUID) -> tuple[Profile | None, UUID | None]:
        found, hops = self.profiles.get(profile_id), 0
        while found is not None and found.merged_into is not None and hops < MAX_MERGE_HOPS:
            found, hops = self.profiles.get(found.merged_into), hops + 1
        if found is None:
            return None, None
        return found, profile_id if found.id != profile_id else None

    async def apply(
        self,
        cause: str,
        decide: Decide,
        *,
        identity: str | None = None,
        profile_id: UUID | None = None,
        history: Document | None = None,
    ) -> Applied:
        if cause in self.processed:
            return await self._replayed(cause)
        if identity is not None:
            before = self.owner(identity)
        else:
            assert profile_id is not None
            before, _ = await self.get(profile_id)
        change = decide(before)
        if change is None:
            self.processed[cause] = (None, [])
            return Applied(before, [], True)
        self._store(change)
        if history is not None:
            self.history.append({**history, "profile_id": change.profile.id})
        self.processed[cause] = (change.profile.id, change.events)
        return Applied(change.profile, change.events, True)

    async def apply_many(self, planned: Sequence[Planned]) -> None:
        for item in planned:
            await self.apply(item.cause, item.decide, identity=item.identity, history=item.history)

    async def apply_case(
        self, cause: str, case: CaseChange, decide: Callable[[Profile, int], Change]
    ) -> Applied:
        if cause in self.processed:
            return await self._replayed(cause)
        before, _ = await self.get(case.profile_id)
        known = self.cases.get(case.case_id)
        if before is None or (known is not None and known.sequence >= case.sequence):
            self.processed[cause] = (None, [])
            return Applied(before, [], True)
        self.cases[case.case_id] = case
        owners = set(before.known_ids)
        complaints = sum(
            c.profile_id in owners and is_open_complaint(c) for c in self.cases.values()
        )
        change = decide(before, complaints)
        self._store(change)
        self.processed[cause] = (change.profile.id, change.events)
        return Applied(change.profile, change.events, True)

    async def apply_cases(self, planned: Sequence[PlannedCase]) -> None:
        for item in planned:
            await self.apply_case(item.cause, item.case, item.decide)

    async def create(self, change: Change) -> Profile:
        existing = self.profiles.get(change.profile.id)
        if existing is not None:
            return existing
        for identity in change.profile.identities:
            owner = self.owner(identity.key)
            if owner is not None:
                raise IdentityTaken(identity.kind, owner.id)
        self._store(change)
        return change.profile

    async def link(self, profile_id: UUID, key: str, kind: str, decide: Decide) -> Applied:
        before, _ = await self.get(profile_id)
        if before is None:
            raise UnknownProfile(profile_id)
        owner = self.owner(key)
        if owner is not None and owner.id != before.id:
            raise IdentityTaken(kind, owner.id)
        change = decide(before)
        if owner is not None or change is None:
            return Applied(before, [], False)
        self._store(change)
        return Applied(change.profile, change.events, True)

    def _store(self, change: Change) -> None:
        self.profiles[change.profile.id] = change.profile
        self.outbox.extend(change.messages())

    async def _replayed(self, cause: str) -> Applied:
        profile_id, events = self.processed[cause]
        profile = None if profile_id is None else (await self.get(profile_id))[0]
        return Applied(profile, events, False)
