"""Offer roll-outs: saving an offer starts one (answered at once), and workers page through
its audience in the background, each page's progress recorded under a claim so that one
replica runs a roll-out at a time and another resumes it where a crashed one stopped."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

from loyalty.clock import Clock
from loyalty.domain.catalogue import Offer
from loyalty.domain.rollouts import Rollout, RolloutState, abandoned, paged
from loyalty.ports import Decide, MemberAudiences, OfferStore, RolloutStore
from rapport.failures import error_type, is_transient


async def start_rollout(
    offer: Offer,
    *,
    offers: OfferStore,
    members: MemberAudiences,
    rollouts: RolloutStore,
    clock: Clock,
) -> Rollout:
    """Save ``offer`` and a roll-out to its audience, which a worker then runs."""
    now = clock()
    await offers.put(offer.offer_id, offer)
    rollout = Rollout(
        rollout_id=uuid4().hex,
        offer_id=offer.offer_id,
        state=RolloutState.PENDING,
        targeted=await members.count(offer.targeting()),
        created_at=now,
        updated_at=now,
    )
    await rollouts.create(rollout)
    return rollout


@dataclass(frozen=True, kw_only=True)
class RolloutRunner:
    """Runs roll-outs a page at a time for one replica (``owner``)."""

    offers: OfferStore
    members: MemberAudiences
    rollouts: RolloutStore
    decide: Decide
    clock: Clock
    owner: str
    claim_for: timedelta
    """How long a claim lasts without progress: then another replica may take over."""
    page_size: int = 200

    async def advance(self) -> Rollout | None:
        """Decide the next page of a roll-out this replica holds or may take; the roll-out as
        recorded, or None when none is waiting (or the claim was lost meanwhile)."""
        now = self.clock()
        rollout = await self.rollouts.claim(self.owner, now=now, until=now + self.claim_for)
        if rollout is None:
            return None
        advanced = await self._page(rollout)
        until = self.clock() + self.claim_for
        return advanced if await self.rollouts.record(advanced, self.owner, until=until) else None

    async def _page(self, rollout: Rollout) -> Rollout:
        offer = await self.offers.get(rollout.offer_id)
        if offer is None:
            return abandoned(rollout, "the offer is gone", self.clock())
        page = await self.members.page(offer.targeting(), after=rollout.after, limit=self.page_size)
        sent, errors = 0, []
        for profile_id in page:
            try:
                sent += await self.decide(offer, profile_id) is not None
            except Exception as error:
                if is_transient(error):
                    raise  # the page is redone once the database is back
                errors.append(f"{profile_id}: {error_type(error)}")
        return paged(
            rollout, page, sent=sent, errors=errors, page_size=self.page_size, now=self.clock()
        )
