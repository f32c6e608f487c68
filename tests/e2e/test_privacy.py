"""GDPR across the platform, through profiles' API: an export gathers every service's part; an
erasure leaves no document naming the person (author id, handle or profile id) in any service's
database. Kept: the request records themselves (id, kind, profile id, who confirmed)."""

from functools import partial
from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.mongo import Database
from rapport.testing import eventually, unique
from tests.support import SERVICES, WAIT_S, Platform, mention, negative, positive, profile_id

pytestmark = pytest.mark.e2e
KEPT = {("profiles", "privacy_requests")}
"""Collections allowed to name the person's profile id after an erasure; and each service's
answer to the erasure, in its outbox until published and expired (``privacy_answer``)."""


def privacy_answer(name: str, doc: dict[str, Any]) -> bool:
    return name == "outbox" and doc.get("event_type") == "privacy.completed"


async def holding(
    dbs: dict[str, Database], *needles: str, skip: Any = lambda name, doc: False
) -> list[str]:
    """Every service.collection:_id whose document names one of ``needles``."""
    found = []
    for service in SERVICES:
        db = dbs[service]
        for name in await db.list_collection_names():
            async for doc in db[name].find():
                text = repr(doc)
                if any(needle in text for needle in needles) and not skip(name, doc):
                    found.append(f"{service}.{name}:{doc['_id']}")
    return found


async def someone(http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]) -> str:
    """A person every service knows: a complaint (a case) and praise (points)."""
    author = unique("gdpr")
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={
            "mentions": [
                mention(unique("m"), author, negative()),
                mention(unique("m"), author, positive()),
            ]
        },
        headers=platform.token("integration"),
    )
    assert response.status_code == 202
    await eventually(partial(everywhere, dbs, profile_id(author)), timeout_s=WAIT_S)
    return author


async def everywhere(dbs: dict[str, Database], person: UUID) -> bool:
    """Whether every service knows the person: a profile, a case, a member."""
    return (
        await dbs["profiles"]["profiles"].count_documents({"_id": person}) == 1
        and await dbs["responder"]["cases"].count_documents({"profile_id": person}) >= 1
        and await dbs["loyalty"]["members"].count_documents({"_id": person}) == 1
    )


async def ask(
    http: httpx.AsyncClient, platform: Platform, person: UUID, kind: str
) -> dict[str, Any]:
    """Request ``kind`` for ``person``; the request's state once every service confirmed."""
    headers = platform.token("privacy")
    response = await http.post(
        f"{platform.url('profiles')}/v1/privacy/requests",
        json={"profile_id": str(person), "kind": kind},
        headers=headers,
    )
    assert response.status_code == 202, response.text
    url = f"{platform.url('profiles')}/v1/privacy/requests/{response.json()['request_id']}"

    async def complete() -> dict[str, Any] | None:
        state: dict[str, Any] = (await http.get(url, headers=headers)).json()
        return state if state["complete"] else None

    state: dict[str, Any] = await eventually(complete, timeout_s=WAIT_S)
    return state


async def test_an_export_gathers_every_services_part(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    author = await someone(http, platform, dbs)

    state = await ask(http, platform, profile_id(author), "export")

    assert {c["service"] for c in state["confirmed"]} == set(SERVICES)
    export = state["export"]
    assert len(export["ingest"]["mentions"]) == 2
    assert all(author in repr(m) for m in export["ingest"]["mentions"])
    assert export["profiles"]["profiles"][0]["_id"] == str(profile_id(author))
    assert all(c["documents"] > 0 for c in state["confirmed"])


async def test_an_erasure_leaves_no_document_naming_the_person_in_any_service(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    author, bystander = await someone(http, platform, dbs), await someone(http, platform, dbs)
    person = profile_id(author)
    await ask(http, platform, person, "export")  # an earlier export must go too
    assert await holding(dbs, author, f"h_{author}")

    state = await ask(http, platform, person, "erase")

    assert {c["service"] for c in state["confirmed"]} == set(SERVICES)
    assert await holding(dbs, author, f"h_{author}") == []
    left = await holding(dbs, str(person), skip=privacy_answer)
    assert [where for where in left if tuple(where.split(":")[0].split(".")) not in KEPT] == []
    assert len(await holding(dbs, bystander)) >= 4  # everyone else's data stays
