"""In-memory implementations of ``profiles.ports`` for unit tests; the contract tests
(``tests/contract``) hold them to what the MongoDB adapters do."""

import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID

from profiles.domain.complaints import is_open_complaint
from profiles.domain.lookalikes import match_keys
from profiles.domain.model import Clock, Identity, IdentityKind, Profile
from profiles.domain.privacy_deadline import PrivacySchedule, confirmation, new_record
from profiles.domain.rules import Rules
from profiles.errors import IdentityTaken, MergeRefused, UnknownProfile
from profiles.ports import (
    ANNOUNCE_BATCH,
    LOOKALIKE_CANDIDATES,
    MAX_MERGE_HOPS,
    Action,
    Applied,
    Change,
    Complaints,
    Decide,
    Document,
    MergeDecision,
    Message,
    Planned,
    PlannedCase,
    Ports,
    UnmergeDecision,
)
from rapport.events import (
    CaseChange,
    PrivacyAnswer,
    PrivacyRequest,
    PrivacyRequested,
    ProfileChanged,
)
from rapport.privacy import PRIVACY_TOPIC

SCHEDULE = PrivacySchedule(deadline_s=86_400.0, first_retry_s=60.0, max_retry_s=3_600.0)
"""A day to answer; asked again after a minute, doubling up to an hour (the defaults)."""


class FakeProfiles:
    """``ProfileStore`` in dictionaries: ``outbox`` holds what changes announced, in order."""

    def __init__(self) -> None:
        self.profiles: dict[UUID, Profile] = {}
        self.processed: dict[str, tuple[UUID | None, list[ProfileChanged]]] = {}
        self.history: list[Document] = []
        self.cases: dict[UUID, CaseChange] = {}
        self.audit: list[Document] = []
        self.outbox: list[Message] = []

    def owner(self, key: str) -> Profile | None:
        return next((p for p in self.profiles.values() if p.identity(key)), None)

    async def live(self, profile_id: UUID) -> Profile:
        found, _ = await self.get(profile_id)
        if found is None:
            raise UnknownProfile(profile_id)
        return found

    def complaints(self, ids: Sequence[UUID]) -> Complaints:
        """Open complaint cases by the profile id they were opened under, of ``ids``."""
        return Counter(
            c.profile_id
            for c in self.cases.values()
            if c.profile_id in ids and is_open_complaint(c)
        )

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


class FakeMerges:
    """``MergeStore`` on a ``FakeProfiles``: the audit entries go to its ``audit``."""

    def __init__(self, profiles: FakeProfiles) -> None:
        self._db = profiles

    async def merge(
        self, survivor_id: UUID, absorbed_ids: list[UUID], decide: MergeDecision, action: Action
    ) -> Change:
        db = self._db
        survivor = await db.live(survivor_id)
        absorbed: dict[UUID, Profile] = {}
        for profile_id in absorbed_ids:
            found = await db.live(profile_id)
            if found.id == survivor.id:
                raise MergeRefused(f"profile {profile_id} is already part of {survivor.id}")
            absorbed[found.id] = found
        gone = [i for a in absorbed.values() for i in a.known_ids]
        change, tombstones = decide(
            survivor, list(absorbed.values()), db.complaints([*survivor.known_ids, *gone])
        )
        for tombstone in tombstones:
            db.profiles[tombstone.id] = tombstone
        db.profiles[change.profile.id] = change.profile
        self._point(gone, survivor.id)
        self._move_history(gone, survivor.id, None)
        db.audit.append(
            {
                **action.entry("merged"),
                "profile_ids": [survivor.id, *gone],
                "survivor": survivor.id,
                "absorbed": list(absorbed),
                "snapshots": [a.model_dump(by_alias=True) for a in absorbed.values()],
                "undone": None,
            }
        )
        db.outbox.extend(change.messages())
        return change

    async def unmerge(
        self, survivor_id: UUID, absorbed_id: UUID, decide: UnmergeDecision, action: Action
    ) -> tuple[Change, Change]:
        db = self._db
        survivor = await db.live(survivor_id)
        merges = [
            e
            for e in db.audit
            if e["action"] == "merged" and absorbed_id in e["absorbed"] and e["undone"] is None
        ]
        if not merges or absorbed_id not in survivor.absorbed:
            raise MergeRefused(f"profile {absorbed_id} is not merged into {survivor.id}")
        entry = max(merges, key=lambda e: e["at"])
        snapshot = next(s for s in entry["snapshots"] if s["_id"] == absorbed_id)
        kept, restored = decide(
            survivor, Profile.model_validate(snapshot), db.complaints(survivor.known_ids)
        )
        db.profiles[kept.profile.id] = kept.profile
        db.profiles[restored.profile.id] = restored.profile
        self._point(restored.profile.absorbed, restored.profile.id)
        keys = {i.key for i in restored.profile.identities}
        self._move_history([survivor.id], restored.profile.id, keys)
        entry["undone"] = action.at
        db.audit.append(
            {
                **action.entry("unmerged"),
                "profile_ids": [survivor.id, absorbed_id],
                "survivor": survivor.id,
                "absorbed": [absorbed_id],
            }
        )
        db.outbox.extend([*kept.messages(), *restored.messages()])
        return kept, restored

    def _point(self, ids: Sequence[UUID], to: UUID) -> None:
        for profile_id in ids:
            if profile_id in self._db.profiles:
                found = self._db.profiles[profile_id]
                self._db.profiles[profile_id] = found.model_copy(update={"merged_into": to})

    def _move_history(self, ids: Sequence[UUID], to: UUID, keys: set[str] | None) -> None:
        for entry in self._db.history:
            if entry["profile_id"] in ids and (keys is None or entry["identity"] in keys):
                entry["profile_id"] = to


