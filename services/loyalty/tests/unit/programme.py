"""loyalty's earning use cases over the in-memory stores, with a clock the test moves."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from loyalty.domain.rules import Rule, RuleKind
from loyalty.fakes import (
    FakeEarningWork,
    FakeEvents,
    FakeLedgerStore,
    FakeMemberStore,
    FakeReferralStore,
    FakeRules,
)
from loyalty.settings import DEFAULT_TIERS
from loyalty.use_cases.earning import Earner
from loyalty.use_cases.referring import Referring
from loyalty.use_cases.tiering import TierKeeper
from rapport.events import Event
from rapport.events.factories import BASE_TIME
from rapport.testing import MovableClock

EXPIRY = timedelta(days=365)
WINDOW = timedelta(days=365)


class Programme:
    def __init__(self, tiers: Mapping[str, int] = DEFAULT_TIERS) -> None:
        self.clock = MovableClock(BASE_TIME)
        self.uow = FakeEarningWork()
        self.rules = FakeRules()
        self.tiers = TierKeeper(uow=self.uow, thresholds=tiers, window=WINDOW)
        self.earner = Earner(
            rules=self.rules, uow=self.uow, tiers=self.tiers, clock=self.clock, expiry=EXPIRY
        )
        self.referring = Referring(
            uow=self.uow, earner=self.earner, refusals=self.referrals, clock=self.clock
        )

    async def earn(self, kind: RuleKind, profile_id: UUID, cause: str) -> str | None:
        outcome = await self.earner.earn(
            kind, profile_id=profile_id, cause=cause, cause_event_id=uuid4()
        )
        return None if outcome is None else outcome.status

    def rule(self, kind: RuleKind, **terms: Any) -> None:
        self.rules.rules[kind] = Rule(kind=kind, **terms)

    @property
    def ledger(self) -> FakeLedgerStore:
        found = self.uow.stores.ledger
        assert isinstance(found, FakeLedgerStore)
        return found

    @property
    def members(self) -> dict[UUID, dict[str, Any]]:
        found = self.uow.stores.members
        assert isinstance(found, FakeMemberStore)
        return found.members

    @property
    def referrals(self) -> FakeReferralStore:
        found = self.uow.stores.referrals
        assert isinstance(found, FakeReferralStore)
        return found

    def events(self, kind: type[Event] = Event) -> list[Any]:
        found = self.uow.stores.events
        assert isinstance(found, FakeEvents)
        return [e for _, e in found.stored if isinstance(e, kind)]
