"""Look-alike suggestions for a human to accept (merge) or reject; merge and unmerge."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from profiles.announce import Announcer
from profiles.api.deps import Services, ServicesDep
from profiles.api.models import ProfileView, view
from profiles.api.profiles import answer
from profiles.domain.lookalikes import lookalikes
from profiles.errors import MergeRefused
from profiles.merges import Action
from profiles.ports import Applied
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Principal, Scope

router = APIRouter(prefix="/v1/profiles", tags=["merges"])
MERGERS = require(Scope.SUPERVISOR)
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class Suggestion(BaseModel):
    profile: ProfileView
    similarity: float
    names: tuple[str, str]


class MergeRequest(StrictModel):
    profile_ids: Annotated[list[UUID], Field(min_length=1, max_length=20)]
    """The profiles to absorb into this one."""
    reason: Reason


class UnmergeRequest(StrictModel):
    profile_id: UUID
    """The absorbed profile to split off again."""
    reason: Reason


def audited(services: Services, principal: Principal, reason: str) -> tuple[Announcer, Action]:
    action_id = uuid4()
    announcer = services.announcer(str(action_id))
    return announcer, Action(action_id, principal.subject, reason, announcer.now)


@router.get("/{profile_id}/suggestions", dependencies=[require(Scope.AGENT, Scope.SUPERVISOR)])
async def suggestions(profile_id: UUID, services: ServicesDep) -> list[Suggestion]:
    """Profiles with similar handles or names, for a human to merge or reject."""
    found, _ = await services.live(profile_id)
    candidates = await services.queries.lookalike_candidates(found)
    now = services.clock()
    return [
        Suggestion(
            profile=view(other, now=now, rules=services.rules),
            similarity=alike.similarity,
            names=alike.names,
        )
        for other, alike in lookalikes(found, candidates, services.rules.suggestion_min_similarity)
    ]


@router.post(
    "/{profile_id}/suggestions/{other_id}/reject",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require(Scope.AGENT, Scope.SUPERVISOR)],
)
async def reject_suggestion(profile_id: UUID, other_id: UUID, services: ServicesDep) -> None:
    """Never suggest this pair again."""
    found, _ = await services.live(profile_id)
    other, _ = await services.live(other_id)
    if other.id == found.id:
        raise MergeRefused("a profile is not a look-alike of itself")
    await services.queries.reject(found.id, other.id)


@router.post("/{profile_id}/merge", dependencies=[MERGERS, JsonBody])
async def merge(
    profile_id: UUID,
    body: MergeRequest,
    services: ServicesDep,
    principal: Annotated[Principal, MERGERS],
) -> ProfileView:
    """Absorb the given profiles into this one (their ids then resolve to it)."""
    announcer, action = audited(services, principal, body.reason)
    absorbed = list(dict.fromkeys(body.profile_ids))
    change = await services.merges.merge(profile_id, absorbed, announcer.merge, action)
    return await answer(services, Applied(change.profile, change.events, True))


@router.post("/{profile_id}/unmerge", dependencies=[MERGERS, JsonBody])
async def unmerge(
    profile_id: UUID,
    body: UnmergeRequest,
    services: ServicesDep,
    principal: Annotated[Principal, MERGERS],
) -> ProfileView:
    """Split an absorbed profile off again, with what it brought; answers with it."""
    announcer, action = audited(services, principal, body.reason)
    kept, restored = await services.merges.unmerge(
        profile_id, body.profile_id, announcer.unmerge, action
    )
    await answer(services, Applied(kept.profile, kept.events, True))
    return await answer(services, Applied(restored.profile, restored.events, True))
