"""ingest: where mentions enter Rapport."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ingest import floods
from ingest.api import imports, mentions, webhooks
from ingest.intake import BrandAccounts, Intake
from ingest.migrations import MIGRATIONS
from ingest.personal_data import IngestPersonalData
from ingest.repository import MongoArchive
from ingest.settings import IngestSettings
from rapport.clients import connected, consume
from rapport.events import PrivacyRequested
from rapport.mongo import warn_missing_indexes
from rapport.outbox import OutboxRelay
from rapport.privacy import privacy_handler
from rapport.service import Runtime, service_app


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            await warn_missing_indexes(clients.db, MIGRATIONS.indexes(settings))
            relay = OutboxRelay(clients.db, clients.producer)
            archive = MongoArchive(clients.db)
            app.state.db = clients.db
            flood_guard = floods.MongoFloods(clients.db, floods.FloodRule.of(settings))
            brand = BrandAccounts(settings.brand_accounts)
            app.state.intake = Intake(
                archive, relay, brand, flood_guard, engine=settings.sentiment_engine
            )
            runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
            answer = privacy_handler(
                "ingest", IngestPersonalData(clients.db), clients.producer.publish_all
            )
            consume(runtime, clients, group="ingest", handlers={PrivacyRequested: answer})
            yield

    routers = [mentions.router, webhooks.router, imports.router]
    app = service_app(settings, title="Rapport ingest", routers=routers, run=run)
    app.state.streamed_bodies = {imports.router.prefix: settings.import_max_bytes}
    return app
