"""`rapport token revoke` reaches every running service through the real Kafka topic, and a
service that starts later reads the revocations made before it started."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from rapport import cli
from rapport.api import require
from rapport.auth import Scope
from rapport.kafka.admin import ensure_topics
from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import eventually, token_keys, unique

pytestmark = pytest.mark.integration
router = APIRouter()


@router.get("/cases", dependencies=[require(Scope.AGENT)])
async def cases() -> list[str]:
    return []


@asynccontextmanager
async def nothing(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    yield


@asynccontextmanager
async def running(kafka_bootstrap: str, topic: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = RapportSettings(
        service_name="responder",
        kafka_bootstrap=kafka_bootstrap,
        auth_jwks=token_keys().auth_jwks,
        auth_revocations_topic=topic,
    )
    app = service_app(settings, title="t", routers=[router], run=nothing)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://responder") as http:
            yield http


@pytest.fixture
async def topic(kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch) -> str:
    name = unique("auth-revocations")
    await ensure_topics(kafka_bootstrap, [(name, 1, 3_600_000, "compact,delete")])
    monkeypatch.setenv("RAPPORT_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("RAPPORT_AUTH_REVOCATIONS_TOPIC", name)
    return name


async def revoke_with_the_cli(headers: dict[str, str]) -> None:
    token = headers["Authorization"].removeprefix("Bearer ")
    await asyncio.to_thread(cli.main, ["token", "revoke", token])


async def _ready(http: httpx.AsyncClient) -> bool:
    return (await http.get("/readyz")).status_code == 200


async def test_a_revoked_token_is_refused_within_seconds(kafka_bootstrap: str, topic: str) -> None:
    stolen = token_keys().bearer("agent")
    other = token_keys().bearer("agent")
    async with running(kafka_bootstrap, topic) as http:
        await eventually(lambda: _ready(http), timeout_s=60)
        assert (await http.get("/cases", headers=stolen)).status_code == 200

        await revoke_with_the_cli(stolen)

        async def refused() -> httpx.Response | None:
            response = await http.get("/cases", headers=stolen)
            return response if response.status_code == 401 else None

        response = await eventually(refused, timeout_s=60)
        assert response.json() == {"detail": "token revoked"}
        assert (await http.get("/cases", headers=other)).status_code == 200


async def test_a_service_started_later_knows_earlier_revocations(
    kafka_bootstrap: str, topic: str
) -> None:
    stolen = token_keys().bearer("agent")
    await revoke_with_the_cli(stolen)
    async with running(kafka_bootstrap, topic) as http:
        await eventually(lambda: _ready(http), timeout_s=60)
        assert (await http.get("/cases", headers=stolen)).status_code == 401


async def test_a_missing_revocation_topic_is_the_reason_a_service_is_not_ready(
    kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    topic = unique("auth-revocations-missing")
    async with running(kafka_bootstrap, topic) as http:

        async def unready_because_missing() -> dict[str, Any] | None:
            response = await http.get("/readyz")
            waiting = response.json().get("waiting", {}).get("revocations", {})
            return waiting if response.status_code == 503 and topic in str(waiting) else None

        waiting = await eventually(unready_because_missing, timeout_s=60)
        assert "does not exist" in waiting["waiting_for"]
        assert "rapport.kafka.admin" in waiting["error"]
        logged = [line for line in capsys.readouterr().err.splitlines() if topic in line]
        assert "does not exist" in logged[0]
        assert "rapport.kafka.admin" in logged[0]

        await ensure_topics(kafka_bootstrap, [(topic, 1, 3_600_000, "compact,delete")])
        await eventually(lambda: _ready(http), timeout_s=60)
