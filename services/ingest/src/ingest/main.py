"""ingest: where mentions enter Rapport."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ingest.api.routes import router
from ingest.repository import INDEXES, MongoArchive
from ingest.settings import IngestSettings
from rapport.clients import connected
from rapport.mongo import ensure_indexes
from rapport.outbox import OutboxRelay
from rapport.service import Runtime, service_app


@asynccontextmanager
async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    async with connected(runtime) as clients:
        await ensure_indexes(clients.db, INDEXES)
        relay = OutboxRelay(clients.db, clients.producer)
        app.state.archive = MongoArchive(clients.db)
        app.state.relay = relay
        runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
        yield


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    return service_app(
        settings or IngestSettings(), title="Rapport ingest", routers=[router], run=run
    )
