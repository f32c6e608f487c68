"""When offers are evaluated: for every consenting member in the audience when an offer is
saved, and for a member's running offers whenever their stage, segment or consent changes."""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from loyalty.clock import Clock
from loyalty.domain.catalogue import Offer
from loyalty.repository.catalogue import Collection
from loyalty.repository.members import MongoMembers
from loyalty.repository.outreach import MongoOutreach

MAX_AUDIENCE = 10_000


@dataclass(frozen=True, kw_only=True)
class Outreach:
    offers: Collection[Offer]
    decisions: MongoOutreach
    members: MongoMembers
    clock: Clock

    async def offer_saved(self, offer: Offer) -> int:
        """Decide for the offer's audience; how many members it is sent to."""
        audience = await self.members.audience(
            [s.value for s in offer.stages], [s.value for s in offer.segments], MAX_AUDIENCE
        )
        sent = [await self.consider(offer, member["_id"]) for member in audience]
        return sum(sent)

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
                    await self.consider(offer, profile_id)

    async def consider(self, offer: Offer, profile_id: UUID) -> bool:
        """Whether ``offer`` goes (or already went) to the member."""
        return await self.decisions.decide(offer, profile_id, self.clock()) is not None
