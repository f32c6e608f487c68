"""What loyalty's use cases need from outside, as Protocols: the MongoDB adapters
(``loyalty.adapters``) implement them, and so do the in-memory fakes (``loyalty.fakes``), held
to the same contract by ``tests/contract``."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from uuid import UUID

from opentelemetry.context import Context

from loyalty.domain.batches import BatchQuery, BatchStanding, Member
from loyalty.domain.catalogue import Offer
from loyalty.domain.crediting import Candidate, Fields, Standing
from loyalty.domain.offers import Audience, Targeting
from loyalty.domain.referrals import ReferralFacts
from loyalty.domain.rollouts import Rollout
from loyalty.domain.rules import Rule, RuleKind
from rapport.events import Event, Mention, OutreachDecision, Purchase, Redemption, Referral

T = TypeVar("T")


class Earning(Protocol):
    """Applies an earning rule to a cause once (``use_cases.earning.Earner``)."""

    async def earn(
        self,
        kind: RuleKind,
        *,
        profile_id: UUID,
        cause: str,
        cause_event_id: UUID,
        audience: Audience | None = None,
    ) -> object: ...


class OfferStore(Protocol):
    async def put(self, key: str, item: Offer) -> None: ...

    async def get(self, key: str) -> Offer | None: ...

    async def all(self) -> list[Offer]: ...


class MemberAudiences(Protocol):
    """Members as outreach sees them: their stage, segment and consent."""

    async def audience(self, profile_id: UUID) -> Audience | None:
        """None when they are not a member."""

    async def page(self, targeting: Targeting, *, after: UUID | None, limit: int) -> list[UUID]:
        """Consenting members in one of ``targeting``'s stages or segments, by id, after
        ``after``."""

    async def count(self, targeting: Targeting) -> int:
        """How many members ``page`` would go through."""


class OutreachStore(Protocol):
    async def decision(self, offer_id: str, profile_id: UUID) -> OutreachDecision | None:
        """The decision already stored for this offer and member."""

    async def sent_since(self, profile_id: UUID, since: datetime) -> int:
        """How many decisions the member got after ``since``."""

    async def record(self, decision: OutreachDecision) -> None: ...


class EventSink(Protocol):
    """Events stored for publication with the change that causes them (the outbox)."""

    async def add(self, key: UUID, events: Sequence[Event]) -> None: ...


@dataclass(frozen=True)
class OutreachStores:
    """What an outreach decision reads and writes, all in one transaction."""

    members: MemberAudiences
    outreach: OutreachStore
    events: EventSink


class OutreachWork(Protocol):
    """The unit of work of outreach: ``work(stores)`` all or nothing."""

    async def __call__(self, work: Callable[[OutreachStores], Awaitable[T]]) -> T: ...


Decide = Callable[[Offer, UUID], Awaitable[OutreachDecision | None]]
"""Whether an offer goes to a member (``Outreach.decide``)."""


class RolloutStore(Protocol):
    async def create(self, rollout: Rollout) -> None: ...

    async def get(self, offer_id: str, rollout_id: str) -> Rollout | None: ...

    async def claim(self, owner: str, *, now: datetime, until: datetime) -> Rollout | None:
        """The oldest unfinished roll-out nobody else holds (never claimed, or its claim
        ended before ``now``), now held by ``owner`` until ``until``."""

    async def record(self, rollout: Rollout, owner: str, *, until: datetime) -> bool:
        """Store ``rollout``'s progress and extend the claim, if ``owner`` still holds it;
        False (nothing stored) when it does not."""


class RedemptionStore(Protocol):
    async def first(self, record_id: str) -> Redemption | None:
        """The redemption stored under this member's idempotency key."""

    async def record(self, record_id: str, redemption: Redemption) -> None: ...


class Balances(Protocol):
    async def debit(self, profile_id: UUID, points: int) -> int | None:
        """Take ``points`` from the balance if it covers them: the balance after, else None."""

    async def exists(self, profile_id: UUID) -> bool: ...


