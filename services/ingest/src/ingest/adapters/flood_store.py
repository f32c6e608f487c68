"""Flood sightings in MongoDB (``ingest.ports.FloodSightings``): one document per (fingerprint,
author), upserted atomically and dropped by a TTL index once its window has passed."""

from collections.abc import Collection
from datetime import datetime, timedelta

from pymongo import IndexModel, UpdateOne

from ingest.ports import Sighting
from rapport.clock import utcnow
from rapport.mongo import Database

COLLECTION = "flood_fingerprints"
INDEXES = {
    COLLECTION: [
        IndexModel([("fingerprint", 1), ("seen_at", 1)]),
        IndexModel("expires_at", expireAfterSeconds=0),
    ]
}


class MongoFloodSightings:
    def __init__(self, db: Database, *, keep: timedelta) -> None:
        self._seen = db[COLLECTION]
        self._keep = keep

    async def record(self, sightings: list[Sighting]) -> None:
        if not sightings:
            return
        expires_at = utcnow() + self._keep
        await self._seen.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{s.fingerprint}:{s.author_key}"},
                    {
                        "$set": {"fingerprint": s.fingerprint, "expires_at": expires_at},
                        "$max": {"seen_at": s.at},
                    },
                    upsert=True,
                )
                for s in sightings
            ],
            ordered=False,
        )

    async def seen(
        self, fingerprints: Collection[str], since: datetime, until: datetime
    ) -> dict[str, list[datetime]]:
        query = {
            "fingerprint": {"$in": sorted(fingerprints)},
            "seen_at": {"$gte": since, "$lte": until},
        }
        seen: dict[str, list[datetime]] = {}
        async for doc in self._seen.find(query, {"fingerprint": 1, "seen_at": 1}):
            seen.setdefault(doc["fingerprint"], []).append(doc["seen_at"])
        return {fp: sorted(times) for fp, times in seen.items()}
