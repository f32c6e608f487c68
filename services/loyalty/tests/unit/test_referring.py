"""Referral admission against the in-memory stores: a referral pays its referrer once, for a
recorded purchase of the referred person; one that does not pay is kept with its reason."""

from uuid import UUID

import pytest

from loyalty.errors import ReferralRefused
from loyalty.use_cases.referring import admit
from rapport.events import PointsAwarded
from services.loyalty.tests.integration.builders import purchase_made, referral
from services.loyalty.tests.unit.programme import Programme

ANN, BOB, CAT = UUID(int=1), UUID(int=2), UUID(int=3)


def known(p: Programme, *people: UUID) -> Programme:
    p.referrals.persons |= {person: person for person in people}
    return p


async def test_a_referral_of_a_recorded_purchase_pays_the_referrer_once() -> None:
    p = known(Programme(), ANN, BOB)
    await p.referring.on_purchase_made(purchase_made(BOB))
    converted = referral(ANN, BOB)

    await p.referring.on_referral_converted(converted)
    await p.referring.on_referral_converted(converted)

    (award,) = p.events(PointsAwarded)
    assert (award.payload.profile_id, award.payload.points) == (ANN, 50)
    assert p.referrals.admitted["order-1"]["referrer"] == ANN
    assert p.referrals.refusals == {}


async def test_a_refused_referral_is_kept_with_its_reason_and_earns_nothing() -> None:
    p = known(Programme(), ANN, BOB)
    converted = referral(ANN, BOB)

    await p.referring.on_referral_converted(converted)

    assert p.events() == []
    assert p.referrals.admitted == {}
    reason = p.referrals.refusals[converted.payload.referral_id]
    assert "purchase order-1 is not recorded" in reason


async def test_referring_a_merged_alias_of_oneself_pays_nothing() -> None:
    p = known(Programme(), ANN)
    p.referrals.persons[CAT] = ANN
    await p.referring.on_purchase_made(purchase_made(CAT))

    await p.referring.on_referral_converted(referral(ANN, CAT))

    assert p.events() == []
    assert "cannot refer themselves" in next(iter(p.referrals.refusals.values()))


async def test_a_second_referral_of_one_purchase_or_person_is_refused() -> None:
    p = known(Programme(), ANN, BOB, CAT)
    await p.referring.on_purchase_made(purchase_made(BOB))
    await p.referring.on_purchase_made(purchase_made(BOB, "order-2"))
    await p.referring.on_referral_converted(referral(ANN, BOB))

    with pytest.raises(ReferralRefused, match="already paid referral"):
        await p.uow(lambda stores: admit(referral(CAT, BOB).payload, stores))
    with pytest.raises(ReferralRefused, match="already referred"):
        await p.uow(lambda stores: admit(referral(CAT, BOB, "order-2").payload, stores))
    assert len(p.events(PointsAwarded)) == 1


async def test_a_refusal_is_forgotten_once_the_referral_pays() -> None:
    p = known(Programme(), ANN, BOB)
    converted = referral(ANN, BOB)
    await p.referring.on_referral_converted(converted)
    await p.referring.on_purchase_made(purchase_made(BOB))

    await p.referring.on_referral_converted(converted)

    assert p.referrals.refusals == {}
    assert len(p.events(PointsAwarded)) == 1
