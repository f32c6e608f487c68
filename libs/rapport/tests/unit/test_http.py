"""The HTTP edge every service shares: scoped auth, JSON-only bodies, size limit, 422 reasons."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from pydantic import SecretStr

from rapport.api import JsonBody, StrictModel, require, unscoped_routes
from rapport.auth import Scope
from rapport.service import Runtime, service_app
from rapport.settings import Environment, RapportSettings
from rapport.testing import eventually, token_keys

received: list[str] = []


class Note(StrictModel):
    text: str


router = APIRouter()


@router.post("/notes", dependencies=[require(Scope.AGENT), JsonBody], status_code=201)
async def post_note(note: Note) -> dict[str, str]:
    received.append(note.text)
    return {"ok": "yes"}


@router.post("/uploads", dependencies=[require(Scope.AGENT)])
async def upload(request: Request) -> dict[str, int]:
    sizes = [len(chunk) async for chunk in request.stream() if chunk]
    return {"chunks": len(sizes), "bytes": sum(sizes)}


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


def make_app() -> FastAPI:
    settings = RapportSettings(auth_jwks=token_keys().auth_jwks, max_body_bytes=100)
    app = service_app(settings, title="t", routers=[router], run=nothing)
    app.state.streamed_bodies = {"/uploads": 1000}
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    received.clear()
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http


def bearer(*scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_keys().token(*scopes, subject='test')}"}


async def test_scoped_route_accepts_the_scope(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"text": "hi"}, headers=bearer("agent"))
    assert response.status_code == 201
    assert received == ["hi"]


async def test_admin_passes_every_scope(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"text": "hi"}, headers=bearer("admin"))
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({}, 401, "missing bearer token"),
        ({"Authorization": "Bearer nonsense"}, 401, "malformed token"),
        ({"Authorization": "Basic dTpw"}, 401, "missing bearer token"),
        (bearer("integration"), 403, "needs the agent scope"),
    ],
)
async def test_refused_without_the_right_token(
    client: httpx.AsyncClient, headers: dict[str, str], status: int, reason: str
) -> None:
    response = await client.post("/notes", json={"text": "hi"}, headers=headers)
    assert response.status_code == status
    assert reason in response.json()["detail"]
    assert received == []


async def test_unknown_field_is_422_with_the_reason_and_without_the_value(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/notes", json={"text": "hi", "secret": "s3cr3t"}, headers=bearer("agent")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "secret"]
    assert "s3cr3t" not in response.text
    assert received == []


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/notes",
        content=b'{"text": ',
        headers={**bearer("agent"), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert received == []


async def test_other_content_types_are_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/notes", content=b"text=hi", headers={**bearer("agent"), "content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert received == []


async def test_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"text": "x" * 200}, headers=bearer("agent"))
    assert response.status_code == 413
    assert received == []


async def test_streamed_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        yield b"x" * 200
        yield b'"}'

    response = await client.post(
        "/notes", content=chunks(), headers={**bearer("agent"), "content-type": "application/json"}
    )
    assert response.status_code == 413
    assert received == []


async def test_a_streamed_path_reads_the_body_as_it_arrives_up_to_its_own_limit(
    client: httpx.AsyncClient,
) -> None:
    async def chunks(count: int) -> AsyncIterator[bytes]:
        for _ in range(count):
            yield b"x" * 300

    response = await client.post("/uploads", content=chunks(3), headers=bearer("agent"))
    assert response.json() == {"chunks": 3, "bytes": 900}  # over 100 bytes, and not buffered
    too_long = await client.post("/uploads", content=chunks(4), headers=bearer("agent"))
    assert too_long.status_code == 413
    assert too_long.json() == {"detail": "request body is over 1000 bytes"}
    announced = await client.post("/uploads", content=b"x" * 1001, headers=bearer("agent"))
    assert announced.status_code == 413


async def test_probes_and_metrics_are_open(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await client.get(path)).status_code == 200


def test_unscoped_routes_are_found() -> None:
    app = make_app()
    assert unscoped_routes(app) == []

    @app.get("/leak")
    async def leak() -> None: ...

    assert unscoped_routes(app) == ["['GET'] /leak"]


@pytest.mark.parametrize("environment", list(Environment))
def test_a_service_without_public_keys_refuses_to_start(environment: Environment) -> None:
    settings = RapportSettings(environment=environment, suppression_pepper=SecretStr("p"))
    with pytest.raises(ValueError, match="RAPPORT_AUTH_JWKS is not set"):
        service_app(settings, title="t", routers=[], run=nothing)


def test_a_service_with_unusable_keys_refuses_to_start(tmp_path: Path) -> None:
    (tmp_path / "jwks.json").write_text('{"keys": []}')
    for source in (tmp_path / "jwks.json", tmp_path / "missing.json", "http://keys.example/jwks"):
        settings = RapportSettings(auth_jwks=str(source))
        with pytest.raises(ValueError, match=r"key set|https URL"):
            service_app(settings, title="t", routers=[], run=nothing)


def test_routes_of_included_routers_are_audited() -> None:
    nested = APIRouter(prefix="/inner")

    @nested.get("/leak/{item}")
    async def leak(item: str) -> None: ...

    outer = APIRouter(prefix="/v1")
    outer.include_router(nested)
    app = make_app()
    app.include_router(outer)
    assert unscoped_routes(app) == ["['GET'] /v1/inner/leak/{item}"]


@pytest.mark.slow
async def test_a_dead_worker_fails_health_so_the_process_is_restarted() -> None:
    async def crash() -> None:
        raise RuntimeError("handler kept failing")

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        runtime.workers.start("consumer:test", crash())
        yield

    settings = RapportSettings(auth_jwks=token_keys().auth_jwks)
    app = service_app(settings, title="t", routers=[], run=run)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            health = await eventually(lambda: _unhealthy(http))
            assert health.json()["workers"] == {
                "consumer:test": "RuntimeError('handler kept failing')"
            }
            assert (await http.get("/readyz")).status_code == 503


async def _unhealthy(http: httpx.AsyncClient) -> httpx.Response | None:
    response = await http.get("/healthz")
    return response if response.status_code == 503 else None