class LedgerEntries(Protocol):
    async def add(self, entry: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class RedemptionStores:
    """What a redemption reads and writes, all in one transaction."""

    redemptions: RedemptionStore
    balances: Balances
    ledger: LedgerEntries
    events: EventSink


class RedemptionWork(Protocol):
    async def __call__(self, work: Callable[[RedemptionStores], Awaitable[T]]) -> T: ...


class RuleStore(Protocol):
    """The earning rules (configuration); a rule never saved earns by its default terms."""

    async def get(self, kind: RuleKind) -> Rule: ...

    async def all(self) -> list[Rule]:
        """Every rule, in ``RuleKind``'s order."""

    async def put(self, rule: Rule) -> None: ...


class LedgerStore(LedgerEntries, Protocol):
    """The append-only ledger: earning entries keyed ``rule:cause``, debits, expiries."""

    async def standing(self, c: Candidate, *, now: datetime, tier_window: timedelta) -> Standing:
        """The entry ``c``'s cause already earned, and the member as ``c`` finds them: flag,
        tier, the rule's entries in its windows and the points credited in the tier window."""

    async def entry(self, entry_id: str) -> Fields | None:
        """The earning entry ``entry_id``."""

    async def update(self, entry_id: str, fields: Mapping[str, Any]) -> None: ...

    async def due(self, profile_id: UUID, now: datetime) -> list[tuple[str, int]]:
        """(id, points) of the member's credited, unsettled entries whose expiry date passed
        by ``now``, oldest expiry first, at most 1000."""

    async def settle(self, entry_ids: Sequence[str]) -> None:
        """Mark the entries' points as expired (they leave ``due``)."""

    async def window(self, profile_id: UUID, since: datetime) -> tuple[int, datetime | None]:
        """Points credited since ``since``, and when the oldest of them was credited."""


class MemberStore(Protocol):
    """Members' balances, points and tiers."""

    async def get(self, profile_id: UUID) -> Fields | None: ...

    async def credit(self, profile_id: UUID, points: int, fields: Mapping[str, Any]) -> int:
        """Add ``points`` to balance and lifetime points (creating the member) and set
        ``fields``; the balance after."""

    async def settle(self, profile_id: UUID, *, matured: int, points: int) -> int:
        """Add ``matured`` to the settled points and take ``points`` out of the balance; the
        balance after."""

    async def set_tier(self, profile_id: UUID, tier: str, review_at: datetime | None) -> None: ...


class ReferralStore(Protocol):
    """Purchases loyalty recorded and the referrals it admitted (one per purchase, one per
    referred person)."""

    async def record_purchase(self, purchase: Purchase) -> None:
        """The first record of a purchase id stands."""

    async def facts(self, referral: Referral) -> ReferralFacts: ...

    async def admit(self, referral: Referral, *, referrer: UUID, referred: UUID) -> None:
        """Store the admission (forgetting an earlier refusal); ``ReferralRefused`` when another
        referral of its purchase or person was admitted at the same moment."""


class ReferralRefusals(Protocol):
    """Consumed referrals that do not pay, kept with why for a human to see."""

    async def refused(self, referral: Referral, reason: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class EarningStores:
    """What earning, held decisions, tiers, expiry and referrals read and write, in one
    transaction."""

    ledger: LedgerStore
    members: MemberStore
    referrals: ReferralStore
    events: EventSink


class EarningWork(Protocol):
    async def __call__(self, work: Callable[[EarningStores], Awaitable[T]]) -> T: ...


class MentionMembers(Protocol):
    async def flag(self, profile_id: UUID, until: datetime) -> None:
        """The author posted spam: they earn nothing until ``until``."""

    async def observe(self, profile_id: UUID, audience: Audience) -> bool:
        """Keep an existing member's latest stage, segment and consent; False if not a member."""


class QuestionStore(Protocol):
    async def remember(self, mention: Mention, profile_id: UUID, at: datetime) -> None: ...

    async def asker(self, reply: Mention) -> UUID | None:
        """Who asked the question ``reply`` answers, if it was a question we remember."""


class Book(Protocol):
    """What a batch of mentions adds up to (``use_cases.mention_book.MentionBook``)."""

    members: dict[UUID, Member]
    entries: list[Fields]
    events: list[tuple[UUID, Event]]
    traces: list[Context]
    questions: dict[str, Fields]


class BatchStore(Protocol):
    async def standing(self, query: BatchQuery) -> BatchStanding:
        """What the batch needs to know, read once for all its members."""

    async def write(self, book: Book) -> None: ...


class BatchWork(Protocol):
    async def __call__(self, work: Callable[[BatchStore], Awaitable[T]]) -> T: ...
