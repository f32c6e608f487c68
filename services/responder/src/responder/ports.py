"""What responder's use cases need from outside, as protocols: the stores, the unit of work
that stores a case change with everything written alongside it, the clock. ``adapters/``
implements them on MongoDB, ``fakes`` in memory; ``main`` wires the adapters into ``Ports``."""

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from rapport.errors import Conflict
from rapport.events import CrisisAlert, EnrichedMention, Priority, ProfileSnapshot
from rapport.events import RelationshipStage as Stage
from responder.domain.accounts import Account, Tokens
from responder.domain.agents import Agent, AgentIn
from responder.domain.brand_health import StageCounts, Tally, Unit
from responder.domain.case import Case
from responder.domain.case_events import Changed
from responder.domain.clock import Clock
from responder.domain.inbox import Position
from responder.domain.macros import Macro
from responder.domain.messages import Message
from responder.domain.notes import Note
from responder.domain.priority import Weights
from responder.domain.replies import Reply
from responder.domain.routing import Rule
from responder.domain.sla import Policies, Policy
from responder.domain.spikes import Negative, SpikeRule
from responder.domain.taking import Taking, Takings

__all__ = ["Clock"]

Query = Mapping[str, Any]
"""Equality filters on a case's fields (a list field matches when it holds the value)."""
Sort = Sequence[tuple[str, int]]
Counts = dict[str, dict[int, int]]
"""Per subject, per bucket: how many authors."""


class CaseConflict(Conflict):
    """The case changed since it was read (or a second active case was about to open)."""

    reason = "the case is busy; try again"


class CaseStore(Protocol):
    async def get(self, case_id: UUID) -> Case | None: ...
    async def get_all(self, case_ids: Sequence[UUID]) -> list[Case]: ...
    async def active_of(self, profile_id: UUID) -> Case | None: ...
    async def taking(self, cause: str, profile_id: UUID) -> Taking: ...
    async def takings(self, causes: Sequence[str], profile_ids: Sequence[UUID]) -> Takings: ...
    async def answered_by(
        self, conversation: str | None, in_reply_to: str | None
    ) -> Case | None: ...
    async def due(self, now: datetime, limit: int) -> list[Case]: ...
    async def find(self, query: Query, sort: Sort, skip: int, limit: int) -> list[Case]: ...
    async def count(self, query: Query) -> int: ...
    async def queue_counts(self) -> list[dict[str, Any]]: ...
    async def tag(self, case_id: UUID, tag: str, most: int) -> bool | None:
        """Add the tag unless the case holds ``most`` tags already (True: it holds it now;
        False: it is full); None when there is no such case. A case change keeps the tags."""

    async def untag(self, case_id: UUID, tag: str) -> bool:
        """Remove the tag if the case holds it; False when there is no such case."""


class CaseWrites(Protocol):
    async def save_all(self, changes: Sequence[Changed]) -> None:
        """Store the changes and their events; ``CaseConflict`` if a case is no longer at the
        sequence its first change was read at, or a second active case was about to open."""


class TimelineStore(Protocol):
    async def add(self, message: Message) -> None: ...
    async def add_all(self, messages: Sequence[Message]) -> None: ...
    async def unattached_answers(self, case: Case) -> list[Message]: ...
    async def unattached_posts(
        self, external_ids: Iterable[str], conversations: Iterable[str], since: datetime
    ) -> list[Message]: ...
    async def of_case(self, case_id: UUID) -> list[Message]: ...


class TimelineWrites(Protocol):
    async def add(self, message: Message) -> None: ...
    async def attach(self, ids: Sequence[UUID], case_id: UUID) -> None: ...
    async def thread_all(self, threads: Sequence[tuple[Message, Sequence[UUID]]]) -> None: ...
    async def move(self, source: UUID, target: UUID) -> None: ...


class ProfileStore(Protocol):
    async def remember(self, profile: ProfileSnapshot) -> set[Stage]: ...
    async def remember_all(self, profiles: Sequence[ProfileSnapshot]) -> set[Stage]: ...
    async def get(self, profile_id: UUID) -> ProfileSnapshot | None: ...
    async def fans_and_evangelists(self) -> StageCounts: ...
    async def forget(self, profile_ids: list[UUID]) -> int: ...


class AgentStore(Protocol):
    async def put(self, agent_id: str, agent: AgentIn) -> Agent: ...
    async def get(self, agent_id: str) -> Agent | None: ...
    async def all(self) -> list[Agent]: ...
    async def available(self) -> list[Agent]: ...


class AgentWrites(Protocol):
    async def take(self, agent_id: str, skills: list[str], at: datetime) -> None:
        """One more case for the agent; ``AgentUnavailable`` when unknown, unavailable, at
        capacity or without the skills."""

    async def release(self, agent_id: str) -> None: ...


class RoutingRuleStore(Protocol):
    async def put(self, rule_id: UUID, rule: Rule) -> None: ...
    async def delete(self, rule_id: UUID) -> bool: ...
    async def all(self) -> list[tuple[UUID, Rule]]: ...
    async def ordered(self) -> list[Rule]: ...


class PolicyStore(Protocol):
    async def put(self, priority: Priority, policy: Policy) -> None: ...
    async def all(self) -> Policies: ...


