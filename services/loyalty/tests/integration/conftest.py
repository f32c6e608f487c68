"""loyalty's parts against the real MongoDB (a fresh database each test), a clock the test
moves, and what they publish recorded."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from loyalty.main import create_app
from loyalty.migrations import MIGRATIONS
from loyalty.services import Services
from loyalty.settings import LoyaltySettings
from rapport.auth import issue_token
from rapport.events.factories import BASE_TIME
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, ensure_indexes
from rapport.settings import Environment
from rapport.testing import MovableClock, Published

SECRET = "loyalty-test-secret-0123456789"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(BASE_TIME)


@pytest.fixture
def published() -> Published:
    return Published()


def settings(**overrides: Any) -> LoyaltySettings:
    return LoyaltySettings(environment=Environment.TEST, auth_secret=SECRET, **overrides)


@pytest.fixture
async def services(mongo_db: Database, published: Published, clock: MovableClock) -> Services:
    await ensure_indexes(mongo_db, MIGRATIONS.indexes(settings()))
    return Services.build(mongo_db, published, settings(), clock)


@pytest.fixture
async def live(
    mongo_db: Database, kafka_bootstrap: str, clock: MovableClock
) -> AsyncIterator[Services]:
    """loyalty's parts over a fresh database, publishing through the real broker."""
    await ensure_indexes(mongo_db, MIGRATIONS.indexes(settings()))
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    try:
        yield Services.build(mongo_db, producer.publish_all, settings(), clock)
    finally:
        await producer.stop()


@pytest.fixture
async def api(live: Services, clock: MovableClock) -> AsyncIterator[httpx.AsyncClient]:
    """loyalty's routes over ``live``."""
    app = create_app(settings(), clock)
    app.state.services = live
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://loyalty") as http:
        yield http


def token(*scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, 'test', scopes)}"}
