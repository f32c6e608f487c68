"""What profiles' use cases need from outside: the profile store, a unit of work per cause.

``ProfileStore.apply(cause, decide)`` is the unit of work: it loads the profile a cause is
about, asks ``decide`` (pure: the profile as stored in, its new state and what to announce out)
and stores the new state, its history entry, the events it causes and a marker of the cause,
all at once, once per cause. ``repository.MongoProfiles`` does it in a MongoDB transaction,
``fakes.FakeProfiles`` in memory; ``tests/contract/test_profile_store.py`` holds both to it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from opentelemetry.context import Context

from profiles.domain.model import Profile
from rapport.events import CaseChange, Event, ProfileChanged, deterministic_id
from rapport.topics import ENRICHED_MENTIONS, PROFILES

Document = dict[str, Any]
Message = tuple[str, str, Event]
"""(topic, key, event): what a change publishes, through the outbox."""
ENRICHED_TOPIC = ENRICHED_MENTIONS.name
PROFILES_TOPIC = PROFILES.name


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