class AlertStore(Protocol):
    async def count_negatives(self, negatives: Sequence[Negative]) -> int: ...
    async def window(
        self, kind: str, subjects: list[str], first: int, last: int
    ) -> tuple[Counts, list[CrisisAlert]]: ...
    async def in_bucket(self, subject: str, bucket: int, limit: int = 1000) -> list[Negative]: ...
    async def get(self, alert_id: UUID) -> CrisisAlert | None: ...
    async def list(self, status: str | None, skip: int, limit: int) -> list[CrisisAlert]: ...
    async def save(self, alert: CrisisAlert) -> bool:
        """Store the alert in this status once, with its event; False if it already was."""

    async def acknowledge(self, alert_id: UUID, agent: str, at: datetime) -> CrisisAlert | None:
        """Mark the active alert seen by ``agent`` (once: the first acknowledgement stays),
        with its event; the alert as stored, or None if there is no such alert."""


class InboxReads(Protocol):
    """The console's reads across cases and their messages (``adapters.inbox_reads``)."""

    async def page(
        self, query: Query, words: Sequence[str], after: Position | None, skip: int, limit: int
    ) -> list[Case]: ...
    async def count(self, query: Query, words: Sequence[str]) -> int: ...
    async def latest_from_customers(self, case_ids: Sequence[UUID]) -> dict[UUID, Message]: ...
    async def messages(self, ids: Sequence[UUID], limit: int) -> list[Message]: ...


class MentionFactStore(Protocol):
    async def record_all(self, mentions: Sequence[EnrichedMention]) -> None: ...
    async def sample_stages(self, at: datetime, counts: StageCounts) -> None: ...


class BrandHealthReads(Protocol):
    async def tallies(
        self, since: datetime, until: datetime, unit: Unit
    ) -> dict[datetime, Tally]: ...
    async def stage_samples(self, until: datetime) -> list[tuple[datetime, StageCounts]]: ...


class ReplyStore(Protocol):
    async def add(self, reply: Reply) -> Reply: ...
    async def get(self, reply_id: UUID) -> Reply | None: ...
    async def of_case(self, case_id: UUID) -> list[Reply]: ...
    async def lease(self, now: datetime, lease: timedelta) -> Reply | None: ...
    async def retry_later(self, reply: Reply, error: str, at: datetime | None) -> None: ...
    async def retry_now(self, reply_id: UUID, now: datetime) -> Reply | None:
        """A failed reply not superseded back to pending, due now, with fresh attempts (the
        connector still knows it may have reached the platform); None if it was not such."""

    async def supersede(self, reply_id: UUID, by: UUID) -> Reply | None:
        """Mark a failed reply as corrected by reply ``by`` (again by the same ``by`` is
        a repeat); None if it is not failed or another reply superseded it."""


class NoteStore(Protocol):
    async def add(self, note: Note) -> Note:
        """Store the note once per id; the stored one (perhaps from an earlier call) back."""

    async def of_case(self, case_id: UUID) -> list[Note]: ...


class MacroStore(Protocol):
    async def put(self, macro: Macro) -> Macro: ...
    async def get(self, macro_id: UUID) -> Macro | None: ...
    async def all(self) -> list[Macro]: ...
    async def delete(self, macro_id: UUID) -> bool: ...


class ReplyWrites(Protocol):
    async def mark_sent(self, reply: Reply, at: datetime, external_id: str | None) -> None: ...


class AccountStore(Protocol):
    async def put(self, account: Account, tokens: Tokens | None) -> Account:
        """Create or replace the account (the only default of its platform when it says so)."""

    async def get(self, platform: str, handle: str) -> Account | None: ...
    async def all(self) -> list[Account]: ...
    async def delete(self, platform: str, handle: str) -> bool: ...
    async def answering(self, platform: str, handle: str | None) -> Account | None:
        """The account named, or the platform's default (its only one, if it has one)."""

    async def tokens(self, account: Account) -> Tokens | None:
        """Its tokens, decrypted (or from the settings' reference); None if there are none."""

    async def refreshed(self, account: Account, tokens: Tokens) -> None: ...


class Transaction(Protocol):
    """The stores as one transaction sees them: all its writes happen, or none."""

    @property
    def cases(self) -> CaseWrites: ...
    @property
    def timeline(self) -> TimelineWrites: ...
    @property
    def agents(self) -> AgentWrites: ...
    @property
    def replies(self) -> ReplyWrites: ...


Work = Callable[[Transaction], Awaitable[None]]


class UnitOfWork(Protocol):
    async def __call__(self, work: Work) -> None:
        """Run ``work`` in one transaction (retried whole on transient errors); a duplicate
        key is a ``CaseConflict``."""


@dataclass(frozen=True)
class Ports:
    """Everything the use cases reach the outside through, and how they are tuned."""

    cases: CaseStore
    timeline: TimelineStore
    profiles: ProfileStore
    agents: AgentStore
    routing_rules: RoutingRuleStore
    policies: PolicyStore
    uow: UnitOfWork
    clock: Clock
    weights: Weights
    reopen_window: timedelta
    spikes: SpikeRule
    wake_sender: Callable[[], None] = field(default=lambda: None)
    """Tells the reply sender a reply is waiting (it also polls)."""
    live_window: timedelta = timedelta(hours=72)
    """Posts older than this (platform time) are history: measured, never live work."""


class DeliveryFailed(Exception):
    """``permanent``: retrying will not help; ``retry_at``: the platform said when to try
    again (a rate limit), which does not use up the reply's attempts."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_at: datetime | None = None
    ) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_at = retry_at


class Connector(Protocol):
    async def deliver(self, reply: Reply) -> str | None:
        """Send the reply; the id the platform gave it, if it says. ``DeliveryFailed``,
        ``permanent`` when retrying will not help."""
