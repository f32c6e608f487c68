"""Every event loyalty publishes is stored with the change that causes it, in one transaction:
both exist or neither does, a replayed cause stores nothing more, and the relay publishes them."""

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from loyalty.adapters.outbox import Outbox, Session
from loyalty.domain.catalogue import Offer
from loyalty.domain.rules import Rule, RuleKind
from loyalty.main import build_parts, create_app
from loyalty.parts import Parts
from loyalty.topics import COMMERCE_TOPIC, LOYALTY_TOPIC
from rapport import outbox
from rapport.events import ALL_EVENTS, Event, Referral, ReferralConverted
from rapport.events.codec import decode
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from rapport.testing import MovableClock, eventually, read_topic, stored_documents, unique
from services.loyalty.tests.integration.conftest import outboxed, roll_out, settings, token

pytestmark = pytest.mark.integration
ANN = UUID(int=9)


class Abort(Exception):
    pass


class Breaking(Outbox):
    """Stores events like the outbox, then fails the transaction once it stored one of
    ``event_type``: whatever the transaction wrote before must be gone with it."""

    def __init__(self, db: Database, event_type: str) -> None:
        super().__init__(db)
        self._event_type = event_type

    async def add(
        self, s: Session, key: UUID, events: Sequence[Event], *, topic: str = LOYALTY_TOPIC
    ) -> None:
        await super().add(s, key, events, topic=topic)
        if any(event.type == self._event_type for event in events):
            raise Abort(self._event_type)


Breaks = Callable[[str], Parts]


@pytest.fixture
def breaking(services: Parts, mongo_db: Database, clock: MovableClock) -> Breaks:
    """loyalty's parts whose transactions fail after storing an event of the given type."""

    def build(event_type: str) -> Parts:
        return build_parts(mongo_db, settings(), clock, Breaking(mongo_db, event_type))

    return build


async def everything(db: Database) -> dict[str, list[Any]]:
    return await stored_documents(db)


async def earn(services: Parts, kind: RuleKind, cause: str) -> str | None:
    outcome = await services.earner.earn(kind, profile_id=ANN, cause=cause, cause_event_id=uuid4())
    return None if outcome is None else outcome.status


async def types(db: Database, topic: str = LOYALTY_TOPIC) -> list[str]:
    return [event.type for event in await outboxed(db, topic)]


async def test_an_earning_and_its_event_are_stored_together_or_not_at_all(
    services: Parts, breaking: Breaks, mongo_db: Database
) -> None:
    before = await everything(mongo_db)
    with pytest.raises(Abort):
        await earn(breaking("points.awarded"), RuleKind.RECOVERY, "case-1")
    assert await everything(mongo_db) == before

    assert await earn(services, RuleKind.RECOVERY, "case-1") == "credited"
    assert await earn(services, RuleKind.RECOVERY, "case-1") == "credited"  # redelivered
    assert await mongo_db["ledger"].count_documents({}) == 1
    (awarded,) = await outboxed(mongo_db)
    assert (awarded.type, awarded.payload.entry_id) == ("points.awarded", "recovery:case-1")


async def test_a_tier_change_is_stored_in_the_transaction_of_the_earning_that_causes_it(
    services: Parts, breaking: Breaks, mongo_db: Database
) -> None:
    await services.rules.put(Rule(kind=RuleKind.RECOVERY, points=250))
    before = await everything(mongo_db)
    with pytest.raises(Abort):
        await earn(breaking("tier.changed"), RuleKind.RECOVERY, "case-1")
    assert await everything(mongo_db) == before  # no entry, no balance, no award either

    await earn(services, RuleKind.RECOVERY, "case-1")
    await earn(services, RuleKind.RECOVERY, "case-1")
    member = await services.members.get(ANN)
    assert member is not None
    assert member["tier"] == "silver"
    assert await types(mongo_db) == ["points.awarded", "tier.changed"]


