"""GDPR export and erasure requests, announced on ``privacy.requests`` for every service."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, status
from pydantic import BaseModel

from profiles.api.deps import ServicesDep
from profiles.errors import UnknownRequest
from profiles.privacy import social_identities
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.events import PrivacyRequest
from rapport.openapi import refused

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])
PRIVACY = require(Scope.PRIVACY)


class NewRequest(StrictModel):
    profile_id: UUID
    kind: Literal["export", "erase"]


class Accepted(BaseModel):
    request_id: UUID


class Confirmation(BaseModel):
    service: str
    completed_at: datetime
    documents: int


class RequestState(BaseModel):
    request_id: UUID
    kind: Literal["export", "erase"]
    profile_id: UUID
    requested_at: datetime
    expected: list[str]
    confirmed: list[Confirmation]
    pending: list[str]
    complete: bool
    export: dict[str, Any] | None
    """export: each confirmed service's part, by service."""


@router.post(
    "/requests",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[PRIVACY, JsonBody],
    responses=refused(404),
)
async def request_privacy(body: NewRequest, services: ServicesDep) -> Accepted:
    """Export or erase everything Rapport holds about the person; every service does its part."""
    found, _ = await services.live(body.profile_id)
    request = PrivacyRequest(
        request_id=uuid4(),
        kind=body.kind,
        profile_id=found.id,
        profile_ids=found.known_ids,
        identities=social_identities(found),
        requested_at=services.clock(),
    )
    await services.privacy.open(request)
    services.relay_now()
    return Accepted(request_id=request.request_id)


@router.get("/requests/{request_id}", dependencies=[PRIVACY])
async def privacy_request(request_id: UUID, services: ServicesDep) -> RequestState:
    """Which services have confirmed, and for an export the parts assembled so far."""
    doc = await services.privacy.request(request_id)
    if doc is None:
        raise UnknownRequest(request_id)
    confirmed = [Confirmation.model_validate(c) for c in doc["confirmations"]]
    done = {c.service for c in confirmed}
    pending = [s for s in services.privacy_services if s not in done]
    export = None
    if doc["kind"] == "export":
        export = {c["service"]: c["export"] for c in doc["confirmations"]}
    return RequestState(
        request_id=doc["_id"],
        kind=doc["kind"],
        profile_id=doc["profile_id"],
        requested_at=doc["requested_at"],
        expected=list(services.privacy_services),
        confirmed=confirmed,
        pending=pending,
        complete=not pending,
        export=export,
    )
