"""ingest served in-process (ASGI, lifespan run) against the real test Kafka and MongoDB."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from ingest.main import create_app
from ingest.settings import IngestSettings
from rapport.migrate import migrate
from rapport.mongo import Database
from rapport.settings import Environment
from rapport.testing import token_keys

Serve = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def settings(mongo_db: Database, kafka_bootstrap: str, mongo_url: str) -> dict[str, Any]:
    """IngestSettings fields for a fresh database; tests add or override what they need."""
    return {
        "environment": Environment.TEST,
        "kafka_bootstrap": kafka_bootstrap,
        "mongo_url": mongo_url,
        "mongo_db": mongo_db.name,
        "auth_jwks": token_keys().auth_jwks,
        "analyser_processes": 0,  # a thread: no worker processes spawned for every test's app
    }


@pytest.fixture
def serve() -> Serve:
    """``async with serve(settings, scopes=[...]) as http``: a client of a running ingest."""

    @asynccontextmanager
    async def serving(
        settings: IngestSettings, *, scopes: Sequence[str] = ()
    ) -> AsyncIterator[httpx.AsyncClient]:
        await migrate(settings)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
                if scopes:
                    token = token_keys().token(*scopes, subject="test")
                    http.headers["Authorization"] = f"Bearer {token}"
                yield http

    return serving