async def test_a_decision_on_a_held_entry_is_stored_with_its_events(
    services: Parts, breaking: Breaks, mongo_db: Database
) -> None:
    await services.rules.put(Rule(kind=RuleKind.REFERRAL, points=50, velocity_limit=1))
    await earn(services, RuleKind.REFERRAL, "ref-1")
    assert await earn(services, RuleKind.REFERRAL, "ref-2") == "held"
    before = await everything(mongo_db)
    with pytest.raises(Abort):
        await breaking("points.awarded").earner.decide("referral:ref-2", "approved")
    assert await everything(mongo_db) == before

    await services.earner.decide("referral:ref-2", "approved")
    await services.earner.decide("referral:ref-2", "approved")
    assert await types(mongo_db) == [
        "points.awarded",
        "points.held",
        "points.held",
        "points.awarded",
    ]


async def test_an_expiry_and_its_event_are_stored_together_or_not_at_all(
    services: Parts, breaking: Breaks, mongo_db: Database, clock: MovableClock
) -> None:
    await earn(services, RuleKind.RECOVERY, "old-1")
    clock.advance(days=366)
    before = await everything(mongo_db)
    with pytest.raises(Abort):
        await breaking("points.expired").sweeper.sweep()
    assert await everything(mongo_db) == before

    assert await services.sweeper.sweep() >= 1
    assert await services.sweeper.sweep() == 0
    assert await mongo_db["ledger"].count_documents({"kind": "expiry"}) == 1
    assert (await types(mongo_db)).count("points.expired") == 1


def offer(clock: MovableClock) -> Offer:
    return Offer.model_validate(
        {
            "offer_id": "descaler",
            "title": "Descaler kit, 20% off",
            "stages": ["fan"],
            "starts_at": clock() - timedelta(hours=1),
            "expires_at": clock() + timedelta(days=7),
        }
    )


async def test_an_outreach_decision_and_its_event_are_stored_together_or_not_at_all(
    services: Parts, breaking: Breaks, mongo_db: Database, clock: MovableClock
) -> None:
    await mongo_db["members"].insert_one(
        {"_id": ANN, "balance": 0, "stage": "fan", "marketing_consent": True}
    )
    before = await everything(mongo_db)
    with pytest.raises(Abort):
        await breaking("outreach.decided").outreach.decide(offer(clock), ANN)
    assert await everything(mongo_db) == before

    assert await roll_out(services, offer(clock)) == 1
    assert await roll_out(services, offer(clock)) == 1  # saved again: the same decision
    assert await mongo_db["outreach"].count_documents({}) == 1
    assert await types(mongo_db) == ["outreach.decided"]


async def test_a_redemption_and_its_event_are_stored_together_or_not_at_all(
    services: Parts, breaking: Breaks, mongo_db: Database, clock: MovableClock
) -> None:
    await earn(services, RuleKind.RECOVERY, "case-1")
    before = await everything(mongo_db)
    with pytest.raises(Abort):
        await breaking("reward.redeemed").redemptions.redeem(ANN, "key-00001", "mug", 20, clock())
    assert await everything(mongo_db) == before

    first = await services.redemptions.redeem(ANN, "key-00001", "mug", 20, clock())
    again = await services.redemptions.redeem(ANN, "key-00001", "mug", 20, clock())
    assert again == first
    assert await mongo_db["ledger"].count_documents({"kind": "redemption"}) == 1
    assert await types(mongo_db) == ["points.awarded", "reward.redeemed"]


def converted(referrer: UUID = ANN) -> ReferralConverted:
    referral = Referral(
        referral_id="ref-1",
        referrer_profile_id=referrer,
        referred_profile_id=uuid4(),
        purchase_id="order-1",
        converted_at=BASE_TIME,
    )
    return ReferralConverted.of(referral)


