"""loyalty's parts against the real MongoDB (a fresh database each test), a clock the test
moves, and what they store for publication read back from the outbox."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from loyalty.adapters.outbox import Outbox
from loyalty.domain.catalogue import Offer
from loyalty.domain.rollouts import RolloutState
from loyalty.main import build_parts, create_app
from loyalty.migrations import MIGRATIONS
from loyalty.parts import Parts
from loyalty.settings import LoyaltySettings
from loyalty.topics import LOYALTY_TOPIC
from rapport import outbox
from rapport.events import ALL_EVENTS, Event, Referral
from rapport.events.codec import decode
from rapport.events.factories import BASE_TIME
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, ensure_indexes
from rapport.outbox import OutboxRelay
from rapport.settings import Environment
from rapport.testing import MovableClock, token_keys
from services.loyalty.tests.integration.builders import created, purchase


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(BASE_TIME)


async def outboxed(db: Database, topic: str = LOYALTY_TOPIC) -> list[Event]:
    """The events stored for publication on ``topic``, in the order they were stored."""
    rows = await db[outbox.COLLECTION].find({"topic": topic}).sort("seq").to_list()
    return [decode(bytes(row["value"]), ALL_EVENTS) for row in rows]


def settings(**overrides: Any) -> LoyaltySettings:
    return LoyaltySettings(
        environment=Environment.TEST, auth_jwks=token_keys().auth_jwks, **overrides
    )


@pytest.fixture
async def services(mongo_db: Database, clock: MovableClock) -> Parts:
    await ensure_indexes(mongo_db, MIGRATIONS.indexes(settings()))
    return build_parts(mongo_db, settings(), clock)


@pytest.fixture
async def live(
    mongo_db: Database, kafka_bootstrap: str, clock: MovableClock
) -> AsyncIterator[Parts]:
    """loyalty's parts over a fresh database, with a relay publishing their outbox to the real
    broker."""
    await ensure_indexes(mongo_db, MIGRATIONS.indexes(settings()))
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    relay = OutboxRelay(mongo_db, producer, poll_s=0.2)
    relaying = asyncio.create_task(relay.run())
    try:
        yield build_parts(mongo_db, settings(), clock, Outbox(mongo_db, relay))
    finally:
        relay.stop()
        await relaying
        await producer.stop()


@asynccontextmanager
async def routes(services: Parts, clock: MovableClock) -> AsyncIterator[httpx.AsyncClient]:
    """loyalty's routes over ``services``."""
    app = create_app(settings(), clock)
    app.state.parts = services
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://loyalty") as http:
        yield http


@pytest.fixture
async def api(live: Parts, clock: MovableClock) -> AsyncIterator[httpx.AsyncClient]:
    """loyalty's routes over ``live``."""
    async with routes(live, clock) as http:
        yield http


def token(*scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_keys().token(*scopes, subject='test')}"}


async def payable(services: Parts, body: dict[str, Any]) -> dict[str, Any]:
    """A posted referral's ``body``, made to pay: both people known to ``services`` and the
    purchase recorded as the referred customer's."""
    referral = Referral.model_validate({k: v for k, v in body.items() if k != "type"})
    for profile_id in (referral.referrer_profile_id, referral.referred_profile_id):
        await services.people.observe(created(profile_id).payload)
    bought = purchase(referral.referred_profile_id, referral.purchase_id)
    await services.referrals.record_purchase(bought)
    return body


async def roll_out(services: Parts, offer: Offer) -> int:
    """Save ``offer`` and run its roll-out here to the end, as the worker does; how many
    members it was sent to."""
    started = await services.start_rollout(offer)
    while True:
        rollout = await services.rollout_worker.runner.advance()
        assert rollout is not None, "the roll-out stopped before it was done"
        if rollout.rollout_id == started.rollout_id and rollout.state is RolloutState.DONE:
            return rollout.sent
