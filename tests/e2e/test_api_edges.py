"""Every service refuses what it should, with a clear 4xx, and changes nothing."""

from uuid import uuid4

import httpx
import pytest

from rapport.mongo import Database
from rapport.testing import unique
from tests.support import Platform, mention, negative

pytestmark = pytest.mark.e2e

READS = {
    "profiles": f"/v1/profiles/{uuid4()}",
    "responder": "/v1/cases",
    "loyalty": f"/v1/members/{uuid4()}",
}


async def counts(dbs: dict[str, Database]) -> dict[str, int]:
    """ingest's documents: a refused request stores nothing, so nothing flows downstream."""
    db = dbs["ingest"]
    return {name: await db[name].count_documents({}) for name in await db.list_collection_names()}


@pytest.mark.parametrize(
    ("headers", "body", "content_type", "status"),
    [
        ({}, "ok", "application/json", 401),
        ({"Authorization": "Bearer forged.token.here"}, "ok", "application/json", 401),
        ("agent", "ok", "application/json", 403),
        ("integration", "unknown-field", "application/json", 422),
        ("integration", "malformed", "application/json", 422),
        ("integration", "ok", "text/csv", 415),
        ("integration", "huge", "application/json", 413),
    ],
)
async def test_bad_requests_to_ingest_change_nothing(
    http: httpx.AsyncClient,
    platform: Platform,
    dbs: dict[str, Database],
    headers: dict[str, str] | str,
    body: str,
    content_type: str,
    status: int,
) -> None:
    good = mention(unique("m"), unique("a"), negative())
    content = {
        "ok": httpx.Request("POST", "/", json=good).content,
        "unknown-field": httpx.Request("POST", "/", json={**good, "mood": "x"}).content,
        "malformed": b'{"platform": "x",',
        "huge": httpx.Request("POST", "/", json={**good, "text": "x" * 2_000_000}).content,
    }[body]
    auth = platform.token(headers) if isinstance(headers, str) else headers
    before = await counts(dbs)
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        content=content,
        headers={**auth, "content-type": content_type},
    )
    assert response.status_code == status
    assert response.json()["detail"]
    assert await counts(dbs) == before


@pytest.mark.parametrize("service", sorted(READS))
async def test_reads_need_a_token_with_the_scope(
    http: httpx.AsyncClient, platform: Platform, service: str
) -> None:
    url = platform.url(service) + READS[service]
    assert (await http.get(url)).status_code == 401
    assert (await http.get(url, headers=platform.token("privacy"))).status_code == 403


@pytest.mark.parametrize("service", ["profiles", "loyalty"])
async def test_unknown_ids_are_404_and_malformed_ids_422(
    http: httpx.AsyncClient, platform: Platform, service: str
) -> None:
    url = platform.url(service) + READS[service]
    assert (await http.get(url, headers=platform.token("agent"))).status_code == 404
    malformed = url.rsplit("/", 1)[0] + "/not-a-uuid"
    response = await http.get(malformed, headers=platform.token("agent"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "path"


async def test_case_listing_rejects_bad_filters(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    url = platform.url("responder") + "/v1/cases"
    for params in ({"limit": "0"}, {"limit": "1000"}, {"state": "lost"}, {"profile_id": "x"}):
        response = await http.get(url, params=params, headers=platform.token("agent"))
        assert response.status_code == 422, params
