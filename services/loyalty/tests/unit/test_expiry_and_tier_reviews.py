"""Expiry and tier reviews against the in-memory stores: points leave the balance once their
date passes (what was spent first is not taken twice), and a tier falls when its points leave
the window."""

from datetime import timedelta
from uuid import UUID

from loyalty.domain.rules import RuleKind
from loyalty.use_cases.expiry import expire
from rapport.events import PointsExpired, TierChanged
from services.loyalty.tests.unit.programme import EXPIRY, Programme

ANN = UUID(int=1)


async def test_points_past_their_date_leave_the_balance_once() -> None:
    p = Programme()
    await p.earn(RuleKind.REFERRAL, ANN, "ref-1")
    p.clock.advance(days=10)
    await p.earn(RuleKind.REFERRAL, ANN, "ref-2")

    assert await expire(ANN, p.clock(), uow=p.uow) is None
    p.clock.now += EXPIRY - timedelta(days=5)
    expired = await expire(ANN, p.clock(), uow=p.uow)

    assert expired is not None
    assert (expired.entry_ids, expired.points, expired.balance) == (["referral:ref-1"], 50, 50)
    assert p.members[ANN]["balance"] == 50
    assert await expire(ANN, p.clock(), uow=p.uow) is None
    assert [e.payload for e in p.events(PointsExpired)] == [expired]
    (entry,) = [e for e in p.ledger.entries.values() if e["kind"] == "expiry"]
    assert (entry["points"], entry["entry_ids"]) == (-50, ["referral:ref-1"])


async def test_points_already_spent_do_not_expire_again() -> None:
    p = Programme()
    await p.earn(RuleKind.REFERRAL, ANN, "ref-1")
    p.clock.advance(days=10)
    await p.earn(RuleKind.REFERRAL, ANN, "ref-2")
    p.members[ANN]["balance"] -= 30  # a redemption spent 30 of the oldest 50
    p.clock.now += EXPIRY - timedelta(days=5)

    expired = await expire(ANN, p.clock(), uow=p.uow)

    assert expired is not None
    assert expired.points == 20
    assert p.members[ANN]["balance"] == 50


async def test_a_tier_falls_when_its_points_leave_the_window() -> None:
    p = Programme()
    for n in range(5):
        await p.earn(RuleKind.REFERRAL, ANN, f"ref-{n}")
    assert p.members[ANN]["tier"] == "silver"

    p.clock.now = p.members[ANN]["tier_review_at"] + timedelta(seconds=1)
    await p.tiers.review(ANN, p.clock(), cause="review")

    assert p.members[ANN]["tier"] == "bronze"
    assert p.members[ANN]["tier_review_at"] is None
    changed = [(e.payload.previous_tier, e.payload.tier) for e in p.events(TierChanged)]
    assert changed == [("bronze", "silver"), ("silver", "bronze")]


async def test_a_review_within_the_window_keeps_the_tier_and_announces_nothing() -> None:
    p = Programme()
    for n in range(5):
        await p.earn(RuleKind.REFERRAL, ANN, f"ref-{n}")

    await p.tiers.review(ANN, p.clock(), cause="review")

    assert p.members[ANN]["tier"] == "silver"
    assert len(p.events(TierChanged)) == 1


async def test_a_review_of_someone_who_is_not_a_member_stores_nothing() -> None:
    p = Programme()

    await p.tiers.review(ANN, p.clock(), cause="review")

    assert p.members == {}
    assert p.events() == []
