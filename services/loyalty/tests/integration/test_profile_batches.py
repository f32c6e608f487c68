"""loyalty's profile changes in batches, on the real MongoDB and Kafka: stage bonuses earned once
per cause, each member's latest stage, segment and consent kept with one read and one write,
running offers decided for the members that changed; behind the real consumer loop, a change
whose bonus MongoDB refuses is dead-lettered alone and its neighbours earn exactly once."""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from bson import Binary

from loyalty.consumers import batch_handlers, event_handlers
from loyalty.domain.catalogue import Offer
from loyalty.parts import Parts
from rapport import outbox
from rapport.events import (
    ALL_EVENTS,
    Event,
    OutreachDecided,
    ParticipationSegment,
    PointsAwarded,
    ProfileChanged,
    RelationshipStage,
)
from rapport.events.codec import decode
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, dispatch
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.retry import RetryPolicy
from rapport.testing import MovableClock, eventually, read_topic, unique
from rapport.topics import Topic, dead_letter_topic
from services.loyalty.tests.integration.builders import mention_by, profile_changed, snapshot
from services.loyalty.tests.integration.conftest import outboxed, settings

pytestmark = pytest.mark.integration
FAN, EVANGELIST = RelationshipStage.FAN, RelationshipStage.EVANGELIST
CREATOR = ParticipationSegment.FREQUENT_CREATOR


async def bonuses(db: Database) -> Counter[tuple[UUID, str]]:
    """How many times each member was credited each rule."""
    entries = await db["ledger"].find().to_list()
    return Counter((e["profile_id"], e["rule"]) for e in entries)


async def audiences(db: Database) -> dict[UUID, tuple[str | None, str | None, bool]]:
    members = await db["members"].find().to_list()
    return {
        m["_id"]: (m.get("stage"), m.get("segment"), bool(m.get("marketing_consent")))
        for m in members
    }


async def test_a_batch_earns_each_bonus_once_and_keeps_each_members_latest_audience(
    services: Parts, mongo_db: Database, clock: MovableClock
) -> None:
    creators = Offer.model_validate(
        {
            "offer_id": "creators",
            "title": "Descaler kit, 20% off",
            "stages": [],
            "segments": ["frequent_creator"],
            "starts_at": clock() - timedelta(hours=1),
            "expires_at": clock() + timedelta(days=7),
        }
    )
    await services.offers.put(creators.offer_id, creators)
    ann, bob, cat, stranger = uuid4(), uuid4(), uuid4(), uuid4()
    one_by_one = dispatch(event_handlers(services, settings()))
    for member in (ann, bob, cat):
        await one_by_one(mention_by(member))
    earned_before = await bonuses(mongo_db)
    batch = [
        profile_changed(snapshot(ann, FAN), "stage_changed", "a1"),
        profile_changed(snapshot(ann, FAN), "stage_changed", "a1"),  # the same, again
        profile_changed(snapshot(bob, EVANGELIST), "stage_changed", "b1"),
        profile_changed(snapshot(cat, consent=True, segment=CREATOR), "segment_changed", "c1"),
        profile_changed(snapshot(stranger, segment=CREATOR), "created", "s1"),
        profile_changed(snapshot(ann, FAN, consent=True), "consent_changed", "a2"),
    ]
    on_batch = batch_handlers(services)[ProfileChanged]
    for _ in range(2):  # the second time, redelivered
        await on_batch(batch)
        assert await bonuses(mongo_db) - earned_before == {
            (ann, "fan_bonus"): 1,
            (bob, "evangelist_bonus"): 1,
        }
    kept = await audiences(mongo_db)
    assert kept[ann] == ("fan", "occasional_participant", True)
    assert kept[bob] == ("evangelist", "occasional_participant", False)
    assert kept[cat] == ("casual_commenter", "frequent_creator", True)
    assert stranger not in kept  # not a member: nothing to keep
    decided = [e for e in await outboxed(mongo_db) if isinstance(e, OutreachDecided)]
    assert [(d.payload.profile_id, d.payload.relevant_to) for d in decided] == [
        (cat, ["segment:frequent_creator"])
    ]


async def test_one_refused_bonus_is_dead_lettered_and_its_neighbours_earn_once(
    services: Parts,
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: Callable[..., Awaitable[str]],
    producer: EventProducer,
) -> None:
    name = await new_topic(2)
    topic = Topic(name, "test", "profile", 2, 3_600_000, (ProfileChanged,), ("test",), ())
    group = unique("loyalty")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(name, group), 1, 3_600_000)])
    fans = [uuid4() for _ in range(6)]
    events = [profile_changed(snapshot(p, FAN), "stage_changed", f"fan-{p}") for p in fans]
    events += [profile_changed(snapshot(p, EVANGELIST), "stage_changed", f"ev-{p}") for p in fans]
    bad = events[3]
    refused = Binary.from_uuid(bad.event_id)
    # MongoDB refuses the bad change's bonus, in a batch or alone
    await mongo_db.command("collMod", "ledger", validator={"cause_event_id": {"$ne": refused}})
    calls: Counter[str] = Counter()
    in_batches = batch_handlers(services)[ProfileChanged]

    async def batch(events: list[Event]) -> None:
        try:
            await in_batches(events)
        except Exception:
            calls["failed batches"] += 1
            raise

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=dispatch(event_handlers(services, settings())),
        batch_handlers={ProfileChanged: batch},
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.05),
    )
    running = asyncio.create_task(loop.run())
    await producer.publish_all([(name, str(e.payload.profile.profile_id), e) for e in events])
    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(name, group), until=lambda r: len(r) >= 1
    )

    async def all_earned() -> bool:
        return sum((await bonuses(mongo_db)).values()) == len(events) - 1

    await eventually(all_earned, timeout_s=60)
    loop.stop()
    await running

    assert [decode(r.value, topic.events).event_id for r in dead] == [bad.event_id]
    assert calls["failed batches"] >= 1
    expected = Counter({(p, rule): 1 for p in fans for rule in ("fan_bonus", "evangelist_bonus")})
    del expected[bad.payload.profile.profile_id, "fan_bonus"]
    assert await bonuses(mongo_db) == expected
    rows = await mongo_db[outbox.COLLECTION].find().to_list()
    announced = [decode(bytes(row["value"]), ALL_EVENTS) for row in rows]
    awarded = [e.payload.cause_event_id for e in announced if isinstance(e, PointsAwarded)]
    assert sorted(awarded) == sorted(e.event_id for e in events if e is not bad)  # each once
    assert {who: stage for who, (stage, _, _) in (await audiences(mongo_db)).items()} == {
        p: "evangelist" for p in fans
    }
