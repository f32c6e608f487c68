"""Imports in-process against the real database: streamed files, progress, refusals."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.settings import IngestSettings
from rapport.mongo import Database
from rapport.testing import eventually, token_keys
from services.ingest.tests.integration.analysis_stage import WAIT_S, in_outbox

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).parents[1] / "fixtures"
TWCS = (FIXTURES / "twcs_small.csv").read_bytes()
CSV = {"content-type": "text/csv"}
MAX_BYTES = 4096


@pytest.fixture
async def client(settings: dict[str, Any], serve: Any) -> AsyncIterator[httpx.AsyncClient]:
    configured = IngestSettings(**settings, import_max_bytes=MAX_BYTES)
    async with serve(configured, scopes=["integration"]) as http:
        yield http


async def chunks(data: bytes, size: int = 100) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def unchanged(db: Database) -> bool:
    return all([await db[name].count_documents({}) == 0 for name in ("mentions", "imports")])


def counts(body: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(body[k] for k in ("state", "read", "accepted", "duplicate", "rejected"))


async def test_a_twcs_file_streams_in_threaded_and_its_progress_can_be_read(
    client: httpx.AsyncClient, mongo_db: Database
) -> None:
    response = await client.post("/v1/imports?format=twcs", content=chunks(TWCS), headers=CSV)
    assert response.status_code == 201, response.text
    body = response.json()
    assert counts(body) == ("completed", 21, 16, 0, 5)
    assert body["errors"][0] == {"row": 15, "line": 17, "reason": "inbound: must be True or False"}
    assert response.headers["location"] == f"/v1/imports/{body['id']}"

    async def processed() -> dict[str, Any] | None:
        progress: dict[str, Any] = (await client.get(response.headers["location"])).json()
        return progress if progress["processed"] == 16 else None

    progress = await eventually(processed, timeout_s=WAIT_S)
    assert counts(progress) == counts(body)
    assert progress["errors"] == body["errors"]
    assert progress["unanalysed"] == 0
    await in_outbox(mongo_db, 16)
    archived = {d["_id"]: d["mention"] async for d in mongo_db["mentions"].find()}
    assert len(archived) == 16
    reply = archived["x:103"]
    assert (reply["conversation_id"], reply["in_reply_to"], reply["from_brand"]) == (
        "100",
        "102",
        True,
    )
    assert (reply["source"], archived["x:102"]["from_brand"]) == ("import", False)
    assert archived["x:500"]["language"] == "ko"


async def test_importing_the_same_file_again_stores_nothing_new(
    client: httpx.AsyncClient, mongo_db: Database
) -> None:
    await client.post("/v1/imports?format=twcs", content=TWCS, headers=CSV)
    again = await client.post("/v1/imports?format=twcs", content=TWCS, headers=CSV)
    assert counts(again.json()) == ("completed", 21, 0, 16, 5)
    assert again.json()["processed"] == 0  # duplicates are not analysed again
    assert await mongo_db["mentions"].count_documents({}) == 16
    await in_outbox(mongo_db, 16)


@pytest.mark.parametrize(
    ("name", "query", "content_type", "expected"),
    [
        ("generic.csv", "format=csv&platform=forum", "text/csv; charset=utf-8", (11, 5, 6)),
        ("mentions.jsonl", "format=jsonl&platform=x", "application/x-ndjson", (7, 3, 4)),
        ("mentions.jsonl", "format=jsonl&platform=x", "application/jsonl", (7, 3, 4)),
    ],
)
async def test_generic_csv_and_jsonl(
    client: httpx.AsyncClient, name: str, query: str, content_type: str, expected: tuple[int, ...]
) -> None:
    data = (FIXTURES / name).read_bytes()
    response = await client.post(
        f"/v1/imports?{query}", content=data, headers={"content-type": content_type}
    )
    body = response.json()
    assert (body["read"], body["accepted"], body["rejected"]) == expected
    assert len(body["errors"]) == body["rejected"]


@pytest.mark.parametrize(
    ("query", "headers", "content", "status", "reason"),
    [
        ("format=twcs", {"Authorization": ""}, TWCS, 401, "missing bearer token"),
        ("format=twcs", {"Authorization": "Bearer x"}, TWCS, 401, "malformed token"),
        ("format=csv&platform=x", {"content-type": "application/json"}, TWCS, 415, "text/csv"),
        ("format=jsonl", CSV, TWCS, 415, "application/x-ndjson"),
        ("format=xml", CSV, TWCS, 422, "format"),
        ("format=twcs&platform=fax", CSV, TWCS, 422, "platform"),
        ("", CSV, TWCS, 422, "format"),
        ("format=csv", CSV, b"external_id,mood\n1,2\n", 422, "unknown columns: mood"),
        ("format=twcs", CSV, b"x" * (MAX_BYTES + 1), 413, "over 4096 bytes"),
    ],
)
async def test_refused_requests_change_nothing(
    client: httpx.AsyncClient,
    mongo_db: Database,
    query: str,
    headers: dict[str, str],
    content: bytes,
    status: int,
    reason: str,
) -> None:
    response = await client.post(f"/v1/imports?{query}", content=content, headers=headers)
    assert response.status_code == status
    assert reason in response.text
    assert await unchanged(mongo_db)


async def test_the_agent_scope_is_not_enough(client: httpx.AsyncClient, mongo_db: Database) -> None:
    token = token_keys().token("agent", subject="t")
    response = await client.post(
        "/v1/imports?format=twcs", content=TWCS, headers={**CSV, "Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert await unchanged(mongo_db)


async def test_a_stream_that_outgrows_the_limit_is_413_and_the_import_failed(
    client: httpx.AsyncClient, mongo_db: Database
) -> None:
    header, *lines = TWCS.split(b"\n", 1)
    oversized = header + b"\n" + lines[0] * 3
    response = await client.post("/v1/imports?format=twcs", content=chunks(oversized), headers=CSV)
    assert response.status_code == 413
    (failed,) = [d async for d in mongo_db["imports"].find()]
    assert (failed["state"], failed["reason"]) == ("failed", "request body is over 4096 bytes")


async def test_progress_of_an_unknown_or_malformed_id(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/v1/imports/{'0' * 32}")).status_code == 404
    malformed = await client.get("/v1/imports/$where")
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["path", "import_id"]
