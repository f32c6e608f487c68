"""ingest: where mentions enter Rapport."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from ingest.adapters.archive_store import MongoArchive
from ingest.adapters.flood_store import MongoFloodSightings
from ingest.adapters.import_store import MongoImportStore
from ingest.adapters.replay_store import ReplayGuard
from ingest.analyser.pending import PendingMentions
from ingest.analyser.pool import AnalysisPool
from ingest.analyser.worker import Analyser
from ingest.api import imports, mentions, webhooks
from ingest.domain.floods import FloodRule
from ingest.migrations import MIGRATIONS
from ingest.personal_data import IngestPersonalData
from ingest.settings import IngestSettings
from ingest.use_cases.flag_floods import Floods
from ingest.use_cases.intake import BrandAccounts, Intake
from rapport.clients import connected, consume
from rapport.events import PrivacyRequested
from rapport.exports.store import export_store
from rapport.mongo import warn_missing_indexes
from rapport.outbox import OutboxRelay
from rapport.privacy import privacy_outbox_handler
from rapport.service import Runtime, service_app
from rapport.suppression import Suppressing, SuppressionList


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            db = clients.db
            await warn_missing_indexes(db, MIGRATIONS.indexes(settings))
            relay = OutboxRelay(db, clients.producer)
            suppressions = SuppressionList(db, settings.suppression_pepper)
            if settings.relay_outbox:
                runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
            flood_rule = FloodRule(
                settings.flood_authors,
                timedelta(seconds=settings.flood_window_s),
                settings.flood_min_words,
            )
            pool = AnalysisPool(settings.sentiment_engine, settings.analyser_processes)
            analysers = [
                Analyser(
                    PendingMentions(db, claim_s=settings.analyser_claim_s),
                    pool,
                    floods=Floods(MongoFloodSightings(db, keep=flood_rule.window), flood_rule),
                    batch=settings.analyser_batch,
                    poll_s=settings.analyser_poll_s,
                    completed=relay.wake,
                )
                for _ in range(settings.analyser_loops)
            ]

            def wake_analysers() -> None:
                for analyser in analysers:
                    analyser.wake()

            if settings.role != "api":
                pool.start()
                for n, analyser in enumerate(analysers, 1):
                    runtime.workers.start(f"analyser-{n}", analyser.run(), stop=analyser.stop)
            if settings.role != "analyser":
                brand = BrandAccounts(settings.brand_accounts)
                stored = wake_analysers if settings.role == "all" else lambda: None
                app.state.intake = Intake(MongoArchive(db), brand, suppressions, stored=stored)
                app.state.imports = MongoImportStore(db)
                app.state.replays = ReplayGuard(db)
                answer = privacy_outbox_handler(
                    "ingest",
                    Suppressing(IngestPersonalData(db), suppressions),
                    db,
                    export_store(db, settings),
                    relay_now=relay.wake,
                )
                if settings.consume_events:
                    consume(runtime, clients, group="ingest", handlers={PrivacyRequested: answer})
            try:
                yield
            finally:
                pool.close()

    routers = (
        [] if settings.role == "analyser" else [mentions.router, webhooks.router, imports.router]
    )
    app = service_app(settings, title="Rapport ingest", routers=routers, run=run)
    app.state.streamed_bodies = {imports.router.prefix: settings.import_max_bytes}
    return app
