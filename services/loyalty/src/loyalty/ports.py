"""What loyalty's use cases need from outside, as Protocols: the MongoDB adapters
(``loyalty.adapters``) implement them, and so do the in-memory fakes (``loyalty.fakes``), held
to the same contract by ``tests/contract``."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from loyalty.domain.catalogue import Offer
from loyalty.domain.offers import Audience, Targeting
from loyalty.domain.rollouts import Rollout
from loyalty.domain.rules import RuleKind
from rapport.events import Event, OutreachDecision, Redemption

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
