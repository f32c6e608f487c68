"""Admin APIs: earning rules and the rewards catalogue."""

from fastapi import APIRouter

from loyalty.api.deps import NamePath, PartsDep
from loyalty.domain.catalogue import Reward, RewardTerms
from loyalty.domain.rules import Rule, RuleKind, RuleTerms
from rapport.api import JsonBody, require
from rapport.auth import Scope

router = APIRouter(prefix="/v1", tags=["catalogue"])
READERS = require(Scope.AGENT, Scope.INTEGRATION, Scope.SUPERVISOR)
ADMIN = require(Scope.ADMIN)


@router.get("/rules", dependencies=[READERS])
async def list_rules(parts: PartsDep) -> list[Rule]:
    """Every earning rule with its points, caps and velocity limit."""
    return await parts.rules.all()


@router.put("/rules/{kind}", dependencies=[ADMIN, JsonBody])
async def put_rule(parts: PartsDep, kind: RuleKind, terms: RuleTerms) -> Rule:
    """Change what a rule earns and how often; applies to causes handled from now on."""
    rule = Rule(kind=kind, **terms.model_dump())
    await parts.rules.put(rule)
    return rule


@router.get("/rewards", dependencies=[READERS])
async def list_rewards(parts: PartsDep) -> list[Reward]:
    """The rewards catalogue."""
    return await parts.rewards.all()


@router.put("/rewards/{reward_id}", dependencies=[ADMIN, JsonBody])
async def put_reward(parts: PartsDep, reward_id: NamePath, terms: RewardTerms) -> Reward:
    """Add or change a reward."""
    reward = Reward(reward_id=reward_id, **terms.model_dump())
    await parts.rewards.put(reward_id, reward)
    return reward
