"""responder: gets the right human to answer, fast."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from rapport.clients import connected, consume
from rapport.events import MentionEnriched
from rapport.mongo import ensure_indexes
from rapport.service import Runtime, service_app
from responder.api.routes import router
from responder.handlers import on_mention_enriched
from responder.repository import INDEXES, MongoCases
from responder.settings import ResponderSettings


@asynccontextmanager
async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    async with connected(runtime) as clients:
        await ensure_indexes(clients.db, INDEXES)
        cases = MongoCases(clients.db)
        app.state.cases = cases
        handle = partial(on_mention_enriched, cases=cases, publish=clients.producer.publish_all)
        consume(runtime, clients, group="responder", handlers={MentionEnriched: handle})
        yield


def create_app(settings: ResponderSettings | None = None) -> FastAPI:
    return service_app(
        settings or ResponderSettings(), title="Rapport responder", routers=[router], run=run
    )
