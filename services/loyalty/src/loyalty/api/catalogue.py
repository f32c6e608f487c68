"""Admin APIs: earning rules, the rewards catalogue and offers."""

from fastapi import APIRouter
from pydantic import BaseModel

from loyalty.api.deps import NamePath, ServicesDep
from loyalty.domain.catalogue import Offer, OfferTerms, Reward, RewardTerms
from loyalty.domain.rules import Rule, RuleKind, RuleTerms
from loyalty.errors import LoyaltyError
from rapport.api import JsonBody, require
from rapport.auth import Scope

router = APIRouter(prefix="/v1", tags=["catalogue"])
READERS = require(Scope.AGENT, Scope.INTEGRATION, Scope.SUPERVISOR)
ADMIN = require(Scope.ADMIN)


class Unprocessable(LoyaltyError):
    status_code = 422


class OfferSaved(BaseModel):
    offer: Offer
    sent: int
    """How many members the offer was sent to (consenting, relevant, under the weekly cap)."""


@router.get("/rules", dependencies=[READERS])
async def list_rules(services: ServicesDep) -> list[Rule]:
    """Every earning rule with its points, caps and velocity limit."""
    return await services.rules.all()


@router.put("/rules/{kind}", dependencies=[ADMIN, JsonBody])
async def put_rule(services: ServicesDep, kind: RuleKind, terms: RuleTerms) -> Rule:
    """Change what a rule earns and how often; applies to causes handled from now on."""
    rule = Rule(kind=kind, **terms.model_dump())
    await services.rules.put(rule)
    return rule


@router.get("/rewards", dependencies=[READERS])
async def list_rewards(services: ServicesDep) -> list[Reward]:
    """The rewards catalogue."""
    return await services.rewards.all()


@router.put("/rewards/{reward_id}", dependencies=[ADMIN, JsonBody])
async def put_reward(services: ServicesDep, reward_id: NamePath, terms: RewardTerms) -> Reward:
    """Add or change a reward."""
    reward = Reward(reward_id=reward_id, **terms.model_dump())
    await services.rewards.put(reward_id, reward)
    return reward


@router.get("/offers", dependencies=[ADMIN])
async def list_offers(services: ServicesDep) -> list[Offer]:
    """Every offer, running or not."""
    return await services.offers.all()


@router.put("/offers/{offer_id}", dependencies=[ADMIN, JsonBody])
async def put_offer(services: ServicesDep, offer_id: NamePath, terms: OfferTerms) -> OfferSaved:
    """Save an offer and send it to the consenting members it is relevant to."""
    if terms.expires_at <= services.clock():
        raise Unprocessable("the offer has already expired")
    offer = Offer(offer_id=offer_id, **terms.model_dump())
    await services.offers.put(offer_id, offer)
    return OfferSaved(offer=offer, sent=await services.outreach.offer_saved(offer))
