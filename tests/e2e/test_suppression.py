"""The erasure suppression list across the platform: once a person is erased, their old posts
(re-posted, re-imported, or still on Kafka from before the erasure) store nothing about them in
any service; a post made after the erasure is a new contact."""

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from rapport.events import (
    CaseChanged,
    Event,
    Mention,
    MentionEnriched,
    MentionIngested,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.events.examples import AT, examples
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.testing import eventually, unique
from tests.e2e.test_privacy import KEPT, ask, everywhere, holding, privacy_answer
from tests.support import WAIT_S, Platform, caught_up, mention, negative, positive, profile_id

pytestmark = pytest.mark.e2e


async def post(
    http: httpx.AsyncClient, platform: Platform, posts: list[dict[str, Any]]
) -> dict[str, Any]:
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={"mentions": posts},
        headers=platform.token("integration"),
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def erased_person(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> tuple[str, list[dict[str, Any]]]:
    """Someone every service knew (a case, points), then erased: (author, their posts)."""
    author = unique("gone")
    posts = [mention(unique("m"), author, negative()), mention(unique("m"), author, positive())]
    await post(http, platform, posts)
    person = profile_id(author)
    await eventually(partial(everywhere, dbs, person), timeout_s=WAIT_S)
    await ask(http, platform, person, "erase")
    return author, posts


async def nothing_about(dbs: dict[str, Database], author: str) -> None:
    """No document in any service names the author, their handle or their profile id (but
    the request records and privacy answers the erasure keeps)."""
    named = await holding(dbs, author, f"h_{author}")
    by_id = await holding(dbs, str(profile_id(author)), skip=privacy_answer)
    kept = [where for where in by_id if tuple(where.split(":")[0].split(".")) in KEPT]
    assert sorted({*named, *by_id} - set(kept)) == []


async def test_re_posting_an_erased_persons_old_posts_stores_nothing_about_them(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    author, posts = await erased_person(http, platform, dbs)

    body = await post(http, platform, posts)

    assert (body["accepted"], body["suppressed"]) == (0, 2)
    assert [r["status"] for r in body["results"]] == ["suppressed", "suppressed"]
    await nothing_about(dbs, author)


async def test_re_importing_an_erased_persons_old_post_reports_it_suppressed_and_stores_nothing(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    author, posts = await erased_person(http, platform, dbs)
    bystander = mention(unique("m"), unique("stays"), positive())
    jsonl = "".join(json.dumps(row) + "\n" for row in [posts[0], bystander])

    response = await http.post(
        f"{platform.url('ingest')}/v1/imports",
        params={"format": "jsonl"},
        content=jsonl.encode(),
        headers={**platform.token("integration"), "Content-Type": "application/x-ndjson"},
    )

    assert response.status_code == 201, response.text
    progress = response.json()
    assert (progress["read"], progress["accepted"], progress["suppressed"]) == (2, 1, 1)
    assert progress["rejected"] == 0
    await nothing_about(dbs, author)


async def test_what_is_still_on_kafka_from_before_the_erasure_stores_nothing(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    """profiles, responder and loyalty meet what was said and done before the erasure: mentions
    profiles had not reached yet and their enriched form (a complaint and praise), a profile's
    change and a resolved case: each skips them."""
    author, posts = await erased_person(http, platform, dbs)
    said_before = posts[0]["created_at"]  # before the erasure
    records = about_the_profile(profile_id(author))
    for text, score in ((negative(), -0.9), (positive(), 0.9)):
        label = "negative" if score < 0 else "positive"
        sentiment = {"score": score, "label": label}
        said = mention(unique("m"), author, text, created_at=said_before)
        old = Mention.model_validate({**said, "sentiment": sentiment})
        ingested = MentionIngested.of(old)
        snapshot = ProfileSnapshot(
            profile_id=profile_id(author),
            stage=RelationshipStage.FAN,
            mention_count=3,
            first_seen=old.created_at,
            last_seen=old.created_at,
        )
        records.append(("social.mentions", old.author_key, ingested))
        enriched = MentionEnriched.of(ingested, snapshot)
        records.append(("social.mentions.enriched", old.author_key, enriched))
    producer = EventProducer(platform.kafka)
    await producer.start()
    try:
        await producer.publish_all(records)
    finally:
        await producer.stop()

    for group, topic in [
        ("profiles", "social.mentions"),
        ("profiles", "care.cases"),
        ("responder", "social.mentions.enriched"),
        ("responder", "crm.profiles"),
        ("loyalty", "social.mentions.enriched"),
        ("loyalty", "crm.profiles"),
        ("loyalty", "care.cases"),
    ]:
        await eventually(partial(caught_up, platform.kafka, group, topic), timeout_s=WAIT_S)
    await nothing_about(dbs, author)


def about_the_profile(person: UUID) -> list[tuple[str, str, Event]]:
    """A profile change and a resolved case from before the erasure, keyed by the profile id."""
    by_type = {type(e): e for e in examples()}
    changed = by_type[ProfileChanged]
    profile = changed.payload.profile.model_copy(update={"profile_id": person})
    change = changed.payload.model_copy(update={"profile": profile})
    resolved = by_type[CaseChanged]
    case = resolved.payload.model_copy(update={"profile_id": person, "case_id": uuid4()})
    return [
        ("crm.profiles", str(person), changed.model_copy(update=before(change))),
        ("care.cases", str(person), resolved.model_copy(update=before(case))),
    ]


def before(payload: Any) -> dict[str, Any]:
    """A new event id, the payload, and a time before the erasure."""
    return {"event_id": uuid4(), "occurred_at": AT, "payload": payload}


async def test_a_post_made_after_the_erasure_is_a_new_contact(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    author, posts = await erased_person(http, platform, dbs)
    now = datetime.now(UTC).isoformat()
    new = mention(unique("m"), author, negative(), created_at=now)

    body = await post(http, platform, [posts[0], new])

    assert [r["status"] for r in body["results"]] == ["suppressed", "accepted"]
    person = profile_id(author)

    async def known_again() -> bool:
        return await dbs["responder"]["cases"].count_documents({"profile_id": person}) == 1

    await eventually(known_again, timeout_s=WAIT_S)
    profile = await dbs["profiles"]["profiles"].find_one({"_id": person})
    assert profile is not None
    assert profile["mention_count"] == 1
    history = await dbs["profiles"]["history"].find({"profile_id": person}).to_list()
    assert [h["mention"]["external_id"] for h in history] == [new["external_id"]]
    assert await holding(dbs, posts[0]["external_id"], posts[1]["external_id"]) == []
