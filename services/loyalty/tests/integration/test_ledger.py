"""The ledger against the real database: one entry per cause, caps, holds and expiry."""

import asyncio
from uuid import UUID, uuid4

import pytest

from loyalty.domain.rules import Rule, RuleKind
from loyalty.parts import Parts
from rapport.events import PointsAwarded, PointsExpired, PointsHeld
from rapport.mongo import Database
from rapport.testing import MovableClock
from services.loyalty.tests.integration.conftest import outboxed

pytestmark = pytest.mark.integration
ANN = UUID(int=7)


async def earn(services: Parts, kind: RuleKind, cause: str | None = None) -> str | None:
    outcome = await services.earner.earn(
        kind, profile_id=ANN, cause=cause or str(uuid4()), cause_event_id=uuid4()
    )
    assert outcome is not None
    return outcome.status


async def balance(services: Parts) -> int:
    member = await services.members.get(ANN)
    assert member is not None
    return int(member["balance"])


async def test_an_earning_writes_an_entry_credits_the_balance_and_is_announced(
    services: Parts, mongo_db: Database
) -> None:
    assert await earn(services, RuleKind.POSITIVE_MENTION) == "credited"
    member = await services.ledger.member(ANN, entries=10)
    assert member is not None
    assert member["balance"] == member["lifetime_points"] == 10
    (event,) = await outboxed(mongo_db)
    assert isinstance(event, PointsAwarded)
    assert event.payload.balance == 10


async def test_the_same_cause_delivered_twice_is_one_entry_announced_once(
    services: Parts, mongo_db: Database
) -> None:
    await earn(services, RuleKind.RECOVERY, "case-1")
    await earn(services, RuleKind.RECOVERY, "case-1")
    member = await services.ledger.member(ANN, entries=10)
    assert member is not None
    assert (member["balance"], len(member["ledger"])) == (25, 1)
    (event,) = await outboxed(mongo_db)
    assert event.payload.entry_id == "recovery:case-1"


async def test_concurrent_earnings_are_all_counted_and_duplicates_once(
    services: Parts, mongo_db: Database
) -> None:
    causes = [f"case-{n}" for n in range(10)]
    await asyncio.gather(*(earn(services, RuleKind.RECOVERY, c) for c in causes + causes))
    member = await services.ledger.member(ANN, entries=100)
    assert member is not None
    assert len(member["ledger"]) == 10
    assert member["balance"] == 250
    assert sorted(e["balance"] for e in member["ledger"]) == list(range(25, 251, 25))
    awarded = [e for e in await outboxed(mongo_db) if isinstance(e, PointsAwarded)]
    assert sorted(e.payload.entry_id for e in awarded) == sorted(f"recovery:{c}" for c in causes)


async def test_the_daily_cap_drops_the_fourth_post_until_a_day_has_passed(
    services: Parts, clock: MovableClock
) -> None:
    await services.rules.put(Rule(kind=RuleKind.POSITIVE_MENTION, points=10, daily_cap=3))
    outcomes = [await earn(services, RuleKind.POSITIVE_MENTION) for _ in range(4)]
    assert outcomes == ["credited"] * 3 + ["capped"]
    clock.advance(hours=23)
    assert await earn(services, RuleKind.POSITIVE_MENTION) == "capped"
    clock.advance(hours=1, seconds=1)
    assert await earn(services, RuleKind.POSITIVE_MENTION) == "credited"
    assert await balance(services) == 40


