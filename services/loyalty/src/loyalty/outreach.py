"""When offers are evaluated: for every consenting member in the audience when an offer is
saved, and for a member's running offers whenever their stage, segment or consent changes."""

from uuid import UUID

from loyalty.clock import Clock
from loyalty.domain.catalogue import Offer
from loyalty.repository.catalogue import Collection
from loyalty.repository.members import MongoMembers
from loyalty.repository.outreach import MongoOutreach
from loyalty.topics import LOYALTY_TOPIC
from rapport.events import OutreachDecided
from rapport.kafka.producer import Publish

MAX_AUDIENCE = 10_000


class Outreach:
    def __init__(
        self,
        *,
        offers: Collection[Offer],
        decisions: MongoOutreach,
        members: MongoMembers,
        publish: Publish,
        clock: Clock,
    ) -> None:
        self._offers = offers
        self._decisions = decisions
        self._members = members
        self._publish = publish
        self._clock = clock

    async def offer_saved(self, offer: Offer) -> int:
        """Decide for the offer's audience; how many members it is sent to."""
        audience = await self._members.audience(
            [s.value for s in offer.stages], [s.value for s in offer.segments], MAX_AUDIENCE
        )
        sent = [await self.consider(offer, member["_id"]) for member in audience]
        return sum(sent)

    async def member_changed(self, profile_id: UUID) -> None:
        now = self._clock()
        for offer in await self._offers.all():
            if offer.starts_at <= now < offer.expires_at:
                await self.consider(offer, profile_id)

    async def consider(self, offer: Offer, profile_id: UUID) -> bool:
        decision = await self._decisions.decide(offer, profile_id, self._clock())
        if decision is None:
            return False
        await self._publish([(LOYALTY_TOPIC, str(profile_id), OutreachDecided.of(decision))])
        return True
