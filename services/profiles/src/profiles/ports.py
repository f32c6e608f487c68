"""What profiles' use cases need from outside: the stores (profiles, merges, link requests,
privacy requests, queries), the code sender, the rules and the clock, gathered in ``Ports``.
``adapters/`` implements them on MongoDB (and SMTP), ``fakes`` in memory; the contract tests
(``tests/contract``) hold both to the same behaviour.

``ProfileStore.apply(cause, decide)`` is the unit of work: it loads the profile a cause is
about, asks ``decide`` (pure: the profile as stored in, its new state and what to announce out)
and stores the new state, its history entry, the events it causes and a marker of the cause,
all at once, once per cause (``adapters.profile_store.MongoProfiles`` in one transaction).
``MergeStore`` does the same for a merge or unmerge with its audit entry.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from opentelemetry.context import Context

from profiles.domain.model import Clock, Identity, IdentityKind, Profile
from profiles.domain.rules import Rules
from rapport.events import (
    CaseChange,
    Event,
    PrivacyAnswer,
    PrivacyRequest,
    ProfileChanged,
    deterministic_id,
)
from rapport.topics import ENRICHED_MENTIONS, PROFILES

Document = dict[str, Any]
Message = tuple[str, str, Event]
"""(topic, key, event): what a change publishes, through the outbox."""
ENRICHED_TOPIC = ENRICHED_MENTIONS.name
PROFILES_TOPIC = PROFILES.name
MAX_MERGE_HOPS = 20
ANNOUNCE_BATCH = 100
"""Privacy requests announced again per ``PrivacyRequestStore.announce_due``."""
LOOKALIKE_CANDIDATES = 200
Complaints = Mapping[UUID, int]
"""Open complaint cases by the profile id they were opened under."""


def profile_id_for(identity_key: str) -> UUID:
    """A social identity's first profile id: the same author always lands on the same profile."""
    return deterministic_id("profile", identity_key)


def history_entry(mention_id: UUID, key: str, at: datetime, mention: Document) -> Document:
    return {"_id": str(mention_id), "identity": key, "created_at": at, "mention": mention}


@dataclass(frozen=True)
class Change:
    profile: Profile
    events: list[ProfileChanged] = field(default_factory=list)
    """What to announce on ``crm.profiles``."""
    also: list[Message] = field(default_factory=list)
    """Other events the change causes (the enriched mention), published before them."""

    def messages(self) -> list[Message]:
        announced = [(PROFILES_TOPIC, str(e.payload.profile.profile_id), e) for e in self.events]
        return [*self.also, *announced]


Decide = Callable[[Profile | None], Change | None]
"""Given the profile as stored (None: there is none), its new state and what to announce."""


@dataclass(frozen=True)
class Applied:
    profile: Profile | None
    events: list[ProfileChanged]
    first_time: bool
    """False when the cause had been applied before (a redelivery)."""


@dataclass(frozen=True)
class Planned:
    """One cause of a batch: what it decides about the profile holding ``identity``, the
    history entry it adds to that profile, and the trace what it announces belongs to."""

    cause: str
    identity: str
    decide: Decide
    history: Document
    trace: Context | None = None


@dataclass(frozen=True)
class PlannedCase:
    """One case change of a batch: what its owner becomes given their open complaints, and the
    trace what it announces belongs to."""

    cause: str
    case: CaseChange
    decide: Callable[[Profile, int], Change]
    trace: Context | None = None


class ProfileStore(Protocol):
    async def apply(
        self,
        cause: str,
        decide: Decide,
        *,
        identity: str | None = None,
        profile_id: UUID | None = None,
        history: Document | None = None,
    ) -> Applied:
        """Apply ``decide`` to the profile holding ``identity`` (or the live one ``profile_id``
        is or was merged into) once per ``cause``; a cause applied before changes nothing and
        answers what it did then (``first_time`` False)."""
        ...

    async def apply_many(self, planned: Sequence[Planned]) -> None:
        """``apply`` each of ``planned`` in order, as one unit."""
        ...

    async def apply_case(
        self, cause: str, case: CaseChange, decide: Callable[[Profile, int], Change]
    ) -> Applied:
        """Keep the case's latest change (by sequence; an older one changes nothing) and apply
        ``decide`` to its owner with the owner's open complaint cases, once per ``cause``."""
        ...

    async def apply_cases(self, planned: Sequence[PlannedCase]) -> None:
        """``apply_case`` each of ``planned`` in order, as one unit."""
        ...

    async def create(self, change: Change) -> Profile:
        """Store a new profile with its announcements, or return the one stored under its id;
        IdentityTaken if one of its identities belongs to another."""
        ...

    async def link(self, profile_id: UUID, key: str, kind: str, decide: Decide) -> Applied:
        """Apply ``decide`` (adding the identity ``key``) unless another profile holds it
        (IdentityTaken); UnknownProfile if there is no such profile."""
        ...

    async def get(self, profile_id: UUID) -> tuple[Profile | None, UUID | None]:
        """(the live profile ``profile_id`` is or was merged into, the merged id if it was)."""
        ...


