"""GDPR export and erasure requests, announced on ``privacy.requests`` for every service."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel

from profiles.api.deps import ServicesDep
from profiles.domain.privacy_deadline import ServiceState, service_states
from profiles.errors import UnknownRequest
from profiles.use_cases.privacy_requests import request_privacy as requested
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.openapi import refused

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])
PRIVACY = require(Scope.PRIVACY)


class NewRequest(StrictModel):
    profile_id: UUID
    kind: Literal["export", "erase"]


class Accepted(BaseModel):
    request_id: UUID


class ServiceAnswer(BaseModel):
    service: str
    state: ServiceState
    """pending (asked, within the deadline), confirmed, or late (past the deadline, still asked)."""
    completed_at: datetime | None = None
    documents: int | None = None
    export_path: str | None = None
    """export: where this service serves its part (``GET`` on its own URL, ``privacy`` scope)."""
    export_expires_at: datetime | None = None


class Confirmation(BaseModel):
    service: str
    completed_at: datetime
    documents: int


class RequestState(BaseModel):
    request_id: UUID
    kind: Literal["export", "erase"]
    profile_id: UUID
    requested_at: datetime
    deadline_at: datetime | None
    attempts: int
    """How many times the request was announced (the first time included)."""
    last_attempt_at: datetime | None
    expected: list[str]
    services: list[ServiceAnswer]
    confirmed: list[Confirmation]
    pending: list[str]
    late: list[str]
    complete: bool


@router.post(
    "/requests",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[PRIVACY, JsonBody],
    responses=refused(404),
)
async def request_privacy(body: NewRequest, services: ServicesDep) -> Accepted:
    """Export or erase everything Rapport holds about the person; every service does its part."""
    services_asked = list(services.privacy_services)
    request_id = await requested(services, body.profile_id, body.kind, services_asked)
    return Accepted(request_id=request_id)


@router.get("/requests/{request_id}", dependencies=[PRIVACY])
async def privacy_request(request_id: UUID, services: ServicesDep) -> RequestState:
    """Each service's state (pending, confirmed, late), the deadline and the attempts; for an
    export, where each service serves its part."""
    doc = await services.privacy.request(request_id)
    if doc is None:
        raise UnknownRequest(request_id)
    expected = doc.get("services") or list(services.privacy_services)
    answers = {c["service"]: c for c in doc["confirmations"]}
    states = service_states(expected, answers, doc.get("deadline_at"), services.clock())
    return RequestState(
        request_id=doc["_id"],
        kind=doc["kind"],
        profile_id=doc["profile_id"],
        requested_at=doc["requested_at"],
        deadline_at=doc.get("deadline_at"),
        attempts=doc.get("attempts", 1),
        last_attempt_at=doc.get("last_attempt_at"),
        expected=expected,
        services=[
            _answer(service, state, answers.get(service)) for service, state in states.items()
        ],
        confirmed=[Confirmation.model_validate(c) for c in doc["confirmations"]],
        pending=[s for s, state in states.items() if state != "confirmed"],
        late=[s for s, state in states.items() if state == "late"],
        complete=all(state == "confirmed" for state in states.values()),
    )


def _answer(
    service: str, state: ServiceState, confirmation: dict[str, Any] | None
) -> ServiceAnswer:
    if confirmation is None:
        return ServiceAnswer(service=service, state=state)
    return ServiceAnswer(
        service=service,
        state=state,
        completed_at=confirmation["completed_at"],
        documents=confirmation["documents"],
        export_path=confirmation.get("export_path"),
        export_expires_at=confirmation.get("expires_at"),
    )
