"""Offers: saving one answers at once and rolls it out to its audience in the background."""

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from loyalty.api.deps import NamePath, PartsDep
from loyalty.domain.catalogue import Offer, OfferTerms
from loyalty.domain.rollouts import Rollout, RolloutState
from loyalty.errors import LoyaltyError, NotFound
from rapport.api import JsonBody, require
from rapport.auth import Scope
from rapport.openapi import refused

router = APIRouter(prefix="/v1/offers", tags=["offers"])
ADMIN = require(Scope.ADMIN)


class Unprocessable(LoyaltyError):
    status_code = 422


class RolloutStatus(BaseModel):
    rollout_id: str
    offer_id: str
    state: RolloutState
    targeted: int
    """Consenting members in the offer's audience when the roll-out started."""
    done: int
    """Members decided so far: the roll-out is over when ``state`` is ``done``."""
    sent: int
    """Members the offer goes to (consenting, relevant, under the weekly cap)."""
    failed: int
    errors: list[str]
    """The first members whose decision failed (up to 100), with the error's type."""
    created_at: datetime
    updated_at: datetime


class OfferSaved(BaseModel):
    offer: Offer
    rollout: RolloutStatus


def _status(rollout: Rollout) -> RolloutStatus:
    return RolloutStatus.model_validate(rollout, from_attributes=True)


@router.get("", dependencies=[ADMIN])
async def list_offers(parts: PartsDep) -> list[Offer]:
    """Every offer, running or not."""
    return await parts.offers.all()


@router.put("/{offer_id}", dependencies=[ADMIN, JsonBody], status_code=status.HTTP_202_ACCEPTED)
async def put_offer(
    parts: PartsDep, offer_id: NamePath, terms: OfferTerms, response: Response
) -> OfferSaved:
    """Save an offer and start its roll-out to the consenting members it is relevant to;
    follow it at the ``Location`` answered."""
    if terms.expires_at <= parts.clock():
        raise Unprocessable("the offer has already expired")
    offer = Offer(offer_id=offer_id, **terms.model_dump())
    rollout = await parts.start_rollout(offer)
    parts.rollout_worker.wake()
    response.headers["Location"] = f"/v1/offers/{offer_id}/rollouts/{rollout.rollout_id}"
    return OfferSaved(offer=offer, rollout=_status(rollout))


@router.get("/{offer_id}/rollouts/{rollout_id}", dependencies=[ADMIN], responses=refused(404))
async def get_rollout(parts: PartsDep, offer_id: NamePath, rollout_id: NamePath) -> RolloutStatus:
    """An offer roll-out's state and counts, with the first errors."""
    rollout = await parts.rollouts.get(offer_id, rollout_id)
    if rollout is None:
        raise NotFound("no such roll-out of this offer")
    return _status(rollout)
