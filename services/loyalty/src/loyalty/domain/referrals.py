"""When a converted referral pays: both people are known, they are two people (aliases of a
merged profile are one), the purchase is recorded and was made by the referred customer, and
neither the purchase nor the referred person paid a referral before."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class ReferralFacts:
    """What loyalty knows about a referral's parties, each named by their person: the profile
    that survived every merge of the id (None when loyalty has never heard of it)."""

    referral_id: str
    purchase_id: str
    referrer: UUID | None
    referred: UUID | None
    buyer: UUID | None
    """Who made the purchase; None when no purchase of this id is recorded."""
    purchase_paid_by: str | None = None
    """The referral this purchase already paid, if any."""
    referred_before_by: str | None = None
    """The referral that already referred this person (under any of their ids), if any."""


def refusal(facts: ReferralFacts) -> str | None:
    """Why the referral earns nothing, or None when it pays."""
    if facts.referrer is None:
        return "the referrer is not a known profile"
    if facts.referred is None:
        return "the referred customer is not a known profile"
    if facts.referrer == facts.referred:
        return "a customer cannot refer themselves (the two ids are one person)"
    if facts.buyer is None:
        return f"purchase {facts.purchase_id} is not recorded: post the purchase first"
    if facts.buyer != facts.referred:
        return f"purchase {facts.purchase_id} was not made by the referred customer"
    if facts.purchase_paid_by not in (None, facts.referral_id):
        return f"purchase {facts.purchase_id} already paid referral {facts.purchase_paid_by}"
    if facts.referred_before_by not in (None, facts.referral_id):
        return f"the referred customer was already referred ({facts.referred_before_by})"
    return None
