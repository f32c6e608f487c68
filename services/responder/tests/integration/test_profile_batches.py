"""responder's profile changes in batches, on the real MongoDB and Kafka: each profile's latest
snapshot kept with one read and one write per batch, never an earlier one over a later one; the
fans sampled as one by one would; merges in their place; and behind the real consumer loop, a
snapshot MongoDB cannot store is dead-lettered alone while its neighbours are kept."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from rapport.events import (
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.events.factories import BASE_TIME
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.testing import MongoCommands, eventually, read_topic
from rapport.topics import Topic
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.handlers import on_profiles_changed
from responder.main import mongo_ports
from responder.ports import Ports
from responder.settings import ResponderSettings
from responder.use_cases.case_intake import take_mention

from .conftest import Clock, enriched
from .consuming import consuming

pytestmark = pytest.mark.integration
CASUAL, FAN, EVANGELIST = (
    RelationshipStage.CASUAL_COMMENTER,
    RelationshipStage.FAN,
    RelationshipStage.EVANGELIST,
)


def changed(
    profile: int, stage: RelationshipStage, minutes: int, kind: str = "stage_changed", **more: Any
) -> ProfileChanged:
    """Profile ``profile``'s snapshot as of BASE_TIME + ``minutes``."""
    snapshot = ProfileSnapshot(
        profile_id=UUID(int=profile),
        stage=stage,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME + timedelta(minutes=minutes),
        **more.pop("snapshot", {}),
    )
    change = ProfileChange(change=kind, profile=snapshot, **more)
    return ProfileChanged.of(change, cause=f"{profile}:{minutes}:{kind}")


async def kept(ports: Ports, profiles: Sequence[int]) -> dict[int, tuple[RelationshipStage, int]]:
    """Per profile, the kept stage and minutes past BASE_TIME of its ``last_seen``."""
    found = {}
    for n in profiles:
        snapshot = await ports.profiles.get(UUID(int=n))
        if snapshot is not None:
            minutes = (snapshot.last_seen - BASE_TIME) // timedelta(minutes=1)
            found[n] = (snapshot.stage, minutes)
    return found


async def samples(db: Database) -> list[tuple[int, int]]:
    return [(d["fans"], d["evangelists"]) for d in await db["stage_counts"].find().to_list()]


async def test_a_batch_keeps_each_profiles_latest_snapshot_with_one_read_and_one_write(
    clock: Clock, counted: tuple[Database, MongoCommands]
) -> None:
    db, counter = counted
    ports = mongo_ports(db, ResponderSettings(), clock)
    health = MongoBrandHealth(db)
    await on_profiles_changed([changed(1, CASUAL, 50)], ports=ports, health=health)
    events = [
        changed(1, FAN, 10),  # earlier than the kept one: never kept
        changed(2, CASUAL, 5, "created"),
        changed(3, CASUAL, 5, "created"),
        changed(2, FAN, 20),
        changed(3, FAN, 30),
        changed(3, CASUAL, 25),  # earlier than the one before it in the batch
        changed(4, EVANGELIST, 7, "created"),
        changed(2, CASUAL, 20, "segment_changed"),  # as late as the one before: kept
    ]
    with counter.counting() as sent:
        await on_profiles_changed(events, ports=ports, health=health)
    assert sent["find profiles"] == 1
    assert sent["update profiles"] == 1
    assert sent["aggregate profiles"] == 1  # the fans counted once for the sample
    assert await kept(ports, range(1, 6)) == {
        1: (CASUAL, 50),
        2: (CASUAL, 20),
        3: (FAN, 30),
        4: (EVANGELIST, 7),
    }
    assert await samples(db) == [(1, 1)]


async def test_a_batch_that_moves_no_fan_takes_no_sample_and_a_redelivered_one_changes_nothing(
    ports: Ports, mongo_db: Database, clock: Clock
) -> None:
    health = MongoBrandHealth(mongo_db)
    quiet = [changed(1, CASUAL, 1, "created"), changed(1, CASUAL, 2, "segment_changed")]
    await on_profiles_changed(quiet, ports=ports, health=health)
    assert await samples(mongo_db) == []
    fans = [changed(2, FAN, 3, "created"), changed(3, CASUAL, 3, "created"), changed(3, FAN, 4)]
    await on_profiles_changed(fans, ports=ports, health=health)
    taken = await mongo_db["stage_counts"].find().to_list()
    assert await samples(mongo_db) == [(2, 0)]
    clock.advance(minutes=5)
    await on_profiles_changed(fans, ports=ports, health=health)  # redelivered
    assert await mongo_db["stage_counts"].find().to_list() == taken  # not even taken again
    assert await kept(ports, [1, 2, 3]) == {1: (CASUAL, 2), 2: (FAN, 3), 3: (FAN, 4)}


async def test_a_merge_in_a_batch_applies_in_its_place(ports: Ports, mongo_db: Database) -> None:
    health = MongoBrandHealth(mongo_db)
    absorbed, survivor = UUID(int=2), UUID(int=1)
    case = await take_mention(
        ports, enriched(1, profile_id=absorbed, intents=["complaint"]).payload
    )
    assert case is not None
    events = [
        changed(2, FAN, 1, "created"),
        changed(1, CASUAL, 1, "created"),
        changed(1, EVANGELIST, 2, "merged", related_profile_ids=[absorbed]),
        changed(3, FAN, 3, "created"),
    ]
    await on_profiles_changed(events, ports=ports, health=health)
    assert await kept(ports, [1, 2, 3]) == {1: (EVANGELIST, 2), 3: (FAN, 3)}  # 2 is forgotten
    moved = await ports.cases.active_of(survivor)
    assert moved is not None
    assert moved.id == case.id
    assert await samples(mongo_db) == [(1, 1)]


async def test_a_snapshot_that_cannot_be_stored_is_dead_lettered_and_its_neighbours_are_kept(
    ports: Ports, mongo_db: Database, kafka_bootstrap: str, new_topic: Any, producer: EventProducer
) -> None:
    name = await new_topic(2)
    topic = Topic(name, "test", "profile", 2, 3_600_000, (ProfileChanged,), ("test",), ())
    good = [changed(n % 6 + 1, FAN if n % 2 else CASUAL, n) for n in range(12)]
    # An audience BSON cannot store (ints stop at 2**63 - 1): it can never be kept.
    bad = changed(99, FAN, 99, snapshot={"followers": 2**64})
    events = [*good[:5], bad, *good[5:]]
    await producer.publish_all([(name, str(e.payload.profile.profile_id), e) for e in events])
    latest = {n: (FAN if m % 2 else CASUAL, m) for m in range(12) for n in [m % 6 + 1]}

    async def all_kept() -> bool:
        return await kept(ports, range(1, 7)) == latest

    async with consuming(ports, mongo_db, kafka_bootstrap, producer, topic, ProfileChanged) as seen:
        dead = await read_topic(kafka_bootstrap, seen.dead_letters, until=lambda r: len(r) >= 1)
        await eventually(all_kept)
    batches = seen.batches

    assert [record.key for record in dead] == [str(UUID(int=99)).encode()]
    assert any(bad.event_id in {e.event_id for e in b} for b in batches)  # it failed a batch
    assert await ports.profiles.get(UUID(int=99)) is None
    assert await mongo_db["profiles"].count_documents({}) == 6
