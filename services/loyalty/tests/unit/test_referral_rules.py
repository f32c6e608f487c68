"""When a converted referral pays (``loyalty.domain.referrals``): each refusal on its own."""

from dataclasses import replace
from uuid import uuid4

import pytest

from loyalty.domain.referrals import ReferralFacts, refusal

ANN, BOB = uuid4(), uuid4()
PAYS = ReferralFacts(
    referral_id="ref-1", purchase_id="order-1", referrer=ANN, referred=BOB, buyer=BOB
)


def test_a_referral_of_a_known_person_who_bought_pays() -> None:
    assert refusal(PAYS) is None


def test_the_same_referral_again_still_pays_once_admitted() -> None:
    again = replace(PAYS, purchase_paid_by="ref-1", referred_before_by="ref-1")
    assert refusal(again) is None


REFUSED = {
    "unknown-referrer": ({"referrer": None}, "the referrer is not a known profile"),
    "unknown-referred": ({"referred": None}, "the referred customer is not a known profile"),
    "one-person": ({"referrer": BOB}, "cannot refer themselves"),
    "no-purchase": ({"buyer": None}, "order-1 is not recorded"),
    "someone-elses-purchase": ({"buyer": ANN}, "not made by the referred customer"),
    "purchase-paid": ({"purchase_paid_by": "ref-0"}, "order-1 already paid referral ref-0"),
    "referred-before": ({"referred_before_by": "ref-0"}, "already referred (ref-0)"),
}


@pytest.mark.parametrize(("facts", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_a_referral_that_does_not_pay_says_why(facts: dict[str, object], reason: str) -> None:
    found = refusal(replace(PAYS, **facts))  # type: ignore[arg-type]
    assert found is not None
    assert reason in found
