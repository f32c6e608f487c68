"""profiles: who is speaking."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from profiles.api.routes import router
from profiles.handlers import on_mention_ingested
from profiles.repository import INDEXES, MongoProfiles
from profiles.settings import ProfilesSettings
from rapport.clients import connected, consume
from rapport.events import MentionIngested
from rapport.mongo import ensure_indexes
from rapport.service import Runtime, service_app


@asynccontextmanager
async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    async with connected(runtime) as clients:
        await ensure_indexes(clients.db, INDEXES)
        profiles = MongoProfiles(clients.db)
        app.state.profiles = profiles
        handle = partial(
            on_mention_ingested, profiles=profiles, publish=clients.producer.publish_all
        )
        consume(runtime, clients, group="profiles", handlers={MentionIngested: handle})
        yield


def create_app(settings: ProfilesSettings | None = None) -> FastAPI:
    return service_app(
        settings or ProfilesSettings(), title="Rapport profiles", routers=[router], run=run
    )