class FakeProfileQueries:
    """``ProfileQueries`` over a ``FakeProfiles``."""

    def __init__(self, profiles: FakeProfiles) -> None:
        self._db = profiles

    async def by_identity(self, key: str) -> Profile | None:
        return self._db.owner(key)

    async def by_handle(self, handle_key: str) -> Profile | None:
        wanted = handle_key.lower()
        found = (p for p in self._live() if any(i.handle_key == wanted for i in p.identities))
        return next(found, None)

    async def page(
        self, *, stage: str | None, segment: str | None, after: UUID | None, limit: int
    ) -> list[Profile]:
        found = [
            p
            for p in sorted(self._live(), key=lambda p: p.id)
            if (stage is None or p.stage == stage)
            and (segment is None or p.segment == segment)
            and (after is None or p.id > after)
        ]
        return found[:limit]

    async def history(self, profile: Profile, limit: int) -> list[Document]:
        mine = [e for e in self._db.history if e["profile_id"] in profile.known_ids]
        return sorted(mine, key=lambda e: e["created_at"], reverse=True)[:limit]

    async def lookalike_candidates(self, profile: Profile) -> list[Profile]:
        keys = set(match_keys(profile))
        found = [p for p in self._live() if p.id != profile.id and keys & set(match_keys(p))]
        return found[:LOOKALIKE_CANDIDATES]

    async def audit_trail(self, profile: Profile, limit: int = 100) -> list[Document]:
        mine = [e for e in self._db.audit if set(e["profile_ids"]) & set(profile.known_ids)]
        newest = sorted(mine, key=lambda e: e["at"], reverse=True)[:limit]
        return [{k: v for k, v in e.items() if k != "snapshots"} for e in newest]

    async def reject(self, profile_id: UUID, other_id: UUID) -> None:
        for one, other in ((profile_id, other_id), (other_id, profile_id)):
            found = self._db.profiles.get(one)
            if found is not None and other not in found.rejected_suggestions:
                rejected = [*found.rejected_suggestions, other]
                self._db.profiles[one] = found.model_copy(update={"rejected_suggestions": rejected})

    def _live(self) -> list[Profile]:
        return [p for p in self._db.profiles.values() if p.merged_into is None]


class FakeLinkRequests:
    """``LinkRequestStore`` in a dictionary by code."""

    def __init__(self) -> None:
        self.requests: dict[str, tuple[UUID, Identity, datetime]] = {}

    async def open(self, profile_id: UUID, identity: Identity, *, expires_at: datetime) -> str:
        code = secrets.token_urlsafe(24)
        self.requests[code] = (profile_id, identity, expires_at)
        return code

    async def take(self, code: str, *, now: datetime) -> tuple[UUID, Identity] | None:
        found = self.requests.get(code)
        if found is None or found[2] <= now:
            return None
        del self.requests[code]
        return found[0], found[1]


