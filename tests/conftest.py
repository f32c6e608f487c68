"""Fixtures of the cross-service tests: one platform of four service processes per session."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from rapport.mongo import Database
from tests.support import SERVICES, Platform, StubPlatform, start_at_the_end


@pytest.fixture(scope="session")
def platform(kafka_bootstrap: str, mongo_url: str) -> Iterator[Platform]:
    asyncio.run(start_at_the_end(kafka_bootstrap))
    with Platform(kafka_bootstrap, mongo_url).running() as platform:
        yield platform


@pytest.fixture(scope="session")
async def dbs(platform: Platform) -> AsyncIterator[dict[str, Database]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        platform.mongo, tz_aware=True, uuidRepresentation="standard"
    )
    try:
        yield {name: client[platform.db_name(name)] for name in SERVICES}
    finally:
        for name in SERVICES:
            await client.drop_database(platform.db_name(name))
        await client.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
def stub_platform() -> Iterator[StubPlatform]:
    stub = StubPlatform()
    threading.Thread(target=stub.server.serve_forever, daemon=True).start()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()
