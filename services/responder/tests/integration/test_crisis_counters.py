"""Crisis windows as rolling counters: the same counts as aggregating the counted mentions,
each mention counted once, against the real database."""

import asyncio
import random
from typing import Any
from uuid import UUID

import pytest

from rapport.mongo import Database, Document
from responder.adapters.alert_store import MongoAlerts
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.handlers import on_mention_enriched
from responder.ports import Ports

from .conftest import enriched

pytestmark = pytest.mark.integration

SUBJECTS = ["all", "intent:complaint", "intent:billing", "keyword:outage"]


async def aggregated(db: Database, subjects: list[str], first: int, last: int) -> dict[str, Any]:
    """Distinct authors per subject and bucket, straight from the counted mentions."""
    pipeline: list[Document] = [
        {"$match": {"subjects": {"$in": subjects}, "bucket": {"$gte": first, "$lte": last}}},
        {"$unwind": "$subjects"},
        {"$match": {"subjects": {"$in": subjects}}},
        {
            "$group": {
                "_id": {"subject": "$subjects", "bucket": "$bucket"},
                "authors": {"$addToSet": "$author"},
            }
        },
    ]
    found: dict[str, dict[int, int]] = {subject: {} for subject in subjects}
    for row in await (await db["negatives"].aggregate(pipeline)).to_list():
        found[row["_id"]["subject"]][row["_id"]["bucket"]] = len(row["authors"])
    return found


async def test_counters_equal_the_aggregation_of_the_counted_mentions(mongo_db: Database) -> None:
    alerts = MongoAlerts(mongo_db)
    pick = random.Random(12)
    negatives = [
        (
            UUID(int=n + 1),
            f"x:a{pick.randrange(40)}",  # authors repeat within and across buckets
            ["all", *pick.sample(SUBJECTS[1:], pick.randrange(4))],
            100 + pick.randrange(6),
        )
        for n in range(300)
    ]
    for start in range(0, len(negatives), 30):  # concurrently: one author's mentions race
        batch = negatives[start : start + 30]
        await asyncio.gather(*(alerts.count_negative(m, a, None, s, b) for m, a, s, b in batch))
    expected = await aggregated(mongo_db, SUBJECTS, 100, 105)
    assert await alerts.counts(SUBJECTS, 100, 105) == expected
    assert sum(expected["all"].values()) > len(expected["all"])  # buckets of several authors
    assert await alerts.counts(["all"], 101, 102) == {
        "all": {b: n for b, n in expected["all"].items() if 101 <= b <= 102}
    }


async def test_a_redelivered_mention_counts_once(ports: Ports, mongo_db: Database) -> None:
    alerts, health = MongoAlerts(mongo_db), MongoBrandHealth(mongo_db)
    bucket = ports.spikes.bucket_of(enriched(1).payload.mention.created_at)
    first = enriched(1, author="c1", intents=["complaint"], score=-0.8)
    for _ in range(3):
        await on_mention_enriched(first, ports=ports, alerts=alerts, health=health)
    assert not await alerts.count_negative(
        first.payload.mention_event_id, "x:c1", None, ["all"], bucket
    )
    counts = await alerts.counts(["all", "intent:complaint"], bucket, bucket)
    assert counts == {"all": {bucket: 1}, "intent:complaint": {bucket: 1}}
    again = enriched(2, author="c1", intents=["complaint"], score=-0.8)  # same author, same bucket
    await on_mention_enriched(again, ports=ports, alerts=alerts, health=health)
    assert await alerts.counts(["all"], bucket, bucket) == {"all": {bucket: 1}}


async def test_erasing_the_counted_mentions_keeps_the_anonymous_counts(
    mongo_db: Database,
) -> None:
    alerts = MongoAlerts(mongo_db)
    for n in range(1, 4):
        await alerts.count_negative(UUID(int=n), f"x:c{n}", None, ["all"], 7)
    await mongo_db["negatives"].delete_many({"author": "x:c1"})  # what erasure deletes
    assert await alerts.counts(["all"], 7, 7) == {"all": {7: 3}}
    for doc in await mongo_db["negative_counts"].find().to_list():
        assert set(doc) == {"_id", "subject", "bucket", "n"}
