"""Crisis alerts, profile merges and erasure, against the real database."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from rapport.events import (
    AlertChanged,
    CaseState,
    PrivacyRequest,
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
    SocialIdentity,
)
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from responder.adapters.alert_store import MongoAlerts
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.adapters.personal_data import ResponderPersonalData
from responder.handlers import on_mention_enriched, on_profile_changed
from responder.ports import Ports
from responder.use_cases.case_intake import take_mention

from .conftest import Clock, enriched, events_of

pytestmark = pytest.mark.integration


async def alert_events(db: Database) -> list[Any]:
    docs = await db["outbox"].find({"topic": "care.alerts"}).to_list()
    return [AlertChanged.model_validate_json(bytes(d["value"])).payload for d in docs]


async def complain(
    ports: Ports, alerts: MongoAlerts, health: MongoBrandHealth, n: int, **fields: Any
) -> None:
    profile = UUID(int=5000 + n)
    event = enriched(n, profile_id=profile, author=f"c{n}", intents=["complaint"], **fields)
    await on_mention_enriched(event, ports=ports, alerts=alerts, health=health)


async def test_a_negative_spike_raises_one_alert_and_moves_its_cases_to_pr(
    ports: Ports, mongo_db: Database
) -> None:
    alerts, health = MongoAlerts(mongo_db), MongoBrandHealth(mongo_db)
    # ten negative mentions within one ten-minute bucket (minutes 1..9 and the 10th at 9.5)
    for n in range(1, 10):
        await complain(ports, alerts, health, n)
    assert await alert_events(mongo_db) == []
    await complain(
        ports, alerts, health, 10, created_at=BASE_TIME + timedelta(minutes=9, seconds=30)
    )
    await complain(
        ports, alerts, health, 11, created_at=BASE_TIME + timedelta(minutes=9, seconds=40)
    )
    raised = {a.subject: a for a in await alert_events(mongo_db)}
    assert set(raised) == {"all", "intent:complaint"}
    spike = raised["all"]
    assert (spike.kind, spike.status, spike.observed, spike.threshold) == (
        "negative_spike",
        "active",
        10,
        10,
    )
    cases = await ports.cases.find({}, [("opened_at", 1)], 0, 100)
    assert {c.queue for c in cases} == {"pr"}  # the eleventh joined the spike too
    escalated = [e["change"] for e in await events_of(mongo_db, cases[0].id)]
    assert escalated == ["opened", "escalated"]


async def test_a_negative_post_going_viral_alerts_and_goes_to_pr(
    ports: Ports, mongo_db: Database, clock: Clock
) -> None:
    alerts, health = MongoAlerts(mongo_db), MongoBrandHealth(mongo_db)
    clock.now = BASE_TIME + timedelta(minutes=31)
    await complain(ports, alerts, health, 1, engagement={"shares": 50})  # 50 in 30 min: 100/h
    (alert,) = await alert_events(mongo_db)
    assert (alert.kind, alert.observed) == ("viral_negative_post", 100)
    (case,) = await ports.cases.find({}, [("_id", 1)], 0, 10)
    assert case.queue == "pr"


async def test_a_merge_moves_the_absorbed_profiles_cases_to_the_survivor(
    ports: Ports, mongo_db: Database
) -> None:
    alerts, health = MongoAlerts(mongo_db), MongoBrandHealth(mongo_db)
    survivor, absorbed, lone = UUID(int=5001), UUID(int=5002), UUID(int=5003)
    await complain(ports, alerts, health, 1)
    await complain(ports, alerts, health, 2)
    await complain(ports, alerts, health, 3)
    profile = ProfileSnapshot(
        profile_id=survivor,
        stage=RelationshipStage.AT_RISK,
        mention_count=3,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME + timedelta(hours=1),
    )
    change = ProfileChange(change="merged", related_profile_ids=[absorbed, lone], profile=profile)
    for _ in range(2):  # redelivered
        await on_profile_changed(ProfileChanged.of(change, cause="m1"), ports=ports, health=health)
    (kept,) = await ports.cases.find({"active": True}, [("_id", 1)], 0, 10)
    assert kept.profile_id == survivor
    assert len(kept.mention_ids) == 3
    closed = await ports.cases.find({"active": False}, [("_id", 1)], 0, 10)
    assert len(closed) == 2
    for case in closed:
        last = (await events_of(mongo_db, case.id))[-1]
        assert (last["change"], last["state"], last["intents"]) == ("rerouted", "resolved", [])
    assert (await ports.profiles.get(survivor)).stage is RelationshipStage.AT_RISK  # type: ignore[union-attr]


async def test_erasure_leaves_no_document_with_the_persons_identifiers(
    ports: Ports, mongo_db: Database
) -> None:
    alerts, health = MongoAlerts(mongo_db), MongoBrandHealth(mongo_db)
    person = UUID(int=5001)
    await complain(ports, alerts, health, 1, conversation_id="conv1")
    reply = enriched(2, author="brand", from_brand=True, score=0.2, conversation_id="conv1")
    await on_mention_enriched(reply, ports=ports, alerts=alerts, health=health)
    await complain(ports, alerts, health, 3)  # someone else
    request = PrivacyRequest(
        request_id=UUID(int=1),
        kind="erase",
        profile_id=person,
        identities=[SocialIdentity(platform="x", author_id="c1")],
        requested_at=BASE_TIME,
    )
    data = ResponderPersonalData(mongo_db)
    exported = await data.export(request.model_copy(update={"kind": "export"}))
    assert len(exported["cases"]) == 1
    assert len(exported["timeline"]) == 2
    assert await data.erase(request) > 0
    for name in await mongo_db.list_collection_names():
        for doc in await mongo_db[name].find().to_list():
            text = repr(doc)
            assert str(person) not in text, name
            assert "'c1'" not in text, name
    assert await mongo_db["cases"].count_documents({}) == 1  # the other customer's
    assert await data.erase(request) == 0


async def test_profile_changes_feed_the_priority_of_later_mentions(
    ports: Ports, mongo_db: Database
) -> None:
    profile = ProfileSnapshot(
        profile_id=UUID(int=1),
        stage=RelationshipStage.AT_RISK,
        mention_count=3,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME + timedelta(days=1),
        customer_value=5000,
    )
    change = ProfileChange(change="stage_changed", profile=profile)
    await on_profile_changed(
        ProfileChanged.of(change, cause="s1"), ports=ports, health=MongoBrandHealth(mongo_db)
    )
    case = await take_mention(ports, enriched(1, score=-0.3, intents=["complaint"]).payload)
    assert case is not None
    assert case.priority_score > 40
    assert case.state is CaseState.OPEN


async def test_a_spike_clears_when_a_later_bucket_ends_below_its_threshold(
    ports: Ports, mongo_db: Database
) -> None:
    alerts, health = MongoAlerts(mongo_db), MongoBrandHealth(mongo_db)
    for n in range(1, 11):  # ten authors within the 09:00 bucket
        await complain(ports, alerts, health, n, created_at=BASE_TIME + timedelta(seconds=n))
    await complain(ports, alerts, health, 11, created_at=BASE_TIME + timedelta(minutes=10))
    assert all(a.status == "active" for a in await alert_events(mongo_db))
    await complain(ports, alerts, health, 12, created_at=BASE_TIME + timedelta(minutes=20))
    statuses = sorted((a.subject, a.status) for a in await alert_events(mongo_db))
    assert statuses == [
        ("all", "active"),
        ("all", "cleared"),
        ("intent:complaint", "active"),
        ("intent:complaint", "cleared"),
    ]
