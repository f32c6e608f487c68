"""Look-alike suggestions for a human to accept (merge) or reject; merge and unmerge."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from profiles.api.deps import ServicesDep
from profiles.api.models import ProfileView, view
from profiles.api.profiles import answer
from profiles.ports import Applied
from profiles.use_cases import merges, queries
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


@router.get("/{profile_id}/suggestions", dependencies=[require(Scope.AGENT, Scope.SUPERVISOR)])
async def suggestions(profile_id: UUID, services: ServicesDep) -> list[Suggestion]:
    """Profiles with similar handles or names, for a human to merge or reject."""
    found = await queries.suggestions(services, profile_id)
    now = services.clock()
    return [
        Suggestion(
            profile=view(other, now=now, rules=services.rules),
            similarity=alike.similarity,
            names=alike.names,
        )
        for other, alike in found
    ]


@router.post(
    "/{profile_id}/suggestions/{other_id}/reject",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require(Scope.AGENT, Scope.SUPERVISOR)],
)
async def reject_suggestion(profile_id: UUID, other_id: UUID, services: ServicesDep) -> None:
    """Never suggest this pair again."""
    await queries.reject_suggestion(services, profile_id, other_id)


@router.post("/{profile_id}/merge", dependencies=[MERGERS, JsonBody])
async def merge(
    profile_id: UUID,
    body: MergeRequest,
    services: ServicesDep,
    principal: Annotated[Principal, MERGERS],
) -> ProfileView:
    """Absorb the given profiles into this one (their ids then resolve to it)."""
    change = await merges.merge(
        services, profile_id, body.profile_ids, actor=principal.subject, reason=body.reason
    )
    return await answer(services, Applied(change.profile, change.events, True))


@router.post("/{profile_id}/unmerge", dependencies=[MERGERS, JsonBody])
async def unmerge(
    profile_id: UUID,
    body: UnmergeRequest,
    services: ServicesDep,
    principal: Annotated[Principal, MERGERS],
) -> ProfileView:
    """Split an absorbed profile off again, with what it brought; answers with it."""
    kept, restored = await merges.unmerge(
        services, profile_id, body.profile_id, actor=principal.subject, reason=body.reason
    )
    await answer(services, Applied(kept.profile, kept.events, True))
    return await answer(services, Applied(restored.profile, restored.events, True))
