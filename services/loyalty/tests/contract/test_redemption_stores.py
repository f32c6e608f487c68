"""The redemption ports, in memory and in MongoDB: one contract, so the fakes the unit tests
use debit, record and roll back as the adapters do."""

from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from loyalty.adapters.outbox import Outbox
from loyalty.adapters.redemption_store import MongoRedemptionWork
from loyalty.fakes import FakeBalances, FakeEvents, FakeLedger, FakeRedemptionWork
from loyalty.ports import RedemptionStores, RedemptionWork
from rapport.events import Redemption, RewardRedeemed
from rapport.mongo import Database
from services.loyalty.tests.integration.conftest import outboxed

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
ANN, NOBODY = UUID(int=1), UUID(int=2)
SPENT = Redemption(
    profile_id=ANN, redemption_id=UUID(int=7), reward_id="mug", points=20, balance=30, at=NOW
)


class Boom(Exception):
    pass


class RedemptionContract(ABC):
    @abstractmethod
    async def given(self, profile_id: UUID, balance: int) -> None: ...

    @abstractmethod
    def uow(self) -> RedemptionWork: ...

    @abstractmethod
    async def stored(self) -> tuple[list[dict[str, Any]], list[Redemption]]:
        """The ledger entries and the announced redemptions."""

    async def test_a_debit_takes_only_what_the_balance_covers(self) -> None:
        await self.given(ANN, 50)

        async def work(stores: RedemptionStores) -> list[object]:
            return [
                await stores.balances.debit(ANN, 20),
                await stores.balances.debit(ANN, 31),
                await stores.balances.debit(ANN, 30),
                await stores.balances.debit(NOBODY, 1),
                await stores.balances.exists(ANN),
                await stores.balances.exists(NOBODY),
            ]

        assert await self.uow()(work) == [30, None, 0, None, True, False]

    async def test_a_redemption_its_entry_and_event_are_stored(self) -> None:
        async def work(stores: RedemptionStores) -> None:
            await stores.redemptions.record("ann:key-1", SPENT)
            await stores.ledger.add({"_id": "redemption:7", "profile_id": ANN, "points": -20})
            await stores.events.add(ANN, [RewardRedeemed.of(SPENT)])

        await self.uow()(work)

        async def read(stores: RedemptionStores) -> list[Redemption | None]:
            return [
                await stores.redemptions.first("ann:key-1"),
                await stores.redemptions.first("ann:key-2"),
            ]

        assert await self.uow()(read) == [SPENT, None]
        entries, announced = await self.stored()
        assert [(e["_id"], e["points"]) for e in entries] == [("redemption:7", -20)]
        assert announced == [SPENT]

    async def test_a_unit_of_work_that_fails_stores_nothing(self) -> None:
        await self.given(ANN, 50)

        async def work(stores: RedemptionStores) -> None:
            await stores.balances.debit(ANN, 20)
            await stores.redemptions.record("ann:key-1", SPENT)
            await stores.ledger.add({"_id": "redemption:7", "profile_id": ANN, "points": -20})
            await stores.events.add(ANN, [RewardRedeemed.of(SPENT)])
            raise Boom

        with pytest.raises(Boom):
            await self.uow()(work)

        async def read(stores: RedemptionStores) -> tuple[object, object]:
            return await stores.redemptions.first("ann:key-1"), await stores.balances.debit(ANN, 50)

        assert await self.uow()(read) == (None, 0)
        assert await self.stored() == ([], [])


class TestFakeRedemptions(RedemptionContract):
    @pytest.fixture(autouse=True)
    def fresh(self) -> None:
        self.work = FakeRedemptionWork()

    async def given(self, profile_id: UUID, balance: int) -> None:
        balances = self.work.stores.balances
        assert isinstance(balances, FakeBalances)
        balances.balances[profile_id] = balance

    def uow(self) -> RedemptionWork:
        return self.work

    async def stored(self) -> tuple[list[dict[str, Any]], list[Redemption]]:
        ledger, events = self.work.stores.ledger, self.work.stores.events
        assert isinstance(ledger, FakeLedger)
        assert isinstance(events, FakeEvents)
        return ledger.entries, [
            e.payload for _, e in events.stored if isinstance(e, RewardRedeemed)
        ]


class TestMongoRedemptions(RedemptionContract):
    @pytest.fixture(autouse=True)
    def fresh(self, mongo_db: Database) -> None:
        self.db = mongo_db

    async def given(self, profile_id: UUID, balance: int) -> None:
        await self.db["members"].insert_one({"_id": profile_id, "balance": balance})

    def uow(self) -> RedemptionWork:
        return MongoRedemptionWork(self.db, Outbox(self.db))

    async def stored(self) -> tuple[list[dict[str, Any]], list[Redemption]]:
        entries = await self.db["ledger"].find().to_list()
        announced = [e.payload for e in await outboxed(self.db) if isinstance(e, RewardRedeemed)]
        return entries, announced
