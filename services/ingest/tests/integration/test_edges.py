"""Every entry point against the real database, fed each input that once broke a consumer:
refused where it arrives (422 naming the field, or a rejected import row), nothing of it
stored, and the good mentions around it still accepted."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ingest.main import create_app
from ingest.settings import IngestSettings
from rapport.mongo import Database
from rapport.testing import token_keys
from services.ingest.tests.integration.entry_points import (
    BAD_BYTES,
    ENTRY_POINTS,
    SECRETS,
    EntryPoint,
    Spec,
    carries,
    spec,
)

pytestmark = pytest.mark.integration
COLLECTIONS = ("mentions", "outbox", "webhook_signatures")
SECRET_WORD = "hushhush"
"""Part of every poisoned text: a refusal must never echo it."""

POISONS: dict[str, tuple[str, Any]] = {
    "year-1-with-offset": ("created_at", "0001-01-01T00:00:00+01:00"),
    "before-2006": ("created_at", "2005-12-31T23:59:59+00:00"),
    "naive-time": ("created_at", "2026-11-20T09:00:00"),
    "year-9999": ("created_at", "9999-12-31T23:59:59-01:00"),
    "followers-2^63": ("followers", 2**63),
    "followers-negative": ("followers", -1),
    "likes-2^63": ("likes", 2**63),
    "shares-over-a-trillion": ("shares", 10**12 + 1),
    "nul-in-text": ("text", f"grinder {SECRET_WORD}\x00 broke"),
    "lone-surrogate-in-text": ("text", f"grinder {SECRET_WORD} \ud800 broke"),
    "nul-in-name": ("display_name", f"Ann {SECRET_WORD}\x00"),
    "operator-as-id": ("external_id", {"$gt": ""}),
    "dollar-id": ("external_id", "$where"),
}
CASES = [
    pytest.param(entry, name, id=f"{entry.name}:{name}")
    for entry in ENTRY_POINTS
    for name, (field, _) in POISONS.items()
    if carries(entry, field)
]


@pytest.fixture
async def client(settings: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """ingest with its workers stopped once started: these tests check what is stored, and
    keep their hundreds of mentions off the shared ``social.mentions``, which other suites'
    consumers read (their 2026-11-20 timestamps would land in those suites' windows)."""
    app = create_app(IngestSettings(**settings, **SECRETS))
    async with app.router.lifespan_context(app):
        await app.state.runtime.workers.stop()
        token = token_keys().token("integration", subject="test")
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ingest", headers=headers
        ) as http:
            yield http


async def counts(db: Database) -> dict[str, int]:
    return {name: await db[name].count_documents({}) for name in COLLECTIONS}


async def archived(db: Database, entry: EntryPoint) -> set[str]:
    return {doc["_id"].removeprefix(f"{entry.platform}:") async for doc in db["mentions"].find()}


def named_in(detail: list[dict[str, Any]], names: set[str]) -> bool:
    return any(names & {str(part) for part in error["loc"]} for error in detail)


async def refused_alone(
    client: httpx.AsyncClient, db: Database, entry: EntryPoint, bad: Spec, names: set[str]
) -> httpx.Response:
    """Posts ``bad`` between good neighbours (alone, where a request takes one): 422 naming
    one of ``names``, nothing stored; then the neighbours without it are accepted."""
    good = [spec()] if entry.single else [spec(), spec()]
    response = await client.request(
        **entry.request([bad] if entry.single else [good[0], bad, good[1]])
    )
    assert response.status_code == 422, response.text
    assert named_in(response.json()["detail"], names), response.text
    assert await counts(db) == dict.fromkeys(COLLECTIONS, 0)

    accepted = await client.request(**entry.request(good))
    assert accepted.status_code in (200, 202), accepted.text
    assert await archived(db, entry) == {s["external_id"] for s in good}
    return response


async def rejected_row(
    client: httpx.AsyncClient, db: Database, entry: EntryPoint, bad: Spec, names: set[str]
) -> str:
    """Imports ``bad`` between two good rows: it alone is rejected; returns its reason."""
    good = [spec(), spec()]
    response = await client.request(**entry.request([good[0], bad, good[1]]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["state"], body["accepted"], body["rejected"]) == ("completed", 2, 1), body
    (error,) = body["errors"]
    assert error["row"] == 2
    where = error["reason"].split(": ")[0]
    assert any(where == name or where.startswith(f"{name}.") for name in names), error
    assert await archived(db, entry) == {g["external_id"] for g in good}
    assert await db["mentions"].count_documents({"pending": True}) == 2  # workers stopped
    return str(error["reason"])


@pytest.mark.parametrize(("entry", "poison"), CASES)
async def test_a_poisoned_mention_is_refused_with_its_field_named_and_its_neighbours_kept(
    client: httpx.AsyncClient, mongo_db: Database, entry: EntryPoint, poison: str
) -> None:
    field, value = POISONS[poison]
    bad = spec(**{field: value})
    if entry.imports:
        said = await rejected_row(client, mongo_db, entry, bad, entry.named(field))
    else:
        said = (await refused_alone(client, mongo_db, entry, bad, entry.named(field))).text
    assert SECRET_WORD not in said
    assert str(2**63) not in said


def deep(levels: int) -> list[Any]:
    nested: list[Any] = ["x"]
    for _ in range(levels - 1):
        nested = [nested]
    return nested


BODY_POISONS: dict[str, tuple[str, Any, str]] = {
    "nested-40-deep": ("text", deep(40), "nested deeper than 32 levels"),
    "4300-digit-count": ("followers", 10**4299, "a number is longer than 32 characters"),
    "nan-count": ("likes", float("nan"), "NaN is not a JSON number"),
    "infinite-count": ("likes", float("inf"), "Infinity is not a JSON number"),
    "invalid-utf8": ("text", f"broken {BAD_BYTES} grinder", "valid UTF-8"),
}
JSON_ENTRY_POINTS = [e for e in ENTRY_POINTS if e.name not in ("csv-import", "twcs-import")]
BODY_CASES = [
    pytest.param(entry, name, id=f"{entry.name}:{name}")
    for entry in JSON_ENTRY_POINTS
    for name, (field, _, _) in BODY_POISONS.items()
    if carries(entry, field)
]


@pytest.mark.parametrize(("entry", "poison"), BODY_CASES)
async def test_json_outside_the_bounds_is_refused_before_any_model_reads_it(
    client: httpx.AsyncClient, mongo_db: Database, entry: EntryPoint, poison: str
) -> None:
    field, value, reason = BODY_POISONS[poison]
    bad = spec(**{field: value})
    if entry.imports:
        assert reason in await rejected_row(
            client, mongo_db, entry, bad, {"line", *entry.named(field)}
        )
        return
    response = await refused_alone(client, mongo_db, entry, bad, {"body", *entry.named(field)})
    assert reason in response.text


SIGNATURES = {
    "x-webhook": "x-twitter-webhooks-signature",
    "meta-webhook": "X-Hub-Signature-256",
    "generic-webhook": "X-Rapport-Signature",
}


@pytest.mark.parametrize(
    "entry", [e for e in ENTRY_POINTS if e.name in SIGNATURES], ids=lambda e: e.name
)
async def test_a_webhook_checks_the_signature_before_it_parses_the_body(
    client: httpx.AsyncClient, mongo_db: Database, entry: EntryPoint
) -> None:
    request = entry.request([spec(text=deep(40))])
    request["headers"][SIGNATURES[entry.name]] = "sha256=" + "0" * 64
    response = await client.request(**request)
    assert response.status_code == 401, response.text
    assert await counts(mongo_db) == dict.fromkeys(COLLECTIONS, 0)
