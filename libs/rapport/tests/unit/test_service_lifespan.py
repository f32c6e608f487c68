"""The workers a service started are stopped however its lifespan ends."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI

from rapport.service import Runtime, service_app
from rapport.settings import RapportSettings
from rapport.testing import token_keys


class Worker:
    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self.ended = asyncio.Event()

    async def work(self) -> None:
        await self.stopping.wait()
        self.ended.set()


def app_running(worker: Worker, *, fail_on: str) -> FastAPI:
    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        runtime.workers.start("work", worker.work(), stop=worker.stopping.set)
        if fail_on == "start":
            raise RuntimeError("the database refused the migration")
        yield

    settings = RapportSettings(auth_jwks=token_keys().auth_jwks)
    return service_app(settings, title="t", routers=[], run=run)


async def test_a_start_that_fails_stops_the_workers_it_had_started() -> None:
    worker = Worker()
    app = app_running(worker, fail_on="start")

    with pytest.raises(RuntimeError, match="migration"):
        async with app.router.lifespan_context(app):
            pass

    assert worker.ended.is_set()


async def test_a_shutdown_interrupted_by_an_error_still_stops_the_workers() -> None:
    worker = Worker()
    app = app_running(worker, fail_on="nothing")

    with pytest.raises(KeyError):
        async with app.router.lifespan_context(app):
            raise KeyError("raised while serving")

    assert worker.ended.is_set()
