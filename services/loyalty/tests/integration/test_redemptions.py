"""Redemption against the real database: never overspent, idempotent by key."""

import asyncio
from uuid import UUID, uuid4

import pytest

from loyalty.domain.rules import RuleKind
from loyalty.errors import IdempotencyConflict, InsufficientBalance, NotFound
from loyalty.parts import Parts
from rapport.testing import MovableClock

pytestmark = pytest.mark.integration
ANN = UUID(int=8)


async def with_balance(services: Parts, points: int) -> None:
    for n in range(points // 25):
        await services.earner.earn(
            RuleKind.RECOVERY, profile_id=ANN, cause=f"c{n}", cause_event_id=uuid4()
        )


async def balance(services: Parts) -> int:
    member = await services.members.get(ANN)
    assert member is not None
    return int(member["balance"])


async def test_fifty_concurrent_redemptions_against_a_balance_that_covers_one(
    services: Parts, clock: MovableClock
) -> None:
    await with_balance(services, 100)

    async def attempt(n: int) -> str:
        try:
            await services.redemptions.redeem(ANN, f"key-{n:05}", "espresso-kit", 60, clock())
        except InsufficientBalance:
            return "refused"
        return "redeemed"

    outcomes = await asyncio.gather(*(attempt(n) for n in range(50)))
    assert outcomes.count("redeemed") == 1
    member = await services.ledger.member(ANN, entries=100)
    assert member is not None
    assert member["balance"] == 40
    assert [e["points"] for e in member["ledger"] if e["kind"] == "redemption"] == [-60]


async def test_a_retry_with_the_same_key_returns_the_same_redemption(
    services: Parts, clock: MovableClock
) -> None:
    await with_balance(services, 100)
    first = await services.redemptions.redeem(ANN, "key-retry1", "mug", 30, clock())
    clock.advance(minutes=5)
    again = await services.redemptions.redeem(ANN, "key-retry1", "mug", 30, clock())
    assert again == first
    assert await balance(services) == 70


async def test_the_same_key_for_another_reward_is_a_conflict_and_changes_nothing(
    services: Parts, clock: MovableClock
) -> None:
    await with_balance(services, 100)
    await services.redemptions.redeem(ANN, "key-other1", "mug", 30, clock())
    with pytest.raises(IdempotencyConflict):
        await services.redemptions.redeem(ANN, "key-other1", "espresso-kit", 60, clock())
    assert await balance(services) == 70


async def test_more_than_the_balance_is_refused_and_changes_nothing(
    services: Parts, clock: MovableClock
) -> None:
    await with_balance(services, 50)
    with pytest.raises(InsufficientBalance):
        await services.redemptions.redeem(ANN, "key-toomuch", "espresso-kit", 60, clock())
    member = await services.ledger.member(ANN, entries=10)
    assert member is not None
    assert member["balance"] == 50
    assert all(e["kind"] == "earn" for e in member["ledger"])


async def test_an_unknown_member_cannot_redeem(services: Parts, clock: MovableClock) -> None:
    with pytest.raises(NotFound):
        await services.redemptions.redeem(uuid4(), "key-nobody", "mug", 1, clock())
