"""Links the customer confirms, for identities the CRM cannot vouch for itself.

``POST /v1/profiles/{id}/link-requests`` with the identity to add sends the customer a one-time
code through that identity (a mail to the address; ``adapters.code_sender``), valid
``use_cases.link_requests.CONFIRMATION_TTL``; the caller never sees it. The customer-facing
system posts it back to ``POST /v1/link-requests/confirm``, and only then is the identity linked.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, HTTPException, status
from pydantic import BaseModel, Field

from profiles.api.deps import ServicesDep
from profiles.api.identities import NewIdentity
from profiles.api.models import ProfileView
from profiles.api.profiles import answer
from profiles.domain.identities import identity
from profiles.use_cases import link_requests
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.openapi import refused

router = APIRouter(prefix="/v1", tags=["identities"])


class LinkRequested(BaseModel):
    profile_id: UUID
    expires_at: datetime
    """Until when a code sent for this request works."""


class Confirmation(StrictModel):
    code: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/profiles/{profile_id}/link-requests",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[require(Scope.INTEGRATION, Scope.AGENT), JsonBody],
    responses=refused(422),
)
async def request_link(
    profile_id: UUID, body: NewIdentity, services: ServicesDep, background: BackgroundTasks
) -> LinkRequested:
    """Send the customer a one-time code through the identity (a mail to an email address) to
    confirm it is theirs; the code is never returned here.

    The answer is the same, 202 with the same body, whether the identity is free, already this
    profile's or another's: only a free identity is sent a code, so asking tells nobody who owns
    an address. 422 for a kind of identity no channel can reach yet (only email can)."""
    at = services.clock()
    new = identity(
        body.kind, body.value, at=at, source="customer", platform=body.platform, handle=body.handle
    )
    found, expires_at = await link_requests.request_link(
        services, profile_id, new, later=background.add_task
    )
    return LinkRequested(profile_id=found, expires_at=expires_at)


@router.post(
    "/link-requests/confirm",
    dependencies=[require(Scope.INTEGRATION), JsonBody],
    responses=refused(404, 409),
)
async def confirm_link(body: Confirmation, services: ServicesDep) -> ProfileView:
    """The customer confirmed: link the identity (once; the code is used up). 409 if another
    profile took the identity meanwhile (which one is not said)."""
    linked = await link_requests.confirm_link(services, body.code)
    if linked is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown, used or expired code")
    applied, resolved_from = linked
    return await answer(services, applied, resolved_from)
