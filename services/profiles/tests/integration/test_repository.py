"""MongoProfiles against the real database: recording is idempotent and exact."""

import asyncio

import pytest

from profiles.repository import INDEXES, MongoProfiles, profile_id_for
from rapport.events.factories import ingested
from rapport.mongo import Database, ensure_indexes

pytestmark = pytest.mark.integration


@pytest.fixture
async def profiles(mongo_db: Database) -> MongoProfiles:
    await ensure_indexes(mongo_db, INDEXES)
    return MongoProfiles(mongo_db)


async def test_the_first_mention_creates_the_profile(profiles: MongoProfiles) -> None:
    recorded = await profiles.record(ingested(1, author="ann"))
    assert recorded.first_time
    assert recorded.created_by_this_mention
    assert recorded.profile.profile_id == profile_id_for("x:ann")
    assert recorded.profile.mention_count == 1


async def test_recording_the_same_mention_again_changes_nothing(
    profiles: MongoProfiles, mongo_db: Database
) -> None:
    await profiles.record(ingested(1, author="ann"))
    again = await profiles.record(ingested(1, author="ann"))
    assert not again.first_time
    assert again.created_by_this_mention
    assert again.profile.mention_count == 1
    assert await mongo_db["history"].count_documents({}) == 1


async def test_later_mentions_count_and_widen_the_seen_window(profiles: MongoProfiles) -> None:
    await profiles.record(ingested(2, author="ann"))
    recorded = await profiles.record(ingested(1, author="ann"))
    assert recorded.profile.mention_count == 2
    assert not recorded.created_by_this_mention
    assert recorded.profile.first_seen < recorded.profile.last_seen


async def test_concurrent_deliveries_of_one_mention_count_once(
    profiles: MongoProfiles, mongo_db: Database
) -> None:
    results = await asyncio.gather(
        *(profiles.record(ingested(1, author="ann")) for _ in range(5)), return_exceptions=True
    )
    assert any(not isinstance(r, BaseException) and r.first_time for r in results)
    doc = await profiles.get(profile_id_for("x:ann"))
    assert doc is not None
    assert doc["mention_count"] == 1
    assert await mongo_db["history"].count_documents({}) == 1
