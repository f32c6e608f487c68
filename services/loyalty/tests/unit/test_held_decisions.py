"""A human's decision on a held entry against the in-memory stores: approving credits it and
reviews the tier, the same decision again changes nothing, another is refused."""

from uuid import UUID

import pytest

from loyalty.domain.rules import RuleKind
from loyalty.errors import Conflict, NotFound
from rapport.events import PointsAwarded, PointsHeld
from services.loyalty.tests.unit.programme import Programme

ANN = UUID(int=1)
HELD = "referral:ref-10"


async def holding(p: Programme | None = None) -> Programme:
    p = p or Programme()
    for n in range(11):
        await p.earn(RuleKind.REFERRAL, ANN, f"ref-{n}")
    assert p.ledger.entries[HELD]["status"] == "held"
    return p


async def test_approving_credits_the_points_and_announces_the_decision() -> None:
    p = await holding()
    p.clock.advance(hours=1)

    entry = await p.earner.decide(HELD, "approved")

    assert entry["status"] == "credited"
    assert entry["balance"] == 550
    assert entry["credited_at"] == p.clock.now
    assert p.members[ANN]["balance"] == 550
    decided = [e.payload.decision for e in p.events(PointsHeld)]
    assert decided == [None, "approved"]
    assert p.events(PointsAwarded)[-1].payload.entry_id == HELD


async def test_an_approval_that_crosses_a_threshold_changes_the_tier() -> None:
    p = await holding(Programme(tiers={"bronze": 0, "silver": 520}))

    await p.earner.decide(HELD, "approved")

    assert p.members[ANN]["tier"] == "silver"


async def test_the_same_decision_again_changes_nothing() -> None:
    p = await holding()
    await p.earner.decide(HELD, "approved")
    stored = len(p.events())

    again = await p.earner.decide(HELD, "approved")

    assert again["status"] == "credited"
    assert p.members[ANN]["balance"] == 550
    assert len(p.events()) == stored


async def test_rejecting_keeps_the_points_out_and_a_later_approval_is_refused() -> None:
    p = await holding()

    assert (await p.earner.decide(HELD, "rejected"))["status"] == "rejected"
    with pytest.raises(Conflict, match="rejected, not held"):
        await p.earner.decide(HELD, "approved")

    assert p.members[ANN]["balance"] == 500


async def test_deciding_an_entry_that_was_not_held_or_does_not_exist_is_refused() -> None:
    p = await holding()

    with pytest.raises(Conflict, match="credited, not held"):
        await p.earner.decide("referral:ref-0", "approved")
    with pytest.raises(NotFound):
        await p.earner.decide("referral:nope", "approved")
