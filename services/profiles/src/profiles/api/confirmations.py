"""Links the customer confirms, for identities the CRM cannot vouch for itself.

``POST /v1/profiles/{id}/link-requests`` with the identity to add answers a one-time code,
valid ``CONFIRMATION_TTL``. The brand sends it to the customer through that identity (a direct
message to the social account, a mail to the address); the customer-facing system posts it
back to ``POST /v1/link-requests/confirm``, and only then is the identity linked.
"""

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from profiles.api.deps import ServicesDep
from profiles.api.identities import NewIdentity, link
from profiles.api.models import ProfileView
from profiles.api.profiles import answer
from profiles.domain.identities import identity
from profiles.errors import IdentityTaken
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.openapi import refused

router = APIRouter(prefix="/v1", tags=["identities"])
CONFIRMATION_TTL = timedelta(hours=24)


class LinkRequest(BaseModel):
    profile_id: UUID
    code: str
    """Send it to the customer through the identity being linked; it is not shown again."""
    expires_at: datetime


class Confirmation(StrictModel):
    code: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/profiles/{profile_id}/link-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Scope.INTEGRATION, Scope.AGENT), JsonBody],
)
async def request_link(profile_id: UUID, body: NewIdentity, services: ServicesDep) -> LinkRequest:
    """Ask the customer to confirm an identity; 409 if another profile holds it already."""
    found, _ = await services.live(profile_id)
    now = services.clock()
    new = identity(
        body.kind, body.value, at=now, source="customer", platform=body.platform, handle=body.handle
    )
    owner = await services.queries.by_identity(new.key)
    if owner is not None and owner.id != found.id:
        raise IdentityTaken(new.kind, owner.id)
    expires_at = now + CONFIRMATION_TTL
    code = await services.link_requests.open(found.id, new, expires_at=expires_at)
    return LinkRequest(profile_id=found.id, code=code, expires_at=expires_at)


@router.post(
    "/link-requests/confirm",
    dependencies=[require(Scope.INTEGRATION), JsonBody],
    responses=refused(404),
)
async def confirm_link(body: Confirmation, services: ServicesDep) -> ProfileView:
    """The customer confirmed: link the identity (once; the code is used up)."""
    taken = await services.link_requests.take(body.code, now=services.clock())
    if taken is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown, used or expired code")
    profile_id, new = taken
    confirmed = new.model_copy(update={"linked_at": services.clock()})
    applied, resolved_from = await link(services, profile_id, confirmed, "customer")
    return await answer(services, applied, resolved_from)