async def test_a_posted_commerce_event_is_stored_with_its_intake_record_or_not_at_all(
    services: Parts, breaking: Breaks, mongo_db: Database
) -> None:
    event = converted()
    people = [ANN, event.payload.referred_profile_id]
    body = {"referral_id": "ref-1"}
    before = await everything(mongo_db)
    with pytest.raises(Abort):
        await breaking("referral.converted").posted_events.remember(
            "referral:ref-1", body, people, event
        )
    assert await everything(mongo_db) == before

    await services.posted_events.remember("referral:ref-1", body, people, event)
    await services.posted_events.remember("referral:ref-1", body, people, event)  # a retried post
    assert await mongo_db["intake"].count_documents({}) == 1
    (stored,) = await outboxed(mongo_db, COMMERCE_TOPIC)
    assert stored.event_id == event.event_id
    row = await mongo_db[outbox.COLLECTION].find_one({"_id": str(event.event_id)})
    assert row is not None
    assert row["key"] == str(ANN)


async def test_the_relay_publishes_every_stored_event_to_its_topic(
    live: Parts, mongo_db: Database, clock: MovableClock, kafka_bootstrap: str
) -> None:
    """``live`` runs the relay: what loyalty stores reaches loyalty.events and commerce.events."""
    await live.rules.put(Rule(kind=RuleKind.RECOVERY, points=250))
    profile_id = uuid4()
    await live.earner.earn(
        RuleKind.RECOVERY, profile_id=profile_id, cause="case-1", cause_event_id=uuid4()
    )
    await live.redemptions.redeem(profile_id, "key-relay1", "mug", 20, clock())
    clock.advance(days=366)
    await live.sweeper.sweep()
    event = converted(profile_id)
    body = {"referral_id": "ref-1"}
    await live.posted_events.remember("referral:ref-1", body, [profile_id], event)

    async def relayed() -> bool:
        return await mongo_db[outbox.COLLECTION].count_documents({"published_at": None}) == 0

    await eventually(relayed)
    stored = {
        LOYALTY_TOPIC: [
            "points.awarded",
            "tier.changed",  # silver
            "reward.redeemed",
            "points.expired",
            "tier.changed",  # back to bronze
        ],
        COMMERCE_TOPIC: ["referral.converted"],
    }
    for topic, expected in stored.items():
        assert await types(mongo_db, topic) == expected
        ids = {e.event_id for e in await outboxed(mongo_db, topic)}

        def mine(records: list[Any], ids: set[UUID] = ids) -> list[Event]:
            member = str(profile_id).encode()
            events = [decode(r.value, ALL_EVENTS) for r in records if r.key == member]
            return [e for e in events if e.event_id in ids]

        def complete(records: list[Any], ids: set[UUID] = ids) -> bool:
            return {e.event_id for e in mine(records)} == ids

        records = await read_topic(kafka_bootstrap, topic, until=complete)
        assert len(mine(records)) == len(ids)


async def test_the_running_service_relays_what_it_stored(
    mongo_db: Database, mongo_url: str, kafka_bootstrap: str
) -> None:
    """The app starts the relay worker: a posted purchase reaches commerce.events. (Its
    consumer stays off: it would join the platform's ``loyalty`` group.)"""
    app = create_app(
        settings(
            kafka_bootstrap=kafka_bootstrap,
            mongo_url=mongo_url,
            mongo_db=mongo_db.name,
            consume_events=False,
        )
    )
    purchase_id = unique("order")
    body = {
        "type": "purchase",
        "purchase_id": purchase_id,
        "profile_id": str(uuid4()),
        "amount": 42.5,
        "currency": "EUR",
        "purchased_at": "2026-11-20T09:00:00Z",
    }
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://loyalty") as http:
            response = await http.post("/v1/events", json=body, headers=token("integration"))
        assert response.status_code == 202, response.text
        event_id = response.json()["event_id"].encode()
        found = await read_topic(
            kafka_bootstrap,
            COMMERCE_TOPIC,
            until=lambda records: any(event_id in (r.value or b"") for r in records),
        )
    assert purchase_id.encode() in next(r.value for r in found if event_id in (r.value or b""))
