"""Recording mentions against the real database: idempotent, exact, bounded."""

import asyncio
from typing import Any

import pytest

from profiles.adapters.mongo_store import INDEXES
from profiles.adapters.profile_store import MongoProfiles
from profiles.domain.recording import record_mention
from profiles.domain.rules import Rules
from profiles.handlers import on_mention_ingested
from profiles.ports import Change, profile_id_for
from rapport.events import MentionIngested
from rapport.events.factories import BASE_TIME, ingested
from rapport.mongo import Database, ensure_indexes
from rapport.outbox import COLLECTION as OUTBOX
from rapport.testing import eventually, read_topic, unique

pytestmark = pytest.mark.integration
ANN = profile_id_for("x:ann")
RULES = Rules()


@pytest.fixture
async def profiles(mongo_db: Database) -> MongoProfiles:
    await ensure_indexes(mongo_db, INDEXES)
    return MongoProfiles(mongo_db, history_limit=3)


async def record(profiles: MongoProfiles, event: MentionIngested) -> Any:
    def decide(before: Any) -> Change:
        after = record_mention(before, event.payload, new_id=ANN, now=BASE_TIME, rules=RULES)
        return Change(after)

    key = event.payload.author_key
    return await profiles.apply(
        str(event.event_id),
        decide,
        identity=key,
        history={
            "_id": str(event.event_id),
            "identity": key,
            "created_at": event.payload.created_at,
        },
    )


async def test_recording_the_same_mention_again_changes_nothing(
    profiles: MongoProfiles, mongo_db: Database
) -> None:
    first = await record(profiles, ingested(1, author="ann"))
    again = await record(profiles, ingested(1, author="ann"))
    assert (first.first_time, again.first_time) == (True, False)
    assert again.profile.activities()[0].mentions == 1
    assert await mongo_db["history"].count_documents({}) == 1


async def test_concurrent_deliveries_of_one_mention_count_once(
    profiles: MongoProfiles, mongo_db: Database
) -> None:
    results = await asyncio.gather(
        *(record(profiles, ingested(1, author="ann")) for _ in range(5)), return_exceptions=True
    )
    assert any(not isinstance(r, BaseException) and r.first_time for r in results)
    found, _ = await profiles.get(ANN)
    assert found is not None
    assert found.activities()[0].mentions == 1
    assert await mongo_db["history"].count_documents({}) == 1


async def test_the_history_keeps_only_the_latest_mentions(
    profiles: MongoProfiles, mongo_db: Database
) -> None:
    for n in range(1, 6):
        await record(profiles, ingested(n, author="ann"))
    kept = await mongo_db["history"].find({"profile_id": ANN}).sort("created_at", 1).to_list()
    assert [d["created_at"] for d in kept] == [ingested(n).payload.created_at for n in (3, 4, 5)]
    found, _ = await profiles.get(ANN)
    assert found is not None
    assert found.activities()[0].mentions == 5


async def test_a_replayed_mention_stores_no_second_event_and_is_announced_once(
    served: Any, mongo_db: Database
) -> None:
    event = ingested(1, author=unique("rep"))
    await served.handle(on_mention_ingested, event)
    await served.handle(on_mention_ingested, event)
    outbox = mongo_db[OUTBOX]
    assert await outbox.count_documents({}) == 2  # the enriched mention and "created"
    await eventually(lambda: all_published(mongo_db))
    marker = ingested(2, author=unique("rep"))  # published after anything the first caused
    await served.handle(on_mention_ingested, marker)
    keys = [str(profile_id_for(e.payload.author_key)).encode() for e in (event, marker)]
    records = await read_topic(
        served.kafka, served.topics["crm.profiles"], until=lambda rs: keys[1] in {r.key for r in rs}
    )
    assert [r.key for r in records].count(keys[0]) == 1


async def all_published(db: Database) -> bool:
    return await db[OUTBOX].count_documents({"published_at": None}) == 0
