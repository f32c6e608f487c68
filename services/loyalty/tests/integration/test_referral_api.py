"""Referrals posted to ``POST /v1/events`` against the real database: one that does not pay is
409 with the reason and stores nothing; of concurrent posts naming one purchase, one is
accepted. (No relay runs: what is accepted stays in the outbox, off the shared topics.)"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from loyalty.parts import Parts
from loyalty.topics import COMMERCE_TOPIC
from rapport.mongo import Database
from rapport.testing import MovableClock, stored_documents, unique
from services.loyalty.tests.integration.builders import created, merged
from services.loyalty.tests.integration.conftest import outboxed, routes, token

pytestmark = pytest.mark.integration
SHOP = token("integration")


@pytest.fixture
async def http(services: Parts, clock: MovableClock) -> AsyncIterator[httpx.AsyncClient]:
    async with routes(services, clock) as client:
        yield client


async def known(services: Parts, *profile_ids: UUID) -> None:
    for profile_id in profile_ids:
        await services.people.observe(created(profile_id).payload)


def purchase(buyer: UUID, purchase_id: str) -> dict[str, Any]:
    return {
        "type": "purchase",
        "purchase_id": purchase_id,
        "profile_id": str(buyer),
        "amount": 42.5,
        "currency": "EUR",
        "purchased_at": "2026-11-20T09:00:00Z",
    }


def referral(referrer: UUID, referred: UUID, purchase_id: str) -> dict[str, Any]:
    return {
        "type": "referral",
        "referral_id": unique("ref"),
        "referrer_profile_id": str(referrer),
        "referred_profile_id": str(referred),
        "purchase_id": purchase_id,
        "converted_at": "2026-11-20T10:00:00Z",
    }


async def everything(db: Database) -> dict[str, list[Any]]:
    return await stored_documents(db)


async def test_a_referral_posted_right_after_its_purchase_is_accepted(
    http: httpx.AsyncClient, services: Parts, mongo_db: Database
) -> None:
    ann, bob = uuid4(), uuid4()
    await known(services, ann, bob)
    bought = await http.post("/v1/events", json=purchase(bob, "order-1"), headers=SHOP)
    assert bought.status_code == 202, bought.text
    body = referral(ann, bob, "order-1")
    for _ in range(2):  # a retry gets the same answer
        response = await http.post("/v1/events", json=body, headers=SHOP)
        assert response.status_code == 202, response.text
    stored = [e.type for e in await outboxed(mongo_db, COMMERCE_TOPIC)]
    assert stored == ["purchase.made", "referral.converted"]


async def test_a_referral_that_does_not_pay_is_409_with_the_reason_and_changes_nothing(
    http: httpx.AsyncClient, services: Parts, mongo_db: Database
) -> None:
    ann, old_ann, bob, stranger = uuid4(), uuid4(), uuid4(), uuid4()
    await known(services, ann, old_ann, bob)
    await services.people.observe(merged(ann, old_ann).payload)
    for buyer, order in ((bob, "order-1"), (old_ann, "order-2")):
        response = await http.post("/v1/events", json=purchase(buyer, order), headers=SHOP)
        assert response.status_code == 202, response.text
    refused = {
        "unknown referrer": (referral(stranger, bob, "order-1"), "referrer is not a known"),
        "unknown referred": (referral(ann, stranger, "order-1"), "referred customer is not"),
        "unknown purchase": (referral(ann, bob, "order-9"), "order-9 is not recorded"),
        "someone else's purchase": (referral(old_ann, bob, "order-2"), "not made by"),
        "own alias": (referral(ann, old_ann, "order-2"), "cannot refer themselves"),
    }
    before = await everything(mongo_db)
    for name, (body, reason) in refused.items():
        response = await http.post("/v1/events", json=body, headers=SHOP)
        assert response.status_code == 409, name
        assert reason in response.json()["detail"], name
    assert await everything(mongo_db) == before


async def test_of_concurrent_referrals_of_one_purchase_one_is_accepted(
    http: httpx.AsyncClient, services: Parts, mongo_db: Database
) -> None:
    bob = uuid4()
    referrers = [uuid4() for _ in range(6)]
    await known(services, bob, *referrers)
    bought = await http.post("/v1/events", json=purchase(bob, "order-1"), headers=SHOP)
    assert bought.status_code == 202, bought.text
    bodies = [referral(r, bob, "order-1") for r in referrers]
    answers = await asyncio.gather(
        *(http.post("/v1/events", json=body, headers=SHOP) for body in bodies)
    )
    assert sorted(a.status_code for a in answers) == [202] + [409] * 5
    lost = ("already paid referral", "already referred", "just referred by another")
    for refused in (a for a in answers if a.status_code == 409):
        assert any(reason in refused.json()["detail"] for reason in lost), refused.text
    converted = [
        e for e in await outboxed(mongo_db, COMMERCE_TOPIC) if e.type == "referral.converted"
    ]
    assert len(converted) == 1
    assert await mongo_db["referrals"].count_documents({}) == 1