class FakePrivacyRequests:
    """``PrivacyRequestStore`` in dictionaries; ``outbox`` holds what it announced, in order."""

    def __init__(self, schedule: PrivacySchedule) -> None:
        self.schedule = schedule
        self.records: dict[UUID, Document] = {}
        self.announcements: dict[UUID, PrivacyRequest] = {}
        self.outbox: list[Message] = []

    async def open(self, request: PrivacyRequest, services: list[str]) -> None:
        self.records[request.request_id] = new_record(request, services, self.schedule)
        self.announcements[request.request_id] = request
        self.outbox.append((PRIVACY_TOPIC, str(request.profile_id), PrivacyRequested.of(request)))

    async def confirm(self, answer: PrivacyAnswer) -> None:
        record = self.records.get(answer.request_id)
        if record is None or answer.service in {c["service"] for c in record["confirmations"]}:
            return
        record["confirmations"].append(confirmation(answer))
        record["waiting"] = [s for s in record["waiting"] if s != answer.service]
        if not record["waiting"] and record["open"]:
            record.update(open=False, next_attempt_at=None)
            self.announcements.pop(answer.request_id, None)

    async def request(self, request_id: UUID) -> Document | None:
        return self.records.get(request_id)

    async def announce_due(self, now: datetime) -> int:
        due = sorted(
            (r for r in self.records.values() if r["open"] and r["next_attempt_at"] <= now),
            key=lambda r: r["next_attempt_at"],
        )[:ANNOUNCE_BATCH]
        for record in due:
            attempt = record["attempts"] + 1
            record.update(
                attempts=attempt,
                last_attempt_at=now,
                next_attempt_at=self.schedule.next_attempt(now, attempt),
            )
            original = self.announcements[record["_id"]]
            request = original.model_copy(update={"services": list(record["waiting"])})
            again = PrivacyRequested.again(request, attempt, now)
            self.outbox.append((PRIVACY_TOPIC, str(request.profile_id), again))
        return len(due)

    async def overdue(self, now: datetime) -> dict[str, int]:
        return self._waiting(lambda r: r["deadline_at"] < now)

    async def pending(self) -> dict[str, int]:
        return self._waiting(lambda r: True)

    def _waiting(self, matches: Callable[[Document], bool]) -> dict[str, int]:
        found = Counter(
            s for r in self.records.values() if r["open"] and matches(r) for s in r["waiting"]
        )
        return dict(found)


class FakeCodeSender:
    """``CodeSender`` reaching the ``kinds`` given; ``sent`` holds (to, code, expires_at)."""

    def __init__(self, kinds: tuple[IdentityKind, ...] = ("email",)) -> None:
        self.kinds = kinds
        self.sent: list[tuple[Identity, str, datetime]] = []

    def reaches(self, kind: IdentityKind) -> bool:
        return kind in self.kinds

    async def send(self, to: Identity, code: str, expires_at: datetime) -> None:
        self.sent.append((to, code, expires_at))


class Fakes:
    """Every port in memory, sharing one ``FakeProfiles``; ``ports()`` gives them to use cases."""

    def __init__(
        self, clock: Clock, rules: Rules | None = None, schedule: PrivacySchedule = SCHEDULE
    ) -> None:
        self.clock, self.rules = clock, rules or Rules()
        self.profiles = FakeProfiles()
        self.queries = FakeProfileQueries(self.profiles)
        self.merges = FakeMerges(self.profiles)
        self.link_requests = FakeLinkRequests()
        self.privacy = FakePrivacyRequests(schedule)
        self.codes = FakeCodeSender()
        self.relayed = 0
        """How many times the relay was woken."""

    def ports(self) -> Ports:
        return Ports(
            profiles=self.profiles,
            queries=self.queries,
            merges=self.merges,
            link_requests=self.link_requests,
            privacy=self.privacy,
            codes=self.codes,
            rules=self.rules,
            clock=self.clock,
            relay_now=self._relay_now,
        )

    def _relay_now(self) -> None:
        self.relayed += 1
