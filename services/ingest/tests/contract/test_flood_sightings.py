"""One contract for ``FloodSightings``, run against the in-memory fake and MongoDB."""

from datetime import timedelta

import pytest

from ingest.adapters.flood_store import INDEXES, MongoFloodSightings
from ingest.fakes import FakeFloodSightings
from ingest.ports import FloodSightings, Sighting
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database, ensure_indexes

pytestmark = pytest.mark.integration


def at(minutes: int) -> Sighting:
    return Sighting("fp", "x:ann", BASE_TIME + timedelta(minutes=minutes))


class FloodSightingsContract:
    async def test_each_author_counts_once_at_the_latest_time_they_posted_it(
        self, sightings: FloodSightings
    ) -> None:
        await sightings.record([at(5), Sighting("fp", "x:bob", BASE_TIME)])
        await sightings.record([at(3), Sighting("other", "x:cy", BASE_TIME)])

        seen = await sightings.seen({"fp"}, BASE_TIME, BASE_TIME + timedelta(hours=1))

        assert seen == {"fp": [BASE_TIME, BASE_TIME + timedelta(minutes=5)]}

    async def test_only_sightings_between_since_and_until_are_seen(
        self, sightings: FloodSightings
    ) -> None:
        await sightings.record([at(0), Sighting("fp", "x:bob", BASE_TIME + timedelta(hours=2))])

        seen = await sightings.seen(
            {"fp", "none"}, BASE_TIME + timedelta(hours=1), BASE_TIME + timedelta(hours=3)
        )

        assert seen == {"fp": [BASE_TIME + timedelta(hours=2)]}


class TestFakeFloodSightings(FloodSightingsContract):
    @pytest.fixture
    def sightings(self) -> FakeFloodSightings:
        return FakeFloodSightings()


class TestMongoFloodSightings(FloodSightingsContract):
    @pytest.fixture
    async def sightings(self, mongo_db: Database) -> MongoFloodSightings:
        await ensure_indexes(mongo_db, INDEXES)
        return MongoFloodSightings(mongo_db, keep=timedelta(minutes=10))
