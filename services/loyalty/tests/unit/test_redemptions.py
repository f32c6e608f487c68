"""Redemptions against the in-memory stores: once per key, never beyond the balance, and the
debit, the entry, the record and the event together or not at all."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from loyalty.errors import IdempotencyConflict, InsufficientBalance, NotFound
from loyalty.fakes import FakeBalances, FakeEvents, FakeLedger, FakeRedemptionWork
from loyalty.use_cases.redemptions import Redemptions
from rapport.events import RewardRedeemed

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
ANN, NOBODY = UUID(int=1), UUID(int=2)


class Counter:
    def __init__(self, balance: int) -> None:
        self.uow = FakeRedemptionWork()
        self.redemptions = Redemptions(self.uow)
        self.balances.balances[ANN] = balance

    @property
    def balances(self) -> FakeBalances:
        found = self.uow.stores.balances
        assert isinstance(found, FakeBalances)
        return found

    @property
    def entries(self) -> list[dict[str, object]]:
        found = self.uow.stores.ledger
        assert isinstance(found, FakeLedger)
        return found.entries

    @property
    def events(self) -> list[RewardRedeemed]:
        found = self.uow.stores.events
        assert isinstance(found, FakeEvents)
        return [e for _, e in found.stored if isinstance(e, RewardRedeemed)]


async def test_a_redemption_debits_and_records_its_entry_and_event() -> None:
    counter = Counter(balance=50)
    spent = await counter.redemptions.redeem(ANN, "key-1", "mug", 20, NOW)
    assert (spent.points, spent.balance) == (20, 30)
    assert counter.balances.balances[ANN] == 30
    (entry,) = counter.entries
    assert (entry["points"], entry["balance"], entry["reward_id"]) == (-20, 30, "mug")
    assert entry["_id"] == f"redemption:{spent.redemption_id}"
    assert [e.payload for e in counter.events] == [spent]


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_spends_nothing() -> None:
    counter = Counter(balance=50)
    first = await counter.redemptions.redeem(ANN, "key-1", "mug", 20, NOW)
    assert await counter.redemptions.redeem(ANN, "key-1", "mug", 20, NOW) == first
    assert counter.balances.balances[ANN] == 30
    assert len(counter.entries) == len(counter.events) == 1


async def test_the_same_key_for_another_reward_is_a_conflict() -> None:
    counter = Counter(balance=100)
    await counter.redemptions.redeem(ANN, "key-1", "mug", 20, NOW)
    with pytest.raises(IdempotencyConflict):
        await counter.redemptions.redeem(ANN, "key-1", "espresso-kit", 60, NOW)
    assert counter.balances.balances[ANN] == 80


async def test_a_short_balance_or_no_member_is_refused_and_changes_nothing() -> None:
    counter = Counter(balance=10)
    with pytest.raises(InsufficientBalance):
        await counter.redemptions.redeem(ANN, "key-1", "mug", 20, NOW)
    with pytest.raises(NotFound):
        await counter.redemptions.redeem(NOBODY, "key-1", "mug", 1, NOW)
    assert counter.balances.balances == {ANN: 10}
    assert counter.entries == []
    assert counter.events == []
