"""ingest's part of a privacy request: the person's mentions exported, then erased everywhere."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ingest.personal_data import IngestPersonalData
from ingest.settings import IngestSettings
from rapport.clock import utcnow
from rapport.events import (
    PrivacyCompleted,
    PrivacyRequest,
    PrivacyRequested,
    SocialIdentity,
)
from rapport.events.codec import DecodeError, decode
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.privacy import PRIVACY_TOPIC
from rapport.testing import read_topic, reference, token_keys, unique
from services.ingest.tests.integration.analysis_stage import in_outbox

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings: dict[str, Any], serve: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(IngestSettings(**settings), scopes=["integration"]) as http:
        yield http


def mention(author: str, handle: str) -> dict[str, Any]:
    return {
        "platform": "x",
        "external_id": unique("m"),
        "author": {"id": author, "handle": handle, "display_name": "Jo Privacy"},
        "text": f"Brightloop please help me with my order {reference()}",
        "created_at": "2026-11-20T09:00:00Z",
    }


def request_for(kind: str, author: str) -> PrivacyRequest:
    return PrivacyRequest.model_validate(
        {
            "request_id": uuid.uuid4(),
            "kind": kind,
            "profile_id": uuid.uuid4(),
            "identities": [SocialIdentity(platform="x", author_id=author)],
            "requested_at": utcnow(),
        }
    )


async def ask(kafka_bootstrap: str, kind: str, author: str) -> PrivacyCompleted:
    request = request_for(kind, author)
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    try:
        await producer.publish(PRIVACY_TOPIC, str(request.profile_id), PrivacyRequested.of(request))
    finally:
        await producer.stop()

    def answer(record: Any) -> PrivacyCompleted | None:
        try:
            event = decode(record.value, (PrivacyCompleted,))
        except DecodeError:
            return None
        assert isinstance(event, PrivacyCompleted)
        return event if event.payload.request_id == request.request_id else None

    records = await read_topic(
        kafka_bootstrap, PRIVACY_TOPIC, until=lambda rs: any(answer(r) for r in rs)
    )
    (completed,) = [event for r in records if (event := answer(r))]
    return completed


async def holding(db: Database, *needles: str) -> list[str]:
    """Every document, in any collection, whose content names one of ``needles``."""
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find():
            text = json.dumps(doc, default=str) + repr(doc)
            if any(needle in text for needle in needles):
                found.append(f"{name}:{doc['_id']}")
    return found


async def test_an_export_returns_the_persons_mentions_and_only_theirs(
    client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    author, other = unique("jo"), unique("sam")
    for body in (mention(author, "jo_p"), mention(author, "jo_p"), mention(other, "sam")):
        assert (await client.post("/v1/mentions", json=body)).status_code == 202

    completed = await ask(kafka_bootstrap, "export", author)

    assert (completed.payload.service, completed.payload.documents) == ("ingest", 2)
    assert completed.payload.export_path is not None
    assert author not in completed.model_dump_json()
    privacy = token_keys().bearer("privacy", audience=["ingest"])
    fetched = await client.get(completed.payload.export_path, headers=privacy)
    assert fetched.status_code == 200, fetched.text
    authors = {m["mention"]["author"]["id"] for m in fetched.json()["parts"]["mentions"]}
    assert authors == {author}


async def test_an_erasure_leaves_no_document_naming_the_person_and_keeps_others(
    client: httpx.AsyncClient, kafka_bootstrap: str, mongo_db: Database
) -> None:
    author, other = unique("jo"), unique("sam")
    for body in (mention(author, "jo_p"), mention(author, "jo_p"), mention(other, "sam")):
        assert (await client.post("/v1/mentions", json=body)).status_code == 202
    assert await holding(mongo_db, author)
    await in_outbox(mongo_db, 3)

    completed = await ask(kafka_bootstrap, "erase", author)

    assert completed.payload.kind == "erase"
    assert completed.payload.documents >= 4  # two mentions and their two outbox events
    assert await holding(mongo_db, author) == []
    assert await holding(mongo_db, other) != []


async def test_an_erasure_of_someone_ingest_never_saw_confirms_nothing_erased(
    client: httpx.AsyncClient, kafka_bootstrap: str, mongo_db: Database
) -> None:
    before = await mongo_db["mentions"].count_documents({})
    completed = await ask(kafka_bootstrap, "erase", unique("nobody"))
    assert completed.payload.documents == 0
    assert await mongo_db["mentions"].count_documents({}) == before


async def test_an_erasure_removes_rejected_import_rows_that_name_the_person(
    mongo_db: Database,
) -> None:
    author = unique("jo")
    await mongo_db["imports"].insert_one(
        {
            "_id": "imp-1",
            "errors": [
                {"row": 2, "line": f"17,{author},True,not a date,help", "reason": "created_at"},
                {"row": 3, "line": "18,someone_else,True,not a date,hi", "reason": "created_at"},
            ],
        }
    )
    request = request_for("erase", author)

    assert await IngestPersonalData(mongo_db).erase(request) == 1

    doc = await mongo_db["imports"].find_one({"_id": "imp-1"})
    assert doc is not None
    assert [error["row"] for error in doc["errors"]] == [3]
