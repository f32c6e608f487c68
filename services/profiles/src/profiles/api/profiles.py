"""Profiles: create CRM-known people, look them up, list, history, consent."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import Field, model_validator

from profiles.api.deps import Services, ServicesDep
from profiles.api.models import ProfileView, view
from profiles.domain.identities import identity, normalise, social_key
from profiles.domain.model import Identity
from profiles.ports import Applied
from profiles.use_cases import profile_changes, queries
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.events import ParticipationSegment, Platform, RelationshipStage
from rapport.openapi import refused

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])
READ = require(Scope.AGENT, Scope.INTEGRATION, Scope.SUPERVISOR)
Text = Annotated[str, Field(min_length=1, max_length=254)]


class NewProfile(StrictModel):
    crm_customer_id: Text | None = None
    email: Text | None = None
    phone: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    display_name: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    marketing_consent: bool = False

    @model_validator(mode="after")
    def _some_identity(self) -> "NewProfile":
        if not (self.crm_customer_id or self.email or self.phone):
            raise ValueError("give at least one of crm_customer_id, email, phone")
        return self


class ConsentChange(StrictModel):
    marketing: bool
    source: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Page(StrictModel):
    profiles: list[ProfileView]
    next_after: UUID | None
    """Pass as ``after`` for the next page; null on the last one."""


async def answer(
    services: Services, applied: Applied, resolved_from: UUID | None = None
) -> ProfileView:
    """Answer with the changed profile; what the change announced is in the outbox already."""
    services.relay_now()
    assert applied.profile is not None
    now = services.clock()
    return view(applied.profile, now=now, rules=services.rules, resolved_from=resolved_from)


def crm_identities(body: NewProfile, at: Any) -> list[Identity]:
    wanted = [("crm", body.crm_customer_id), ("email", body.email), ("phone", body.phone)]
    found = [identity(kind, value, at=at, source="api") for kind, value in wanted if value]  # type: ignore[arg-type]
    if body.display_name:
        found[0].display_name = body.display_name
    return found


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=[require(Scope.INTEGRATION), JsonBody]
)
async def create_profile(
    body: NewProfile, services: ServicesDep, response: Response
) -> ProfileView:
    """A profile for a person the CRM knows (a silent observer until they post)."""
    identities = crm_identities(body, services.clock())
    change, created = await profile_changes.create_profile(
        services, identities, marketing_consent=body.marketing_consent
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return await answer(services, Applied(change.profile, change.events, True))


@router.get("/lookup", dependencies=[READ], responses=refused(400))
async def lookup(
    services: ServicesDep,
    platform: Platform | None = None,
    handle: Annotated[str, Query(min_length=1, max_length=64)] | None = None,
    author_id: Annotated[str, Query(min_length=1, max_length=128)] | None = None,
    crm_customer_id: Annotated[str, Query(min_length=1, max_length=128)] | None = None,
) -> ProfileView:
    """Find a profile by platform and handle, platform and author id, or CRM customer id."""
    if crm_customer_id is not None and platform is None and not (handle or author_id):
        found = await services.queries.by_identity(normalise("crm", crm_customer_id)[0])
    elif platform is not None and author_id is not None and handle is None:
        normalise("social", author_id, platform.value)
        found = await services.queries.by_identity(social_key(platform.value, author_id))
    elif platform is not None and handle is not None and author_id is None:
        found = await services.queries.by_handle(f"{platform.value}:{handle.lstrip('@')}")
    else:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "give platform and handle, platform and author_id, or crm_customer_id",
        )
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no profile has that identity")
    return view(found, now=services.clock(), rules=services.rules)


@router.get("", dependencies=[READ])
async def list_profiles(
    services: ServicesDep,
    stage: RelationshipStage | None = None,
    segment: ParticipationSegment | None = None,
    after: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    """Profiles by stage and/or segment, in pages of ``limit``."""
    found = await services.queries.page(
        stage=stage.value if stage else None,
        segment=segment.value if segment else None,
        after=after,
        limit=limit,
    )
    now = services.clock()
    views = [view(p, now=now, rules=services.rules) for p in found]
    return Page(profiles=views, next_after=found[-1].id if len(found) == limit else None)


@router.get("/{profile_id}", dependencies=[READ])
async def get_profile(profile_id: UUID, services: ServicesDep) -> ProfileView:
    """One customer profile; a merged id answers with the profile it was merged into."""
    found, resolved_from = await queries.live(services.profiles, profile_id)
    return view(found, now=services.clock(), rules=services.rules, resolved_from=resolved_from)


@router.get("/{profile_id}/mentions", dependencies=[READ])
async def mention_history(
    profile_id: UUID,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """The profile's latest mentions (at most the kept history), newest first."""
    docs = await queries.history(services, profile_id, limit)
    return [{**d["mention"], "mention_event_id": d["_id"]} for d in docs]


@router.get("/{profile_id}/audit", dependencies=[require(Scope.SUPERVISOR, Scope.PRIVACY)])
async def audit_trail(profile_id: UUID, services: ServicesDep) -> list[dict[str, Any]]:
    """Merges and unmerges involving the profile, who did them and why, newest first."""
    return [
        {k: v for k, v in doc.items() if k != "_id"} | {"id": doc["_id"]}
        for doc in await queries.audit_trail(services, profile_id)
    ]


@router.put(
    "/{profile_id}/consent", dependencies=[require(Scope.INTEGRATION, Scope.AGENT), JsonBody]
)
async def change_consent(
    profile_id: UUID, body: ConsentChange, services: ServicesDep
) -> ProfileView:
    """Marketing outreach yes or no, with when and from where."""
    applied, resolved_from = await profile_changes.change_consent(
        services, profile_id, marketing=body.marketing, source=body.source
    )
    return await answer(services, applied, resolved_from)