async def test_an_eleventh_referral_in_a_week_is_held_until_a_human_decides(
    services: Parts, mongo_db: Database
) -> None:
    for n in range(10):
        assert await earn(services, RuleKind.REFERRAL, f"ref-{n}") == "credited"
    assert await earn(services, RuleKind.REFERRAL, "ref-10") == "held"
    assert await balance(services) == 500
    (held,) = [e for e in await outboxed(mongo_db) if isinstance(e, PointsHeld)]
    assert held.payload.decision is None
    assert [e["_id"] for e in await services.ledger.held(10)] == ["referral:ref-10"]

    entry = await services.earner.decide("referral:ref-10", "approved")
    assert entry["status"] == "credited"
    assert await balance(services) == 550
    again = await services.earner.decide("referral:ref-10", "approved")
    assert again["balance"] == entry["balance"]
    assert await balance(services) == 550
    assert await services.ledger.held(10) == []
    announced = await outboxed(mongo_db)
    holds = [e for e in announced if isinstance(e, PointsHeld)]
    assert [e.payload.decision for e in holds] == [None, "approved"]
    awarded = [e.payload.entry_id for e in announced if isinstance(e, PointsAwarded)]
    assert awarded.count("referral:ref-10") == 1


async def test_a_rejected_hold_earns_nothing_and_cannot_be_approved_after(
    services: Parts,
) -> None:
    await services.rules.put(Rule(kind=RuleKind.REFERRAL, points=50, velocity_limit=1))
    await earn(services, RuleKind.REFERRAL, "ref-1")
    assert await earn(services, RuleKind.REFERRAL, "ref-2") == "held"
    await services.earner.decide("referral:ref-2", "rejected")
    assert await balance(services) == 50
    with pytest.raises(Exception, match="rejected, not held"):
        await services.earner.decide("referral:ref-2", "approved")


async def test_an_inactive_rule_earns_nothing(services: Parts) -> None:
    await services.rules.put(Rule(kind=RuleKind.SHARE, points=5, active=False))
    outcome = await services.earner.earn(
        RuleKind.SHARE, profile_id=ANN, cause="m", cause_event_id=uuid4()
    )
    assert outcome is None
    assert await services.members.get(ANN) is None


async def test_an_expired_batch_leaves_the_balance_and_stays_in_the_ledger(
    services: Parts, clock: MovableClock, mongo_db: Database
) -> None:
    await earn(services, RuleKind.RECOVERY, "old-1")
    await earn(services, RuleKind.RECOVERY, "old-2")
    clock.advance(days=200)
    await earn(services, RuleKind.RECOVERY, "new-1")
    clock.advance(days=166)
    assert await services.sweeper.sweep() >= 1
    assert await balance(services) == 25
    member = await services.ledger.member(ANN, entries=10)
    assert member is not None
    assert {e["_id"] for e in member["ledger"]} >= {"recovery:old-1", "recovery:old-2"}
    (expiry,) = [e for e in member["ledger"] if e["kind"] == "expiry"]
    assert expiry["points"] == -50
    (event,) = [e for e in await outboxed(mongo_db) if isinstance(e, PointsExpired)]
    assert event.payload.entry_ids == ["recovery:old-1", "recovery:old-2"]
    assert (event.payload.points, event.payload.balance) == (50, 25)
    assert await services.sweeper.sweep() == 0
    assert await balance(services) == 25


async def test_spent_points_are_the_oldest_so_less_expires(
    services: Parts, clock: MovableClock
) -> None:
    await earn(services, RuleKind.RECOVERY, "old-1")
    clock.advance(days=10)
    await earn(services, RuleKind.RECOVERY, "new-1")
    await services.redemptions.redeem(ANN, "key-00001", "mug", 20, clock())
    clock.advance(days=360)
    await services.sweeper.sweep()
    assert await balance(services) == 25  # 30 left: 5 of the oldest expire, 25 new remain


async def test_a_member_climbs_a_tier_and_falls_back_when_the_window_passes(
    services: Parts, clock: MovableClock, mongo_db: Database
) -> None:
    await services.rules.put(Rule(kind=RuleKind.RECOVERY, points=250))
    await earn(services, RuleKind.RECOVERY, "big")
    member = await services.members.get(ANN)
    assert member is not None
    assert member["tier"] == "silver"
    clock.advance(days=365, seconds=1)
    await services.sweeper.sweep()
    member = await services.members.get(ANN)
    assert member is not None
    assert member["tier"] == "bronze"
    tiers = [e.payload.tier for e in await outboxed(mongo_db) if e.type == "tier.changed"]
    assert tiers == ["silver", "bronze"]
