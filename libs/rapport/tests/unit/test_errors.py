"""Every service's own errors answer the same way, in every app service_app builds."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from rapport import errors
from rapport.api import require
from rapport.auth import Scope
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import token_keys


class NoSuchThing(errors.NotFound, LookupError):
    reason = "no such thing"


class Taken(errors.Conflict):
    pass


RAISED: dict[str, Exception] = {
    "plain": errors.RapportError("cannot do that"),
    "missing": errors.NotFound("no member m-1"),
    "taken": Taken("the key was used with another body"),
    "gone": errors.Gone("the export expired"),
    "unusable": errors.Unprocessable("not an email address"),
    "away": errors.Unavailable("the issuer's keys are unavailable"),
    "hidden": NoSuchThing("case 5f0c... of tenant 7"),
}
router = APIRouter()


@router.get("/raise/{name}", dependencies=[require(Scope.AGENT)])
async def raise_(name: str) -> None:
    raise RAISED[name]


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = RapportSettings(auth_jwks=token_keys().auth_jwks)
    app = service_app(settings, title="t", routers=[router], run=nothing)
    transport = httpx.ASGITransport(app=app)
    token = token_keys().token("agent", subject="test")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


@pytest.mark.parametrize(
    ("name", "status", "detail"),
    [
        ("plain", 400, "cannot do that"),
        ("missing", 404, "no member m-1"),
        ("taken", 409, "the key was used with another body"),
        ("gone", 410, "the export expired"),
        ("unusable", 422, "not an email address"),
        ("away", 503, "the issuer's keys are unavailable"),
        ("hidden", 404, "no such thing"),
    ],
)
async def test_each_error_answers_its_status_and_detail(
    client: httpx.AsyncClient, name: str, status: int, detail: str
) -> None:
    response = await client.get(f"/raise/{name}")
    assert (response.status_code, response.json()) == (status, {"detail": detail})