@dataclass(frozen=True)
class Action:
    """Who merged or unmerged, when and why: its id is the audit entry's and the events' cause."""

    id: UUID
    actor: str
    reason: str
    at: datetime

    def entry(self, name: str) -> Document:
        """Its audit entry (``name``: merged or unmerged), without what the action changed."""
        return {
            "_id": self.id,
            "action": name,
            "actor": self.actor,
            "reason": self.reason,
            "at": self.at,
        }


MergeDecision = Callable[[Profile, list[Profile], Complaints], tuple[Change, list[Profile]]]
"""(survivor, absorbed, open complaints) -> (the merged survivor's change, the tombstones)."""
UnmergeDecision = Callable[[Profile, Profile, Complaints], tuple[Change, Change]]
"""(survivor, the absorbed profile as it was merged, open complaints) -> (kept, restored)."""


class MergeStore(Protocol):
    async def merge(
        self, survivor_id: UUID, absorbed_ids: list[UUID], decide: MergeDecision, action: Action
    ) -> Change:
        """Absorb the live profiles ``absorbed_ids`` name into the live ``survivor_id`` as
        ``decide`` says, with the open complaints of all of them, an audit entry keeping the
        absorbed ones as they were, their history moved and the change's events, at once.
        UnknownProfile for an id no profile has; MergeRefused if one is the survivor already."""
        ...

    async def unmerge(
        self, survivor_id: UUID, absorbed_id: UUID, decide: UnmergeDecision, action: Action
    ) -> tuple[Change, Change]:
        """Split ``absorbed_id`` off the survivor again as ``decide`` says (given it as it was
        merged), with its history and the events of both, at once; the merge's audit entry is
        marked undone. MergeRefused if it is not merged into the survivor."""
        ...


class LinkRequestStore(Protocol):
    async def open(self, profile_id: UUID, identity: Identity, *, expires_at: datetime) -> str:
        """Keep a request to link ``identity`` to ``profile_id``; its one-time code."""
        ...

    async def take(self, code: str, *, now: datetime) -> tuple[UUID, Identity] | None:
        """The (profile id, identity) of the live request ``code`` opens, used up; None if the
        code is unknown, used or expired."""
        ...


class PrivacyRequestStore(Protocol):
    async def open(self, request: PrivacyRequest, services: list[str]) -> None:
        """Record the request as waiting for ``services`` and announce it (through the outbox)."""
        ...

    async def confirm(self, answer: PrivacyAnswer) -> None:
        """Record a service's answer once; the last one closes the request."""
        ...

    async def request(self, request_id: UUID) -> Document | None:
        """The request's record: kind, profile_id, requested_at, services, confirmations (one
        per answer), deadline_at, attempts, last_attempt_at; None if unknown."""
        ...

    async def announce_due(self, now: datetime) -> int:
        """Announce again every open request due again, to the services that have not
        answered; how many (at most ``ANNOUNCE_BATCH``)."""
        ...

    async def overdue(self, now: datetime) -> dict[str, int]:
        """Open requests past their deadline, by service not yet answered."""
        ...

    async def pending(self) -> dict[str, int]:
        """Open requests, by service not yet answered."""
        ...


class ProfileQueries(Protocol):
    async def by_identity(self, key: str) -> Profile | None: ...
    async def by_handle(self, handle_key: str) -> Profile | None:
        """The live profile with this ``<platform>:<handle>`` (any case)."""
        ...

    async def page(
        self, *, stage: str | None, segment: str | None, after: UUID | None, limit: int
    ) -> list[Profile]:
        """Live profiles in id order, after ``after``, of that stage and segment if given."""
        ...

    async def history(self, profile: Profile, limit: int) -> list[Document]:
        """The latest ``limit`` history entries of the profile (and those it absorbed), newest
        first: ``_id`` (the mention's event id), ``mention``, ``created_at``."""
        ...

    async def lookalike_candidates(self, profile: Profile) -> list[Profile]:
        """Other live profiles sharing one of its look-alike keys (``LOOKALIKE_CANDIDATES``
        at most)."""
        ...

    async def audit_trail(self, profile: Profile, limit: int = 100) -> list[Document]:
        """Merges and unmerges involving the profile, newest first, without snapshots."""
        ...

    async def reject(self, profile_id: UUID, other_id: UUID) -> None:
        """Never suggest the two to each other again."""
        ...


class CodeSender(Protocol):
    def reaches(self, kind: IdentityKind) -> bool:
        """Whether a code can be sent to an identity of this kind."""
        ...

    async def send(self, to: Identity, code: str, expires_at: datetime) -> None:
        """Send ``code`` through ``to``; failures are logged, never raised (the caller has
        answered already, and says the same whether a code was sent or not)."""
        ...


@dataclass(frozen=True)
class Ports:
    """Everything the use cases of the API reach the outside through, and how they are tuned."""

    profiles: ProfileStore
    queries: ProfileQueries
    merges: MergeStore
    link_requests: LinkRequestStore
    privacy: PrivacyRequestStore
    codes: CodeSender
    rules: Rules
    clock: Clock
    relay_now: Callable[[], None] = lambda: None
    """Wake the outbox relay: a change just stored events to publish."""
