"""ingest in-process against the real database and broker: 202 means archived and on Kafka."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ingest.adapters.archive_store import MongoArchive
from ingest.domain.normalize import MentionIn
from ingest.settings import IngestSettings
from ingest.use_cases.intake import BrandAccounts, provisional
from rapport.events import MentionIngested, Source
from rapport.events.codec import DecodeError, decode
from rapport.mongo import Database
from rapport.testing import read_topic, unique
from services.ingest.tests.integration.analysis_stage import analysed, in_outbox

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings: dict[str, Any], serve: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(IngestSettings(**settings), scopes=["integration"]) as http:
        yield http


def mention(external_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "platform": "x",
        "external_id": external_id,
        "author": {"id": "ann"},
        "text": "Brightloop grinder is broken",
        "created_at": "2026-11-20T09:00:00Z",
        **fields,
    }


async def test_an_accepted_mention_is_archived_and_published(
    client: httpx.AsyncClient, mongo_db: Database, kafka_bootstrap: str
) -> None:
    external_id = unique("m")
    response = await client.post("/v1/mentions", json=mention(external_id))
    assert response.status_code == 202
    assert response.json()["results"] == [
        {"platform": "x", "external_id": external_id, "status": "accepted"}
    ]
    assert (await analysed(mongo_db, f"x:{external_id}"))["sentiment"]["label"] == "negative"
    archived = await mongo_db["mentions"].find_one({"_id": f"x:{external_id}"})
    assert archived is not None

    def ours(record: Any) -> bool:
        try:
            event = decode(record.value, (MentionIngested,))
        except DecodeError:  # other tests dead-letter garbage through this topic
            return False
        return bool(event.payload.external_id == external_id)

    records = await read_topic(
        kafka_bootstrap, "social.mentions", until=lambda rs: any(ours(r) for r in rs)
    )
    (record,) = [r for r in records if ours(r)]
    assert record.key == b"x:ann"
    assert str(decode(record.value, (MentionIngested,)).event_id) == archived["event_id"]


async def test_exact_duplicates_are_reported_and_stored_once(
    client: httpx.AsyncClient, mongo_db: Database
) -> None:
    first, second = unique("m"), unique("m")
    response = await client.post(
        "/v1/mentions",
        json={"mentions": [mention(first), mention(first), mention(second)]},
    )
    assert [r["status"] for r in response.json()["results"]] == [
        "accepted",
        "duplicate",
        "accepted",
    ]
    again = await client.post("/v1/mentions", json=mention(first))
    assert again.json() == {
        "accepted": 0,
        "duplicates": 1,
        "suppressed": 0,
        "results": [{"platform": "x", "external_id": first, "status": "duplicate"}],
    }
    assert await mongo_db["mentions"].count_documents({}) == 2
    await in_outbox(mongo_db, 2)


async def test_a_bad_mention_in_a_batch_rejects_the_batch(
    client: httpx.AsyncClient, mongo_db: Database
) -> None:
    response = await client.post(
        "/v1/mentions",
        json={"mentions": [mention(unique("m")), mention(unique("m"), platform="fax")]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "platform"
    assert await mongo_db["mentions"].count_documents({}) == 0


NO_BRAND = BrandAccounts([])


async def test_concurrent_requests_store_each_mention_once(mongo_db: Database) -> None:
    archive = MongoArchive(mongo_db)
    ids = [unique("m") for _ in range(5)]
    mentions = [
        provisional(MentionIn.model_validate(mention(i)), brand=NO_BRAND, source=Source.API)
        for i in ids
    ]
    results = await asyncio.gather(*(archive.accept(mentions) for _ in range(4)))
    assert [sum(column) for column in zip(*results, strict=True)] == [1] * 5
    assert await mongo_db["mentions"].count_documents({"pending": True}) == 5


@pytest.mark.parametrize(("engine", "label"), [("encoder", "positive"), ("lexicon", "neutral")])
async def test_the_sentiment_engine_is_a_setting(
    settings: dict[str, Any], serve: Any, mongo_db: Database, engine: str, label: str
) -> None:
    external_id = unique("m")
    text = "Me encanta la nueva cafetera, gracias"  # VADER's lexicon has no Spanish words
    ingest = IngestSettings(**settings, sentiment_engine=engine)
    async with serve(ingest, scopes=["integration"]) as http:
        response = await http.post("/v1/mentions", json=mention(external_id, text=text))
        assert response.status_code == 202
        assert (await analysed(mongo_db, f"x:{external_id}"))["sentiment"]["label"] == label
