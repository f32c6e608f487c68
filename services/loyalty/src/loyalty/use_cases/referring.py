"""Converted referrals, and the purchases they need, as loyalty consumes them from
``commerce.events``. A referral is admitted (``loyalty.adapters.referral_store``) and earned in
one transaction, so two referrals of one purchase or one person handled at the same moment
cannot both pay; one that does not pay is recorded with its reason."""

from uuid import UUID

from loyalty.adapters.outbox import Session
from loyalty.adapters.referral_store import MongoReferrals
from loyalty.clock import Clock
from loyalty.domain.rules import RuleKind
from loyalty.errors import ReferralRefused
from loyalty.use_cases.earning import Earner
from rapport.events import PurchaseMade, ReferralConverted


async def on_purchase_made(event: PurchaseMade, *, referrals: MongoReferrals) -> None:
    """Remember the purchase: a referral pays only for a purchase loyalty has recorded."""
    await referrals.record_purchase(event.payload)


async def on_referral_converted(
    event: ReferralConverted, *, referrals: MongoReferrals, earner: Earner, clock: Clock
) -> None:
    """Referral points for the referrer (their person, after merges), when the referral pays."""
    referral = event.payload

    async def work(s: Session) -> None:
        referrer: UUID = await referrals.admit(referral, s)
        await earner.earn(
            RuleKind.REFERRAL,
            profile_id=referrer,
            cause=referral.referral_id,
            cause_event_id=event.event_id,
            session=s,
        )

    try:
        await earner.outbox.transaction(work)
    except ReferralRefused as refusal:
        await referrals.refused(referral, str(refusal), clock())
