"""``JsonBody`` holds every service's JSON routes to ``rapport.bounds``: a body outside them is
422 naming where, before the route's model or handler sees it."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request

from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.bounds import MAX_DEPTH
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import token_keys

handled: list[bytes] = []
router = APIRouter()


@router.post("/raw", dependencies=[require(Scope.AGENT), JsonBody])
async def post_raw(request: Request) -> dict[str, str]:
    """Reads the body itself, as the webhooks do: only the dependency guards it."""
    handled.append(await request.body())
    return {"ok": "yes"}


class Note(StrictModel):
    text: str


@router.post("/notes", dependencies=[require(Scope.AGENT), JsonBody])
async def post_note(note: Note) -> dict[str, str]:
    """A body model: FastAPI parses the body itself, before any dependency runs."""
    handled.append(note.text.encode())
    return {"ok": "yes"}


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    handled.clear()
    settings = RapportSettings(auth_jwks=token_keys().auth_jwks)
    app = service_app(settings, title="t", routers=[router], run=nothing)
    token = token_keys().token("agent", subject="test")
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


def nested(depth: int) -> dict[str, Any]:
    document: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        document = {"n": document}
    return document


REFUSED = {
    "too-deep": (json.dumps(nested(MAX_DEPTH + 1)).encode(), ["body", *["n"] * MAX_DEPTH]),
    "long-number": (b'{"a": {"count": ' + b"9" * 4300 + b"}}", ["body", "a", "count"]),
    "nan": (b'{"a": [0, NaN]}', ["body", "a", 1]),
    "nul": (b'{"text": "a\\u0000b"}', ["body", "text"]),
    "lone-surrogate": (b'{"text": "a\\udc00b"}', ["body", "text"]),
    "not-utf8": (b'{"text": "\xc3\x28"}', ["body"]),
    "not-json": (b'{"text": ', ["body"]),
}


@pytest.mark.parametrize(("body", "loc"), REFUSED.values(), ids=REFUSED.keys())
async def test_a_body_outside_the_bounds_is_422_naming_where(
    client: httpx.AsyncClient, body: bytes, loc: list[Any]
) -> None:
    response = await client.post("/raw", content=body)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert handled == []


async def test_a_body_at_the_bounds_reaches_the_route(client: httpx.AsyncClient) -> None:
    body = json.dumps({"deep": nested(MAX_DEPTH - 1), "n": int("9" * 32), "t": "한국어 🎉"})
    response = await client.post("/raw", content=body.encode())
    assert response.status_code == 200, response.text
    assert handled == [body.encode()]


UNPARSABLE = {
    "not-utf8": (b'{"text": "\xc3\x28"}', ["body"], "not valid UTF-8"),
    "4301-digits": (b'{"text": ' + b"9" * 4301 + b"}", ["body", "text"], "a number is longer"),
    "5000-deep": (b"[" * 5000 + b"]" * 5000, ["body"], "nested deeper than 32 levels"),
}


@pytest.mark.parametrize(("body", "loc", "reason"), UNPARSABLE.values(), ids=UNPARSABLE.keys())
async def test_a_body_the_parser_gives_up_on_is_422_with_the_reason_not_a_bare_400(
    client: httpx.AsyncClient, body: bytes, loc: list[Any], reason: str
) -> None:
    response = await client.post("/notes", content=body)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert reason in error["msg"]
    assert handled == []


async def test_other_http_errors_keep_their_answer(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"text": "hi"}, headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    missing = await client.post("/nowhere", json={})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
