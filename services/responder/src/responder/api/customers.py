"""The customer behind a case, for the console: read-only views of profiles' and loyalty's
APIs, called with the caller's own token (those services decide what it may see)."""

from typing import Annotated
from uuid import UUID

import httpx
from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from responder.api.deps import READ

router = APIRouter(prefix="/v1/customers", tags=["customers"])


async def _forward(
    request: Request, service: str, path: str, params: dict[str, int] | None = None
) -> Response:
    """profiles' or loyalty's answer as it is (4xx included); 502 when it fails to answer."""
    base: str | None = getattr(request.app.state.settings, f"{service}_url")
    if not base:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"RAPPORT_{service.upper()}_URL is not set"
        )
    client: httpx.AsyncClient = request.app.state.upstream
    headers = {"Authorization": request.headers["authorization"]}
    try:
        answer = await client.get(f"{base.rstrip('/')}{path}", headers=headers, params=params)
    except httpx.HTTPError as error:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"{service} did not answer") from error
    if answer.status_code >= 500:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"{service} failed to answer")
    return Response(answer.content, answer.status_code, media_type="application/json")


@router.get("/{profile_id}", dependencies=READ)
async def profile(request: Request, profile_id: UUID) -> Response:
    """The customer's profile from profiles: stage, segment, scores, identities."""
    return await _forward(request, "profiles", f"/v1/profiles/{profile_id}")


@router.get("/{profile_id}/mentions", dependencies=READ)
async def mentions(
    request: Request, profile_id: UUID, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> Response:
    """The customer's latest mentions from profiles, newest first."""
    path = f"/v1/profiles/{profile_id}/mentions"
    return await _forward(request, "profiles", path, {"limit": limit})


@router.get("/{profile_id}/membership", dependencies=READ)
async def membership(request: Request, profile_id: UUID) -> Response:
    """The customer's loyalty tier, balance and latest ledger entries."""
    path = f"/v1/members/{profile_id}"
    return await _forward(request, "loyalty", path, {"entries": 5})
