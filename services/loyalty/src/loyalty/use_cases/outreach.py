"""When offers are decided for a member: one at a time, consent, relevance and the weekly cap
checked and the decision stored with its ``OutreachDecided`` in one unit of work; and a
member's running offers whenever their stage, segment or consent changes."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from loyalty.clock import Clock
from loyalty.domain.catalogue import Offer
from loyalty.domain.outreach import WEEK, outreach_decision
from loyalty.ports import OfferStore, OutreachStores, OutreachWork
from rapport.events import OutreachDecided, OutreachDecision


@dataclass(frozen=True, kw_only=True)
class Outreach:
    offers: OfferStore
    uow: OutreachWork
    clock: Clock
    weekly_cap: int

    async def decide(self, offer: Offer, profile_id: UUID) -> OutreachDecision | None:
        """Send ``offer`` to the member if consent, relevance and the weekly cap allow; a
        repeat returns the first decision."""
        now = self.clock()

        async def work(stores: OutreachStores) -> OutreachDecision | None:
            first = await stores.outreach.decision(offer.offer_id, profile_id)
            if first is not None:
                return first
            audience = await stores.members.audience(profile_id)
            if audience is None:
                return None
            decision = outreach_decision(
                offer,
                profile_id,
                audience,
                now=now,
                sent_this_week=await stores.outreach.sent_since(profile_id, now - WEEK),
                weekly_cap=self.weekly_cap,
            )
            if decision is not None:
                await stores.outreach.record(decision)
                await stores.events.add(profile_id, [OutreachDecided.of(decision)])
            return decision

        return await self.uow(work)

    async def member_changed(self, profile_id: UUID) -> None:
        await self.members_changed([profile_id])

    async def members_changed(self, profile_ids: Sequence[UUID]) -> None:
        """Decide the running offers for each member (the offers read once)."""
        if not profile_ids:
            return
        now = self.clock()
        for offer in await self.offers.all():
            if offer.starts_at <= now < offer.expires_at:
                for profile_id in profile_ids:
                    await self.decide(offer, profile_id)
