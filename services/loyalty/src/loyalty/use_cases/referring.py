"""Converted referrals, and the purchases they need, as loyalty consumes them from
``commerce.events`` or is posted them. A referral is admitted (``loyalty.domain.referrals``
decides whether it pays) and earned in one unit of work, so two referrals of one purchase or
one person handled at the same moment cannot both pay; a consumed one that does not pay is
recorded with its reason."""

from dataclasses import dataclass
from uuid import UUID

from loyalty.clock import Clock
from loyalty.domain.referrals import refusal
from loyalty.domain.rules import RuleKind
from loyalty.errors import ReferralRefused
from loyalty.ports import EarningStores, EarningWork, ReferralRefusals, ReferralStore
from loyalty.use_cases.earning import Earner
from rapport.events import Purchase, PurchaseMade, Referral, ReferralConverted


async def record_purchase(purchase: Purchase, stores: EarningStores) -> None:
    """Remember the purchase: a referral pays only for a purchase loyalty has recorded."""
    await stores.referrals.record_purchase(purchase)


async def admit(referral: Referral, stores: EarningStores) -> UUID:
    """Admit ``referral`` (forgetting an earlier refusal of it), or raise ``ReferralRefused``
    saying why; the referrer's person. Admitting it again is fine."""
    referrals: ReferralStore = stores.referrals
    facts = await referrals.facts(referral)
    reason = refusal(facts)
    if reason is not None or facts.referrer is None or facts.referred is None:
        raise ReferralRefused(f"referral {referral.referral_id} refused: {reason}")
    if facts.purchase_paid_by is None:
        await referrals.admit(referral, referrer=facts.referrer, referred=facts.referred)
    return facts.referrer


@dataclass(frozen=True, kw_only=True)
class Referring:
    uow: EarningWork
    earner: Earner
    refusals: ReferralRefusals
    clock: Clock

    async def on_purchase_made(self, event: PurchaseMade) -> None:
        await self.uow(lambda stores: record_purchase(event.payload, stores))

    async def on_referral_converted(self, event: ReferralConverted) -> None:
        """Referral points for the referrer (their person, after merges), when it pays."""
        referral = event.payload

        async def work(stores: EarningStores) -> None:
            referrer = await admit(referral, stores)
            await self.earner.earn_in(
                stores,
                RuleKind.REFERRAL,
                profile_id=referrer,
                cause=referral.referral_id,
                cause_event_id=event.event_id,
            )

        try:
            await self.uow(work)
        except ReferralRefused as refused:
            await self.refusals.refused(referral, str(refused), self.clock())
