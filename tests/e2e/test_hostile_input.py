"""Input that once got a 500 (issue 13) gets a 4xx with a reason and changes nothing; a request
without the right token is refused before its body is read; a replayed webhook stays a replay
however its signature is spelled."""

import json
import time
from uuid import uuid4

import httpx
import pytest

from ingest.signatures import sign
from rapport.mongo import Database
from rapport.testing import unique
from tests.support import WEBHOOK_SECRETS, Platform, mention, negative

pytestmark = pytest.mark.e2e
FORUM_SECRET = json.loads(WEBHOOK_SECRETS["RAPPORT_WEBHOOK_SECRETS"])["forum"]
YEAR_ONE = "0001-01-01T00:00:00+00:00"


def refused(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.json()["detail"]


async def counts(db: Database) -> dict[str, int]:
    return {name: await db[name].count_documents({}) for name in await db.list_collection_names()}


async def test_a_routing_rule_with_an_int_mongodb_cannot_store_is_422(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    rule = {"order": 5, "conditions": {"min_followers": 2**63}, "queue": "pr"}
    before = await counts(dbs["responder"])
    response = await http.put(
        f"{platform.url('responder')}/v1/routing-rules/{uuid4()}",
        json=rule,
        headers=platform.token("supervisor"),
    )
    refused(response, 422)
    assert await counts(dbs["responder"]) == before


@pytest.mark.parametrize("route", ["/v1/handoff", "/v1/dashboard"])
@pytest.mark.parametrize("bound", ["since", "until"])
async def test_year_one_in_a_range_is_422(
    http: httpx.AsyncClient, platform: Platform, route: str, bound: str
) -> None:
    response = await http.get(
        platform.url("responder") + route,
        params={bound: YEAR_ONE},
        headers=platform.token("agent"),
    )
    refused(response, 422)
    assert response.json()["detail"][0]["loc"] == ["query", bound]


def generic_headers(body: bytes, timestamp: str) -> dict[str, str]:
    signature = sign(FORUM_SECRET, f"{timestamp}.".encode() + body, "hex")
    return {
        "content-type": "application/json",
        "X-Rapport-Timestamp": timestamp,
        "X-Rapport-Signature": signature,
    }


async def test_an_oversized_webhook_timestamp_is_401_with_the_reason(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    body = json.dumps({"mentions": []}).encode()
    headers = generic_headers(body, "9" * 5000)
    response = await http.post(
        f"{platform.url('ingest')}/v1/webhooks/generic/forum", content=body, headers=headers
    )
    refused(response, 401)
    assert "X-Rapport-Timestamp" in response.json()["detail"]


async def test_whitespace_in_a_signature_does_not_make_a_replay_new(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    external_id = unique("forum")
    item = mention(external_id, unique("a"), negative())
    body = json.dumps({"mentions": [{**item, "platform": "forum"}]}).encode()
    headers = generic_headers(body, str(int(time.time())))
    url = f"{platform.url('ingest')}/v1/webhooks/generic/forum"
    assert (await http.post(url, content=body, headers=headers)).status_code == 202
    signature = headers["X-Rapport-Signature"]
    for spelled in (signature.replace("=", "= "), signature[:20] + " " + signature[20:]):
        again = await http.post(
            url, content=body, headers={**headers, "X-Rapport-Signature": spelled}
        )
        assert again.status_code in (401, 409), again.text
    stored = await dbs["ingest"]["mentions"].count_documents({"mention.external_id": external_id})
    assert stored == 1


@pytest.mark.parametrize(
    ("name", "body", "content_type"),
    [
        ("utf-16-header", "external_id,author_id,text,created_at\n".encode("utf-16"), "text/csv"),
        ("deep-json", b"[" * 100_000 + b"]" * 100_000 + b"\n", "application/x-ndjson"),
        ("4300-digits", b'{"external_id": ' + b"9" * 4301 + b"}\n", "application/x-ndjson"),
    ],
)
async def test_hostile_import_files_are_refused_with_a_reason(
    http: httpx.AsyncClient,
    platform: Platform,
    dbs: dict[str, Database],
    name: str,
    body: bytes,
    content_type: str,
) -> None:
    kind = "csv" if content_type == "text/csv" else "jsonl"
    mentions = await dbs["ingest"]["mentions"].count_documents({})
    response = await http.post(
        f"{platform.url('ingest')}/v1/imports",
        params={"format": kind, "platform": "x"},
        content=body,
        headers={**platform.token("integration"), "content-type": content_type},
    )
    assert response.status_code in (201, 422), response.text
    if response.status_code == 201:  # the file is taken, its bad row rejected with the reason
        assert response.json()["rejected"] == 1, response.text
        assert response.json()["errors"][0]["reason"]
    else:
        assert response.json()["detail"]
    assert await dbs["ingest"]["mentions"].count_documents({}) == mentions


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"mentions": [' + b"[" * 50_000, "application/json"),
        (b"x" * 3_000_000, "application/json"),
        (b"a,b\n1,2\n", "text/csv"),
    ],
    ids=["malformed", "huge", "wrong-type"],
)
@pytest.mark.parametrize("token", ["none", "wrong-scope"])
async def test_authentication_comes_before_the_body(
    http: httpx.AsyncClient, platform: Platform, body: bytes, content_type: str, token: str
) -> None:
    auth = platform.token("agent") if token == "wrong-scope" else {}
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        content=body,
        headers={**auth, "content-type": content_type},
    )
    refused(response, 403 if auth else 401)
