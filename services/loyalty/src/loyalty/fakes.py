"""In-memory implementations of ``loyalty.ports`` for unit tests, held to the adapters'
behaviour by ``tests/contract``."""

import copy
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from loyalty.domain.catalogue import Offer
from loyalty.domain.offers import Audience, Targeting
from loyalty.domain.rollouts import Rollout, RolloutState
from loyalty.domain.rules import RuleKind
from loyalty.ports import OutreachStores, RedemptionStores
from rapport.events import Event, OutreachDecision, Redemption

T = TypeVar("T")


@dataclass(frozen=True)
class Earned:
    kind: RuleKind
    profile_id: UUID
    cause: str
    cause_event_id: UUID
    audience: Audience | None


class FakeEarning:
    """Remembers what it was asked to earn (the ledger's own decisions are the adapter's)."""

    def __init__(self) -> None:
        self.earned: list[Earned] = []

    async def earn(
        self,
        kind: RuleKind,
        *,
        profile_id: UUID,
        cause: str,
        cause_event_id: UUID,
        audience: Audience | None = None,
    ) -> object:
        self.earned.append(Earned(kind, profile_id, cause, cause_event_id, audience))
        return None


class FakeOffers:
    def __init__(self) -> None:
        self.saved: dict[str, Offer] = {}

    async def put(self, key: str, item: Offer) -> None:
        self.saved[key] = item

    async def get(self, key: str) -> Offer | None:
        return self.saved.get(key)

    async def all(self) -> list[Offer]:
        return [self.saved[key] for key in sorted(self.saved)]


class FakeMembers:
    def __init__(self) -> None:
        self.audiences: dict[UUID, Audience] = {}

    async def audience(self, profile_id: UUID) -> Audience | None:
        return self.audiences.get(profile_id)

    async def page(self, targeting: Targeting, *, after: UUID | None, limit: int) -> list[UUID]:
        found = sorted(p for p, a in self.audiences.items() if _targeted(targeting, a))
        return [p for p in found if after is None or p > after][:limit]

    async def count(self, targeting: Targeting) -> int:
        return sum(_targeted(targeting, a) for a in self.audiences.values())


def _targeted(targeting: Targeting, audience: Audience) -> bool:
    return audience.marketing_consent and (
        audience.stage in targeting.stages or audience.segment in targeting.segments
    )


class FakeOutreach:
    def __init__(self) -> None:
        self.decisions: dict[tuple[str, UUID], OutreachDecision] = {}

    async def decision(self, offer_id: str, profile_id: UUID) -> OutreachDecision | None:
        return self.decisions.get((offer_id, profile_id))

    async def sent_since(self, profile_id: UUID, since: datetime) -> int:
        return sum(d.profile_id == profile_id and d.at > since for d in self.decisions.values())

    async def record(self, decision: OutreachDecision) -> None:
        self.decisions[(decision.offer_id, decision.profile_id)] = decision


class FakeEvents:
    def __init__(self) -> None:
        self.stored: list[tuple[UUID, Event]] = []

    async def add(self, key: UUID, events: Sequence[Event]) -> None:
        self.stored.extend((key, event) for event in events)


async def all_or_nothing(stores: Any, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(stores)``; when it fails, put every store back as it was."""
    before = copy.deepcopy(stores)
    try:
        return await work(stores)
    except BaseException:
        for name in vars(stores):
            vars(getattr(stores, name)).update(vars(getattr(before, name)))
        raise


@dataclass
class FakeOutreachWork:
    stores: OutreachStores = field(
        default_factory=lambda: OutreachStores(FakeMembers(), FakeOutreach(), FakeEvents())
    )

    async def __call__(self, work: Callable[[OutreachStores], Awaitable[T]]) -> T:
        return await all_or_nothing(self.stores, work)


class FakeRedemptions:
    def __init__(self) -> None:
        self.records: dict[str, Redemption] = {}

    async def first(self, record_id: str) -> Redemption | None:
        return self.records.get(record_id)

    async def record(self, record_id: str, redemption: Redemption) -> None:
        self.records[record_id] = redemption


class FakeBalances:
    def __init__(self) -> None:
        self.balances: dict[UUID, int] = {}

    async def debit(self, profile_id: UUID, points: int) -> int | None:
        balance = self.balances.get(profile_id)
        if balance is None or balance < points:
            return None
        self.balances[profile_id] = balance - points
        return balance - points

    async def exists(self, profile_id: UUID) -> bool:
        return profile_id in self.balances


class FakeLedger:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    async def add(self, entry: Mapping[str, Any]) -> None:
        self.entries.append(dict(entry))


@dataclass
class FakeRedemptionWork:
    stores: RedemptionStores = field(
        default_factory=lambda: RedemptionStores(
            FakeRedemptions(), FakeBalances(), FakeLedger(), FakeEvents()
        )
    )

    async def __call__(self, work: Callable[[RedemptionStores], Awaitable[T]]) -> T:
        return await all_or_nothing(self.stores, work)


class FakeRollouts:
    def __init__(self) -> None:
        self.saved: dict[str, Rollout] = {}
        self.claims: dict[str, tuple[str, datetime]] = {}

    async def create(self, rollout: Rollout) -> None:
        self.saved[rollout.rollout_id] = rollout

    async def get(self, offer_id: str, rollout_id: str) -> Rollout | None:
        found = self.saved.get(rollout_id)
        return found if found is not None and found.offer_id == offer_id else None

    async def claim(self, owner: str, *, now: datetime, until: datetime) -> Rollout | None:
        waiting = [
            r
            for r in self.saved.values()
            if r.state is not RolloutState.DONE and self._free(r.rollout_id, owner, now)
        ]
        if not waiting:
            return None
        oldest = min(waiting, key=lambda r: (r.created_at, r.rollout_id))
        self.claims[oldest.rollout_id] = (owner, until)
        claimed = replace(oldest, state=RolloutState.RUNNING)
        self.saved[oldest.rollout_id] = claimed
        return claimed

    def _free(self, rollout_id: str, owner: str, now: datetime) -> bool:
        holder, until = self.claims.get(rollout_id, (owner, now))
        return holder == owner or until <= now

    async def record(self, rollout: Rollout, owner: str, *, until: datetime) -> bool:
        holder = self.claims.get(rollout.rollout_id)
        if holder is None or holder[0] != owner:
            return False
        self.saved[rollout.rollout_id] = rollout
        self.claims[rollout.rollout_id] = (owner, until)
        return True
