"""Earning against the in-memory stores: a cause earns once, guardrails cap, refuse or hold
it, and a credit lifts the tier in the same unit of work."""

from uuid import UUID

from loyalty.domain.rules import RuleKind
from rapport.events import PointsAwarded, PointsHeld, TierChanged
from services.loyalty.tests.unit.programme import Programme

ANN = UUID(int=1)


async def test_a_cause_is_credited_once_with_its_award() -> None:
    p = Programme()

    assert await p.earn(RuleKind.REFERRAL, ANN, "ref-1") == "credited"
    assert await p.earn(RuleKind.REFERRAL, ANN, "ref-1") == "credited"

    assert p.members[ANN]["balance"] == p.members[ANN]["lifetime_points"] == 50
    assert list(p.ledger.entries) == ["referral:ref-1"]
    (award,) = p.events(PointsAwarded)
    assert (award.payload.points, award.payload.balance) == (50, 50)


async def test_a_switched_off_rule_earns_nothing() -> None:
    p = Programme()
    p.rule(RuleKind.REFERRAL, points=50, active=False)

    assert await p.earn(RuleKind.REFERRAL, ANN, "ref-1") is None
    assert p.ledger.entries == {}
    assert p.events() == []


async def test_earnings_beyond_the_daily_cap_are_dropped_without_an_entry() -> None:
    p = Programme()
    p.rule(RuleKind.POSITIVE_MENTION, points=10, daily_cap=2)

    verdicts = [await p.earn(RuleKind.POSITIVE_MENTION, ANN, f"m{n}") for n in range(3)]

    assert verdicts == ["credited", "credited", "capped"]
    assert len(p.ledger.entries) == 2
    assert p.members[ANN]["balance"] == 20


async def test_a_flagged_author_earns_nothing_until_the_flag_ends() -> None:
    p = Programme()
    p.members[ANN] = {"_id": ANN, "balance": 0, "flagged_until": p.clock.now.replace(year=2100)}

    assert await p.earn(RuleKind.POSITIVE_MENTION, ANN, "m1") == "refused"
    assert p.ledger.entries == {}
    assert p.members[ANN]["balance"] == 0


async def test_referrals_beyond_the_velocity_limit_are_held_without_points() -> None:
    p = Programme()
    for n in range(10):
        assert await p.earn(RuleKind.REFERRAL, ANN, f"ref-{n}") == "credited"

    assert await p.earn(RuleKind.REFERRAL, ANN, "ref-10") == "held"

    assert p.members[ANN]["balance"] == 500
    (held,) = p.events(PointsHeld)
    assert held.payload.entry_id == "referral:ref-10"
    assert held.payload.decision is None
    assert p.ledger.entries["referral:ref-10"]["credited_at"] is None


async def test_a_credit_that_crosses_a_threshold_changes_the_tier_with_it() -> None:
    p = Programme()
    causes = [await p.earn(RuleKind.REFERRAL, ANN, f"ref-{n}") for n in range(5)]

    assert causes == ["credited"] * 5
    assert p.members[ANN]["tier"] == "silver"
    (changed,) = p.events(TierChanged)
    assert (changed.payload.previous_tier, changed.payload.tier) == ("bronze", "silver")
    assert changed.payload.window_points == 250
