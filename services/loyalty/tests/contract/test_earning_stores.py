"""The earning ports (ledger, members, referrals, events and their unit of work), in memory and
in MongoDB: one contract, so the fakes the unit tests use read standings, credit, settle,
admit and roll back as the adapters do."""

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import pytest

from loyalty.adapters.earning_work import MongoEarningWork
from loyalty.adapters.outbox import Outbox
from loyalty.domain.crediting import Candidate, Standing
from loyalty.domain.guardrails import Recent
from loyalty.domain.referrals import ReferralFacts
from loyalty.domain.rules import Rule, RuleKind
from loyalty.errors import ReferralRefused
from loyalty.fakes import FakeEarningWork, FakeEvents, FakeReferralStore
from loyalty.migrations import MIGRATIONS
from loyalty.ports import EarningStores, EarningWork
from rapport.events import AwardedPoints, PointsAwarded, Referral
from rapport.mongo import Database, ensure_indexes
from services.loyalty.tests.integration.builders import purchase
from services.loyalty.tests.integration.conftest import outboxed, settings

pytestmark = pytest.mark.integration
T = TypeVar("T")
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
DAY = timedelta(days=1)
ANN, BOB, CAT, NOBODY = UUID(int=1), UUID(int=2), UUID(int=3), UUID(int=4)
RULE = Rule(
    kind=RuleKind.REFERRAL,
    points=50,
    daily_cap=5,
    weekly_cap=9,
    velocity_limit=20,
    velocity_window_days=14,
)
AWARD = AwardedPoints(
    profile_id=ANN,
    entry_id="referral:r1",
    rule="referral",
    points=50,
    cause_event_id=ANN,
    balance=50,
)


class Boom(Exception):
    pass


def earned(n: int, at: datetime, status: str = "credited", **more: Any) -> dict[str, Any]:
    credited = at if status == "credited" else None
    return {
        "_id": f"referral:r{n}",
        "profile_id": ANN,
        "kind": "earn",
        "rule": "referral",
        "points": 10 * n,
        "status": status,
        "at": at,
        "credited_at": credited,
        "expires_at": credited and at + 30 * DAY,
        "settled": False,
    } | more


def referring(referrer: UUID, referred: UUID, purchase_id: str, n: int = 1) -> Referral:
    return Referral(
        referral_id=f"ref-{n}",
        referrer_profile_id=referrer,
        referred_profile_id=referred,
        purchase_id=purchase_id,
        converted_at=NOW,
    )


