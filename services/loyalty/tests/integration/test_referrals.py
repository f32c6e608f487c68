"""Converted referrals consumed from ``commerce.events`` against the real database: a referral
pays only for two known people and the referred customer's recorded purchase, once per
purchase and once per person (aliases of a merged profile are one person); a refusal changes
nothing and is recorded with its reason."""

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID, uuid4

import pytest

from loyalty.consumers import event_handlers
from loyalty.parts import Parts
from rapport.events import Event, ReferralConverted
from rapport.kafka.consumer import dispatch
from rapport.mongo import Database
from services.loyalty.tests.integration.builders import (
    created,
    merged,
    purchase_made,
    referral,
)
from services.loyalty.tests.integration.conftest import settings

pytestmark = pytest.mark.integration
Handle = Callable[[Event], Awaitable[None]]


@pytest.fixture
def handle(services: Parts) -> Handle:
    return dispatch(event_handlers(services, settings()))


async def known(handle: Handle, *profile_ids: UUID) -> None:
    for profile_id in profile_ids:
        await handle(created(profile_id))


async def referral_points(db: Database) -> dict[UUID, int]:
    """Referral points credited, by member."""
    entries = await db["ledger"].find({"rule": "referral", "status": "credited"}).to_list()
    paid: dict[UUID, int] = {}
    for entry in entries:
        paid[entry["profile_id"]] = paid.get(entry["profile_id"], 0) + entry["points"]
    return paid


async def refusal(db: Database, event: ReferralConverted) -> str:
    found = await db["referral_refusals"].find_one({"_id": event.payload.referral_id})
    assert found is not None, "no refusal recorded"
    reason: str = found["reason"]
    return reason


async def test_a_referral_of_a_known_customer_who_bought_pays_the_referrer_once(
    handle: Handle, mongo_db: Database
) -> None:
    ann, bob = uuid4(), uuid4()
    await known(handle, ann, bob)
    await handle(purchase_made(bob, "order-1"))
    event = referral(ann, bob, "order-1")
    await handle(event)
    await handle(event)  # redelivered
    assert await referral_points(mongo_db) == {ann: 50}
    assert await mongo_db["referral_refusals"].count_documents({}) == 0


async def test_a_referral_naming_an_unknown_person_or_purchase_pays_nothing(
    handle: Handle, mongo_db: Database
) -> None:
    ann, bob, stranger = uuid4(), uuid4(), uuid4()
    await known(handle, ann, bob)
    await handle(purchase_made(bob, "order-1"))
    await handle(purchase_made(ann, "order-of-ann"))
    cases = {
        referral(stranger, bob, "order-1"): "the referrer is not a known profile",
        referral(ann, stranger, "order-1"): "the referred customer is not a known profile",
        referral(ann, bob, "never-bought"): "never-bought is not recorded",
        referral(bob, ann, "order-1"): "not made by the referred customer",
    }
    for event, reason in cases.items():
        await handle(event)
        assert reason in await refusal(mongo_db, event)
    assert await referral_points(mongo_db) == {}
    assert await mongo_db["referrals"].count_documents({}) == 0


async def test_a_referral_whose_purchase_comes_later_is_refused_and_pays_when_sent_again(
    handle: Handle, mongo_db: Database
) -> None:
    ann, bob = uuid4(), uuid4()
    await known(handle, ann, bob)
    early = referral(ann, bob, "order-late")
    await handle(early)
    assert "order-late is not recorded" in await refusal(mongo_db, early)
    await handle(purchase_made(bob, "order-late"))
    await handle(early)  # sent again
    assert await referral_points(mongo_db) == {ann: 50}
    assert await mongo_db["referral_refusals"].count_documents({}) == 0


async def test_one_purchase_pays_one_referral(handle: Handle, mongo_db: Database) -> None:
    ann, cat, bob = uuid4(), uuid4(), uuid4()
    await known(handle, ann, cat, bob)
    await handle(purchase_made(bob, "order-1"))
    first, second = referral(ann, bob, "order-1"), referral(cat, bob, "order-1")
    await handle(first)
    await handle(second)
    assert await referral_points(mongo_db) == {ann: 50}
    assert "already paid referral" in await refusal(mongo_db, second)


async def test_referrals_of_one_purchase_handled_at_once_pay_once(
    handle: Handle, mongo_db: Database
) -> None:
    bob = uuid4()
    referrers = [uuid4() for _ in range(6)]
    await known(handle, bob, *referrers)
    await handle(purchase_made(bob, "order-1"))
    events = [referral(r, bob, "order-1") for r in referrers]
    await asyncio.gather(*(handle(e) for e in events))
    paid = await referral_points(mongo_db)
    assert list(paid.values()) == [50]
    assert await mongo_db["referrals"].count_documents({}) == 1
    assert await mongo_db["referral_refusals"].count_documents({}) == 5


async def test_referring_ones_own_merged_alias_pays_nothing_either_way(
    handle: Handle, mongo_db: Database
) -> None:
    old_ann, ann = uuid4(), uuid4()
    await known(handle, old_ann, ann)
    await handle(merged(ann, old_ann))
    await handle(purchase_made(old_ann, "order-1"))
    await handle(purchase_made(ann, "order-2"))
    for event in (referral(ann, old_ann, "order-1"), referral(old_ann, ann, "order-2")):
        await handle(event)
        assert "cannot refer themselves" in await refusal(mongo_db, event)
    assert await referral_points(mongo_db) == {}


async def test_a_merge_announced_before_the_absorbed_profile_was_created_still_holds(
    handle: Handle, mongo_db: Database
) -> None:
    old_ann, ann = uuid4(), uuid4()
    await handle(merged(ann, old_ann))
    await known(handle, old_ann, ann)  # crm.profiles is keyed by profile: any order
    await handle(purchase_made(old_ann, "order-1"))
    event = referral(ann, old_ann, "order-1")
    await handle(event)
    assert "cannot refer themselves" in await refusal(mongo_db, event)


async def test_a_person_is_referred_once_whichever_of_their_ids_is_named(
    handle: Handle, mongo_db: Database
) -> None:
    ann, cat, old_bob, bob = uuid4(), uuid4(), uuid4(), uuid4()
    await known(handle, ann, cat, old_bob, bob)
    await handle(purchase_made(old_bob, "order-1"))
    await handle(referral(ann, old_bob, "order-1"))
    await handle(merged(bob, old_bob))
    await handle(purchase_made(bob, "order-2"))
    again = referral(cat, bob, "order-2")
    await handle(again)
    assert "already referred" in await refusal(mongo_db, again)
    assert await referral_points(mongo_db) == {ann: 50}


async def test_a_merged_referrer_earns_as_the_profile_that_absorbed_them(
    handle: Handle, mongo_db: Database, services: Parts
) -> None:
    old_ann, ann, bob = uuid4(), uuid4(), uuid4()
    await known(handle, old_ann, ann, bob)
    await handle(merged(ann, old_ann))
    await handle(purchase_made(bob, "order-1"))
    await handle(referral(old_ann, bob, "order-1"))
    assert await referral_points(mongo_db) == {ann: 50}
    assert await services.members.get(old_ann) is None
