"""ingest's own routes under the shared rate limits: webhooks by source (and address), mentions
by token; a refused request stores nothing. Day-long windows: a test never outlives one."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ingest.settings import IngestSettings
from rapport.mongo import Database
from rapport.testing import UNTHROTTLED, token_keys, unique
from services.ingest.tests.integration.test_webhooks import (
    SECRETS,
    counts,
    fixture,
    generic_post,
    x_post,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings: dict[str, Any], serve: Any) -> AsyncIterator[httpx.AsyncClient]:
    limits = {"rate_limit_webhooks": "2/day", "rate_limit_writes": "1/day"}
    async with serve(IngestSettings(**settings, **SECRETS, **(UNTHROTTLED | limits))) as http:
        yield http


def mention() -> dict[str, Any]:
    return {
        "platform": "x",
        "external_id": unique("m"),
        "author": {"id": "u-1", "handle": "dana"},
        "text": "My Brightloop is great",
        "created_at": "2026-11-20T09:00:00Z",
    }


def review() -> dict[str, Any]:
    return {**mention(), "platform": "forum"}


async def test_each_webhook_source_has_its_own_limit(
    client: httpx.AsyncClient, mongo_db: Database
) -> None:
    delivery = fixture("x_tweet_create_events.json")
    x = [(await client.post("/v1/webhooks/x", **x_post(delivery))).status_code for _ in range(2)]
    assert x == [200, 200]
    before = await counts(mongo_db)
    refused = await client.post("/v1/webhooks/x", **x_post(delivery))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "webhooks limit per webhook source" in refused.json()["detail"]
    crc = await client.get("/v1/webhooks/x", params={"crc_token": "c"})
    assert crc.status_code == 429  # the CRC check is X's webhook too
    assert await counts(mongo_db) == before
    forum = await client.post(
        "/v1/webhooks/generic/forum", **generic_post({"mentions": [review()]})
    )
    assert forum.status_code == 202


async def test_a_token_past_its_writes_limit_stores_nothing_and_another_token_posts(
    client: httpx.AsyncClient, mongo_db: Database
) -> None:
    crm, shop = (token_keys().bearer("integration", subject=s) for s in ("crm", "shop"))
    posted = await client.post("/v1/mentions", json={"mentions": [mention()]}, headers=crm)
    assert posted.status_code == 202
    refused = await client.post("/v1/mentions", json={"mentions": [mention()]}, headers=crm)
    assert refused.status_code == 429
    assert "writes limit per token" in refused.json()["detail"]
    assert await mongo_db["mentions"].count_documents({}) == 1
    other = await client.post("/v1/mentions", json={"mentions": [mention()]}, headers=shop)
    assert other.status_code == 202


async def test_the_document_gives_every_operation_its_429(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            throttled = operation["responses"].get("429")
            assert throttled, f"{method} {path} does not document 429"
            assert "Retry-After" in throttled["headers"]
    webhook = document["paths"]["/v1/webhooks/x"]["post"]["responses"]["429"]
    assert "2 per 1 day per webhook source" in webhook["description"]
