"""Look-alike suggestions, merge and unmerge on the real database and broker."""

from typing import Any
from uuid import UUID

import pytest

from profiles.handlers import on_mention_ingested
from profiles.ports import profile_id_for
from rapport.events import Author, MentionIngested
from rapport.events.factories import a_mention
from rapport.mongo import Database
from rapport.testing import unique

pytestmark = pytest.mark.integration


async def post_mention(served: Any, n: int, author: str, handle: str, followers: int = 10) -> str:
    mention = a_mention(n, author=author).model_copy(
        update={"author": Author(id=author, handle=handle, followers=followers)}
    )
    await served.handle(on_mention_ingested, MentionIngested.of(mention))
    return str(profile_id_for(f"x:{author}"))


async def merge(served: Any, survivor: str, *absorbed: str) -> Any:
    return await served.http.post(
        f"/v1/profiles/{survivor}/merge",
        json={"profile_ids": list(absorbed), "reason": "same person, confirmed by phone"},
        headers=served.token("supervisor"),
    )


async def consent(served: Any, profile_id: str, marketing: bool) -> None:
    response = await served.http.put(
        f"/v1/profiles/{profile_id}/consent",
        json={"marketing": marketing, "source": "crm"},
        headers=served.token("integration"),
    )
    assert response.status_code == 200, response.text


async def get(served: Any, profile_id: str) -> Any:
    response = await served.http.get(f"/v1/profiles/{profile_id}", headers=served.token("agent"))
    assert response.status_code == 200, response.text
    return response.json()


async def test_look_alikes_are_suggested_until_rejected(served: Any) -> None:
    jo = await post_mention(served, 1, unique("a"), "coffee_jo")
    jo2 = await post_mention(served, 2, unique("b"), "CoffeeJo88")
    other = await post_mention(served, 3, unique("c"), "tea_time_tom")
    response = await served.http.get(
        f"/v1/profiles/{jo}/suggestions", headers=served.token("agent")
    )
    assert response.status_code == 200
    (suggestion,) = response.json()
    assert suggestion["profile"]["profile_id"] == jo2
    assert suggestion["similarity"] >= 0.8
    assert other not in response.text
    rejected = await served.http.post(
        f"/v1/profiles/{jo}/suggestions/{jo2}/reject", headers=served.token("agent")
    )
    assert rejected.status_code == 204
    again = await served.http.get(f"/v1/profiles/{jo2}/suggestions", headers=served.token("agent"))
    assert again.json() == []
    assert (await get(served, jo))["profile_id"] == jo  # nothing merged


async def test_merge_combines_history_and_the_strictest_consent_and_is_announced(
    served: Any,
) -> None:
    survivor = await post_mention(served, 1, unique("s"), "jo")
    absorbed = await post_mention(served, 2, unique("t"), "jo_else")
    await consent(served, survivor, True)
    await consent(served, absorbed, False)
    response = await merge(served, survivor, absorbed)
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["mention_count"] == 2
    assert merged["consent"]["marketing"] is False
    assert merged["merged_from"] == [absorbed]
    old = await get(served, absorbed)
    assert (old["profile_id"], old["resolved_from"]) == (survivor, absorbed)
    history = await served.http.get(
        f"/v1/profiles/{absorbed}/mentions", headers=served.token("agent")
    )
    assert len(history.json()) == 2
    events = await served.announced(
        survivor, until=lambda found: any(e.payload.change == "merged" for e in found)
    )
    (announced,) = [e for e in events if e.payload.change == "merged"]
    assert announced.payload.related_profile_ids == [UUID(absorbed)]
    assert announced.payload.profile.profile_id == UUID(survivor)
    audit = await served.http.get(
        f"/v1/profiles/{survivor}/audit", headers=served.token("supervisor")
    )
    assert [entry["action"] for entry in audit.json()] == ["merged"]


async def test_a_mention_after_the_merge_lands_on_the_survivor(served: Any) -> None:
    a, b = unique("a"), unique("b")
    survivor = await post_mention(served, 1, a, "ann")
    absorbed = await post_mention(served, 2, b, "ann_two")
    await merge(served, survivor, absorbed)
    await post_mention(served, 3, b, "ann_two")
    assert (await get(served, survivor))["mention_count"] == 3


async def test_unmerge_gives_back_what_the_absorbed_profile_brought(
    served: Any, mongo_db: Database
) -> None:
    a, b = unique("a"), unique("b")
    survivor = await post_mention(served, 1, a, "ann")
    absorbed = await post_mention(served, 2, b, "ann_two")
    await merge(served, survivor, absorbed)
    await post_mention(served, 3, b, "ann_two")  # after the merge, still b's
    response = await served.http.post(
        f"/v1/profiles/{survivor}/unmerge",
        json={"profile_id": absorbed, "reason": "two people after all"},
        headers=served.token("supervisor"),
    )
    assert response.status_code == 200, response.text
    restored = response.json()
    assert restored["profile_id"] == absorbed
    assert restored["mention_count"] == 2
    assert restored["resolved_from"] is None
    kept = await get(served, survivor)
    assert kept["mention_count"] == 1
    assert kept["merged_from"] == []
    assert await mongo_db["history"].count_documents({"profile_id": UUID(absorbed)}) == 2
    events = await served.announced(
        absorbed, until=lambda found: any(e.payload.change == "unmerged" for e in found)
    )
    (unmerged,) = [e for e in events if e.payload.change == "unmerged"]
    assert unmerged.payload.related_profile_ids == [UUID(survivor)]
    again = await served.http.post(
        f"/v1/profiles/{survivor}/unmerge",
        json={"profile_id": absorbed, "reason": "twice"},
        headers=served.token("supervisor"),
    )
    assert again.status_code == 409


async def test_bad_merges_get_4xx_and_change_nothing(served: Any, mongo_db: Database) -> None:
    one = await post_mention(served, 1, unique("a"), "ann")
    before = await mongo_db["profiles"].find().to_list()
    unknown = await merge(served, one, str(profile_id_for("x:nobody")))
    assert unknown.status_code == 404
    itself = await merge(served, one, one)
    assert itself.status_code == 409
    assert "already part of" in itself.json()["detail"]
    empty = await served.http.post(
        f"/v1/profiles/{one}/merge",
        json={"profile_ids": [], "reason": "x"},
        headers=served.token("supervisor"),
    )
    assert empty.status_code == 422
    agent = await served.http.post(
        f"/v1/profiles/{one}/merge",
        json={"profile_ids": [one], "reason": "x"},
        headers=served.token("agent"),
    )
    assert agent.status_code == 403
    assert await mongo_db["profiles"].find().to_list() == before


@pytest.mark.parametrize("scope", ["integration", "agent"])
async def test_only_a_supervisor_merges_or_unmerges(
    served: Any, mongo_db: Database, scope: str
) -> None:
    survivor = await post_mention(served, 1, unique("a"), "ann")
    absorbed = await post_mention(served, 2, unique("b"), "ann_two")
    before = await mongo_db["profiles"].find().to_list()
    for action, body in (
        ("merge", {"profile_ids": [absorbed], "reason": "same person"}),
        ("unmerge", {"profile_id": absorbed, "reason": "not the same"}),
    ):
        refused = await served.http.post(
            f"/v1/profiles/{survivor}/{action}", json=body, headers=served.token(scope)
        )
        assert refused.status_code == 403, (action, refused.text)
    assert await mongo_db["profiles"].find().to_list() == before
    assert (await merge(served, survivor, absorbed)).status_code == 200
