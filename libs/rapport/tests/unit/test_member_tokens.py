"""A customer's own token (scope ``member``, ``sub`` = their profile id) reaches only routes
that admit the member of the profile in the path, and only for that profile."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

import httpx
import jwt
import pytest
from fastapi import APIRouter, FastAPI

from rapport.api import JsonBody, StrictModel, declared_scopes, member_path, require_member_or
from rapport.auth import MAX_LIFETIME_S, Scope
from rapport.routes import routing_table
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import token_keys

router = APIRouter()
OWN_OR_SUPERVISOR = require_member_or(Scope.SUPERVISOR)


class Spend(StrictModel):
    points: int


@router.get("/members/{profile_id}", dependencies=[OWN_OR_SUPERVISOR])
async def balance(profile_id: str) -> dict[str, str]:
    return {"profile_id": profile_id}


@router.post("/members/{profile_id}/spend", dependencies=[OWN_OR_SUPERVISOR, JsonBody])
async def spend(profile_id: str, body: Spend) -> dict[str, int]:
    return {"points": body.points}


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = service_app(
        RapportSettings(auth_jwks=token_keys().auth_jwks), title="t", routers=[router], run=nothing
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


def member(profile_id: object) -> dict[str, str]:
    return token_keys().bearer("member", subject=str(profile_id))


async def test_a_member_reaches_their_own_profile_only(http: httpx.AsyncClient) -> None:
    ann, bob = uuid4(), uuid4()
    assert (await http.get(f"/members/{ann}", headers=member(ann))).status_code == 200
    assert (await http.get(f"/members/{str(ann).upper()}", headers=member(ann))).status_code == 200
    refused = await http.get(f"/members/{bob}", headers=member(ann))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "a member token reaches only the member's own profile"}
    assert (await http.get("/members/not-a-uuid", headers=member(ann))).status_code == 403


async def test_the_member_is_checked_before_the_body_is_read(http: httpx.AsyncClient) -> None:
    ann, bob = uuid4(), uuid4()
    own = await http.post(f"/members/{ann}/spend", json={"points": 5}, headers=member(ann))
    assert own.status_code == 200, own.text
    bad_body = {"points": "many", "unknown": 1}
    other = await http.post(f"/members/{bob}/spend", json=bad_body, headers=member(ann))
    assert other.status_code == 403  # not 422: a stranger learns nothing about the body


@pytest.mark.parametrize(("scope", "status"), [("supervisor", 200), ("admin", 200), ("agent", 403)])
async def test_other_roles_need_the_scopes_the_route_names(
    http: httpx.AsyncClient, scope: str, status: int
) -> None:
    response = await http.get(f"/members/{uuid4()}", headers=token_keys().bearer(scope))
    assert response.status_code == status


def test_the_routing_table_shows_the_member_rule() -> None:
    app = FastAPI()
    app.include_router(router)
    (route, _) = [r for r in routing_table(app) if r.path.startswith("/members/")]
    assert declared_scopes(route.dependant) == (Scope.SUPERVISOR, Scope.MEMBER)
    assert member_path(route.dependant) == "profile_id"


def test_a_member_token_is_short_lived_and_names_a_profile() -> None:
    ann = str(uuid4())
    claims = jwt.decode(
        token_keys().token("member", subject=ann), options={"verify_signature": False}
    )
    assert claims["exp"] - claims["iat"] == MAX_LIFETIME_S[Scope.MEMBER] == 15 * 60
    with pytest.raises(ValueError, match="at most 900 s"):
        token_keys().token("member", subject=ann, ttl_s=901)
    with pytest.raises(ValueError, match="profile id"):
        token_keys().token("member", subject="anna")
    with pytest.raises(ValueError, match="member scope only"):
        token_keys().token("member", "supervisor", subject=ann, now=time.time())
