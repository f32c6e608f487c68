"""loyalty: rewards the people who speak up for the brand."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from loyalty.api.routes import router
from loyalty.handlers import on_mention_enriched
from loyalty.repository import INDEXES, MongoLedger
from loyalty.settings import LoyaltySettings
from rapport.clients import connected, consume
from rapport.events import MentionEnriched
from rapport.mongo import ensure_indexes
from rapport.service import Runtime, service_app


def create_app(settings: LoyaltySettings | None = None) -> FastAPI:
    settings = settings or LoyaltySettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            await ensure_indexes(clients.db, INDEXES)
            ledger = MongoLedger(clients.db)
            app.state.ledger = ledger
            handle = partial(
                on_mention_enriched,
                ledger=ledger,
                publish=clients.producer.publish_all,
                points_per_positive_mention=settings.points_per_positive_mention,
            )
            consume(runtime, clients, group="loyalty", handlers={MentionEnriched: handle})
            yield

    return service_app(settings, title="Rapport loyalty", routers=[router], run=run)