class EarningContract(ABC):
    @abstractmethod
    def uow(self) -> EarningWork: ...

    @abstractmethod
    async def person(self, profile_id: UUID, person: UUID) -> None:
        """``profile_id`` is known to loyalty, as ``person`` (itself until merged)."""

    @abstractmethod
    async def announced(self) -> list[AwardedPoints]: ...

    async def run(self, work: Callable[[EarningStores], Awaitable[T]]) -> T:
        return await self.uow()(work)

    async def test_a_standing_reads_the_entry_the_member_and_the_windows(self) -> None:
        async def given(stores: EarningStores) -> None:
            await stores.members.credit(ANN, 0, {"tier": "silver", "flagged_until": NOW + DAY})
            for n, entry in enumerate(
                [
                    earned(1, NOW - 2 * DAY),
                    earned(2, NOW - 2 * DAY - DAY / 2, "held"),
                    earned(3, NOW - DAY / 2),
                    earned(4, NOW - 10 * DAY),
                    earned(5, NOW - DAY / 4, "rejected"),
                    earned(6, NOW - 40 * DAY),
                ]
            ):
                await stores.ledger.add(entry | {"profile_id": BOB if n == 5 else ANN})

        await self.run(given)
        ann = Candidate(ANN, "referral:r1", RULE, ANN)
        new = Candidate(CAT, "referral:new", RULE, CAT)

        async def read(stores: EarningStores) -> list[Standing]:
            window = 30 * DAY
            return [
                await stores.ledger.standing(c, now=NOW, tier_window=window) for c in (ann, new)
            ]

        first, other = await self.run(read)
        assert first.entry is not None
        assert (first.entry["_id"], first.entry["points"]) == ("referral:r1", 10)
        position = first.position
        assert (position.flagged_until, position.tier) == (NOW + DAY, "silver")
        assert position.recent == Recent(day=1, week=3, velocity_window=4)
        assert (position.window_points, position.oldest_in_window) == (80, NOW - 10 * DAY)
        assert other.entry is None
        assert other.position.recent == Recent(0, 0, 0)
        assert (other.position.window_points, other.position.tier) == (0, None)

    async def test_credit_settle_and_tier_keep_the_balance(self) -> None:
        async def work(stores: EarningStores) -> list[object]:
            after = [
                await stores.members.credit(ANN, 50, {"stage": "fan"}),
                await stores.members.credit(ANN, 30, {}),
                await stores.members.settle(ANN, matured=50, points=20),
            ]
            await stores.members.set_tier(ANN, "silver", NOW)
            await stores.members.set_tier(NOBODY, "gold", NOW)
            return [*after, await stores.members.get(ANN), await stores.members.get(NOBODY)]

        *balances, ann, nobody = await self.run(work)
        assert balances == [50, 80, 60]
        assert isinstance(ann, dict)
        kept = ("balance", "lifetime_points", "settled_points", "stage", "tier", "tier_review_at")
        assert {k: ann[k] for k in kept} == dict(
            zip(kept, [60, 80, 50, "fan", "silver", NOW], strict=True)
        )
        assert nobody is None

    async def test_due_entries_are_settled_oldest_first_and_decisions_update_them(self) -> None:
        async def work(stores: EarningStores) -> list[object]:
            await stores.ledger.add(earned(1, NOW - 40 * DAY))
            await stores.ledger.add(earned(2, NOW - 50 * DAY))
            await stores.ledger.add(earned(3, NOW - 10 * DAY))
            await stores.ledger.add(earned(4, NOW - 60 * DAY, "held"))
            due = await stores.ledger.due(ANN, NOW)
            await stores.ledger.settle(["referral:r2"])
            await stores.ledger.update("referral:r4", {"decision": "rejected"})
            return [
                due,
                await stores.ledger.due(ANN, NOW),
                await stores.ledger.window(ANN, NOW - 45 * DAY),
                await stores.ledger.window(NOBODY, NOW - 45 * DAY),
                await stores.ledger.entry("referral:r4"),
                await stores.ledger.entry("referral:none"),
            ]

        due, left, window, none, decided, missing = await self.run(work)
        assert due == [("referral:r2", 20), ("referral:r1", 10)]
        assert left == [("referral:r1", 10)]
        assert window == (40, NOW - 40 * DAY)
        assert none == (0, None)
        assert isinstance(decided, dict)
        assert (decided["status"], decided["decision"]) == ("held", "rejected")
        assert missing is None

    async def test_referral_facts_name_each_party_by_their_person(self) -> None:
        await self.person(ANN, ANN)
        await self.person(BOB, BOB)
        await self.person(CAT, BOB)

        async def work(stores: EarningStores) -> list[ReferralFacts]:
            await stores.referrals.record_purchase(purchase(CAT, "order-1"))
            await stores.referrals.record_purchase(purchase(ANN, "order-1"))
            before = await stores.referrals.facts(referring(ANN, CAT, "order-1"))
            await stores.referrals.admit(referring(ANN, CAT, "order-1"), referrer=ANN, referred=BOB)
            after = await stores.referrals.facts(referring(ANN, BOB, "order-2", 2))
            unknown = await stores.referrals.facts(referring(NOBODY, ANN, "order-3", 3))
            return [before, after, unknown]

        before, after, unknown = await self.run(work)
        assert before == ReferralFacts("ref-1", "order-1", ANN, BOB, BOB)
        assert after == ReferralFacts("ref-2", "order-2", ANN, BOB, None, None, "ref-1")
        assert unknown == ReferralFacts("ref-3", "order-3", None, ANN, None)

    async def test_a_second_admission_of_a_purchase_or_person_is_refused(self) -> None:
        async def work(stores: EarningStores) -> None:
            await stores.referrals.admit(referring(ANN, BOB, "order-1"), referrer=ANN, referred=BOB)

        await self.run(work)

        for again in (referring(CAT, NOBODY, "order-1", 2), referring(CAT, BOB, "order-2", 3)):

            async def race(stores: EarningStores, again: Referral = again) -> None:
                await stores.referrals.admit(
                    again, referrer=CAT, referred=again.referred_profile_id
                )

            with pytest.raises(ReferralRefused, match="refused"):
                await self.run(race)

    async def test_a_unit_of_work_that_fails_stores_nothing(self) -> None:
        async def work(stores: EarningStores) -> None:
            await stores.members.credit(ANN, 50, {})
            await stores.ledger.add(earned(1, NOW))
            await stores.referrals.record_purchase(purchase(BOB, "order-1"))
            await stores.events.add(ANN, [PointsAwarded.of(AWARD)])
            raise Boom

        with pytest.raises(Boom):
            await self.run(work)

        async def read(stores: EarningStores) -> list[object]:
            facts = await stores.referrals.facts(referring(ANN, BOB, "order-1"))
            return [
                await stores.members.get(ANN),
                await stores.ledger.entry("referral:r1"),
                facts.buyer,
            ]

        assert await self.run(read) == [None, None, None]
        assert await self.announced() == []

    async def test_events_are_stored_with_the_unit_of_work(self) -> None:
        async def work(stores: EarningStores) -> None:
            await stores.events.add(ANN, [PointsAwarded.of(AWARD)])

        await self.run(work)

        assert await self.announced() == [AWARD]


class TestFakeEarningStores(EarningContract):
    @pytest.fixture(autouse=True)
    def fresh(self) -> None:
        self.work = FakeEarningWork()

    def uow(self) -> EarningWork:
        return self.work

    async def person(self, profile_id: UUID, person: UUID) -> None:
        referrals = self.work.stores.referrals
        assert isinstance(referrals, FakeReferralStore)
        referrals.persons[profile_id] = person

    async def announced(self) -> list[AwardedPoints]:
        events = self.work.stores.events
        assert isinstance(events, FakeEvents)
        return [e.payload for _, e in events.stored if isinstance(e, PointsAwarded)]


class TestMongoEarningStores(EarningContract):
    @pytest.fixture(autouse=True)
    async def fresh(self, mongo_db: Database) -> None:
        await ensure_indexes(mongo_db, MIGRATIONS.indexes(settings()))
        self.db = mongo_db

    def uow(self) -> EarningWork:
        return MongoEarningWork(self.db, Outbox(self.db))

    async def person(self, profile_id: UUID, person: UUID) -> None:
        await self.db["people"].insert_one({"_id": profile_id, "person": person})

    async def announced(self) -> list[AwardedPoints]:
        return [e.payload for e in await outboxed(self.db) if isinstance(e, PointsAwarded)]
