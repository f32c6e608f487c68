"""What the dashboard reads: one fact per customer mention (kept once per mention id) and a
daily sample of how many fans and evangelists there are. Erasure takes the person's profile
id off their facts; the anonymous counts stay.

The profile id is kept as a string: MongoDB 6.0 groups UUID (binData) keys about 60 times
slower than strings (20 000 authors: 9.6 s against 0.15 s), and the top voices group by it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pymongo import ASCENDING, IndexModel, UpdateOne

from rapport.events import EnrichedMention
from rapport.mongo import Database, Document
from responder.domain.brand_health import StageCounts, Tally, Unit, is_advocacy, truncate

INDEXES = {
    "mention_facts": [
        IndexModel([("at", ASCENDING)]),
        IndexModel("profile_id", partialFilterExpression={"profile_id": {"$type": "string"}}),
    ],
    "stage_counts": [IndexModel([("day", ASCENDING)])],
}


@dataclass(frozen=True)
class Voice:
    profile_id: UUID
    mentions: int
    last_at: datetime


class MongoBrandHealth:
    def __init__(self, db: Database) -> None:
        self._facts = db["mention_facts"]
        self._stages = db["stage_counts"]

    async def record(self, enriched: EnrichedMention) -> None:
        await self.record_all([enriched])

    async def record_all(self, mentions: Sequence[EnrichedMention]) -> None:
        """Keep each mention's fact once (a repeat leaves it as it is), in one round trip."""
        if mentions:
            await self._facts.bulk_write([_fact(e) for e in mentions], ordered=False)

    async def tallies(self, since: datetime, until: datetime, unit: Unit) -> dict[datetime, Tally]:
        """Per bucket of ``unit`` in [since, until): counts by sentiment, and advocacy."""
        bucket = {"$dateTrunc": {"date": "$at", "unit": unit}}
        pipeline: list[Document] = [
            {"$match": {"at": {"$gte": since, "$lt": until}}},
            {
                "$group": {
                    "_id": {"start": bucket, "sentiment": "$sentiment"},
                    "n": {"$sum": 1},
                    "advocacy": {"$sum": {"$cond": ["$advocacy", 1, 0]}},
                }
            },
        ]
        counts: dict[datetime, dict[str, int]] = {}
        for row in await (await self._facts.aggregate(pipeline)).to_list():
            start = truncate(row["_id"]["start"], unit)
            slot = counts.setdefault(start, {"advocacy": 0})
            slot[row["_id"]["sentiment"]] = row["n"]
            slot["advocacy"] += row["advocacy"]
        return {start: Tally(**slot) for start, slot in counts.items()}

    async def top(
        self, since: datetime, until: datetime, match: Document, limit: int
    ) -> list[Voice]:
        """The people with the most facts matching ``match`` in the range, most first."""
        pipeline: list[Document] = [
            {"$match": {"at": {"$gte": since, "$lt": until}, **match}},
            {"$group": {"_id": "$profile_id", "mentions": {"$sum": 1}, "last_at": {"$max": "$at"}}},
            {"$match": {"_id": {"$ne": None}}},  # anonymised (erased) facts
            {"$sort": {"mentions": -1, "last_at": -1, "_id": 1}},
            {"$limit": limit},
        ]
        rows = await (await self._facts.aggregate(pipeline)).to_list()
        return [Voice(UUID(row["_id"]), row["mentions"], row["last_at"]) for row in rows]

    async def sample_stages(self, at: datetime, counts: StageCounts) -> None:
        """Keep today's count of fans and evangelists (the last sample of a day stands)."""
        day = truncate(at, "day")
        fans, evangelists = counts
        sample = {"day": day, "fans": fans, "evangelists": evangelists, "taken_at": at}
        await self._stages.update_one(
            {"_id": day.date().isoformat()}, {"$set": sample}, upsert=True
        )

    async def stage_samples(self, until: datetime) -> list[tuple[datetime, StageCounts]]:
        cursor = self._stages.find({"day": {"$lt": until}}).sort("day", ASCENDING)
        return [(doc["day"], (doc["fans"], doc["evangelists"])) for doc in await cursor.to_list()]

    async def anonymise(self, profile_ids: list[UUID]) -> int:
        changed = await self._facts.update_many(
            {"profile_id": {"$in": [str(p) for p in profile_ids]}},
            {"$unset": {"profile_id": "", "stage": ""}},
        )
        return changed.modified_count


def _fact(enriched: EnrichedMention) -> UpdateOne:
    mention = enriched.mention
    fact = {
        "at": mention.created_at,
        "sentiment": mention.sentiment.label.value,
        "advocacy": is_advocacy(mention),
        "profile_id": str(enriched.profile.profile_id),
        "stage": enriched.profile.stage.value,
    }
    return UpdateOne({"_id": enriched.mention_event_id}, {"$setOnInsert": fact}, upsert=True)
