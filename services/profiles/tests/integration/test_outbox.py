"""Every event profiles publishes is stored in its outbox with the change that caused it; the
relay publishes it from there. Nothing is published any other way."""

from typing import Any

import pytest

from profiles.handlers import on_mention_ingested
from rapport.events import Author, MentionIngested
from rapport.events.factories import a_mention
from rapport.mongo import Database
from rapport.outbox import COLLECTION as OUTBOX
from rapport.testing import unique

pytestmark = pytest.mark.integration


async def stored(db: Database, before: set[str]) -> list[tuple[str, str]]:
    """(topic, event type or profile change) of the outbox rows added since ``before``."""
    rows = await db[OUTBOX].find({"_id": {"$nin": list(before)}}).sort("seq", 1).to_list()
    return [(r["topic"], _kind(r)) for r in rows]


def _kind(row: dict[str, Any]) -> str:
    import json

    value = json.loads(bytes(row["value"]))
    return str(value["payload"].get("change", value["type"]))


async def ids(db: Database) -> set[str]:
    return {r["_id"] for r in await db[OUTBOX].find({}, {"_id": 1}).to_list()}


async def mention(served: Any, author: str, handle: str) -> str:
    event = MentionIngested.of(
        a_mention(1, author=author, external_id=unique("m")).model_copy(
            update={"author": Author(id=author, handle=handle)}
        )
    )
    before = await ids(served.db)
    await served.handle(on_mention_ingested, event)
    assert await stored(served.db, before) == [
        ("social.mentions.enriched", "mention.enriched"),
        ("crm.profiles", "created"),
    ]
    profile = await served.http.get(
        f"/v1/profiles/lookup?platform=x&author_id={author}", headers=served.token("agent")
    )
    return str(profile.json()["profile_id"])


async def test_each_route_that_announces_stores_its_events_in_the_outbox(
    served: Any, mongo_db: Database
) -> None:
    survivor = await mention(served, unique("a"), "coffee_jo")
    absorbed = await mention(served, unique("b"), "coffee_jo2")
    steps: list[tuple[str, str, dict[str, Any], str, list[tuple[str, str]]]] = [
        (
            "post",
            "/v1/profiles",
            {"crm_customer_id": unique("crm")},
            "integration",
            [("crm.profiles", "created")],
        ),
        (
            "put",
            f"/v1/profiles/{survivor}/consent",
            {"marketing": True, "source": "crm"},
            "integration",
            [("crm.profiles", "consent_changed")],
        ),
        (
            "post",
            f"/v1/profiles/{survivor}/merge",
            {"profile_ids": [absorbed], "reason": "same"},
            "supervisor",
            [("crm.profiles", "merged")],
        ),
        (
            "post",
            f"/v1/profiles/{survivor}/unmerge",
            {"profile_id": absorbed, "reason": "not the same"},
            "supervisor",
            [("crm.profiles", "unmerged")],
        ),
        (
            "post",
            "/v1/privacy/requests",
            {"profile_id": survivor, "kind": "export"},
            "privacy",
            [("privacy.requests", "privacy.requested")],
        ),
    ]
    for method, path, body, scope, expected in steps:
        before = await ids(mongo_db)
        response = await served.http.request(method, path, json=body, headers=served.token(scope))
        assert response.is_success, (path, response.text)
        assert set(expected) <= set(await stored(mongo_db, before)), path  # and what it changed


async def test_a_refused_change_stores_no_event(served: Any, mongo_db: Database) -> None:
    crm = unique("crm")
    created = await served.http.post(
        "/v1/profiles", json={"crm_customer_id": crm}, headers=served.token("integration")
    )
    assert created.status_code == 201
    profile_id = created.json()["profile_id"]
    other = await served.http.post(
        "/v1/profiles", json={"email": f"{crm}@example.com"}, headers=served.token("integration")
    )
    before = await ids(mongo_db)
    taken = await served.http.post(
        f"/v1/profiles/{other.json()['profile_id']}/identities",
        json={"kind": "crm", "value": crm},
        headers=served.token("integration"),
    )
    assert taken.status_code == 409
    refused = await served.http.post(
        f"/v1/profiles/{profile_id}/merge",
        json={"profile_ids": [profile_id], "reason": "itself"},
        headers=served.token("supervisor"),
    )
    assert refused.status_code == 409
    assert await stored(mongo_db, before) == []
