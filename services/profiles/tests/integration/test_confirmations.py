"""Links the customer confirms: a one-time code, and only its use links the identity."""

from datetime import timedelta
from typing import Any

import pytest

from profiles.confirmations import LinkRequests
from profiles.domain.identities import identity
from profiles.handlers import on_mention_ingested
from profiles.repository import profile_id_for
from rapport.events import utcnow
from rapport.events.factories import ingested
from rapport.mongo import Database
from rapport.testing import unique

pytestmark = pytest.mark.integration


async def crm_profile(served: Any) -> str:
    response = await served.http.post(
        "/v1/profiles", json={"crm_customer_id": unique("C")}, headers=served.token("integration")
    )
    assert response.status_code == 201, response.text
    profile_id: str = response.json()["profile_id"]
    return profile_id


async def ask(served: Any, profile_id: str, scope: str = "agent", **identity: Any) -> Any:
    return await served.http.post(
        f"/v1/profiles/{profile_id}/link-requests", json=identity, headers=served.token(scope)
    )


async def confirm(served: Any, code: str, scope: str = "integration") -> Any:
    return await served.http.post(
        "/v1/link-requests/confirm", json={"code": code}, headers=served.token(scope)
    )


async def keys(served: Any, profile_id: str) -> list[str]:
    found = await served.http.get(f"/v1/profiles/{profile_id}", headers=served.token("agent"))
    return [i["key"] for i in found.json()["identities"]]


async def test_the_identity_is_linked_only_once_the_customer_confirms(served: Any) -> None:
    profile_id = await crm_profile(served)
    author = unique("a").replace("-", "")
    asked = await ask(served, profile_id, kind="social", platform="x", value=author)
    assert asked.status_code == 201, asked.text
    assert f"x:{author}" not in await keys(served, profile_id)

    confirmed = await confirm(served, asked.json()["code"])

    assert confirmed.status_code == 200, confirmed.text
    linked = [i for i in confirmed.json()["identities"] if i["key"] == f"x:{author}"]
    assert [i["source"] for i in linked] == ["customer"]
    again = await confirm(served, asked.json()["code"])
    assert again.status_code == 404  # a code works once


async def test_a_wrong_code_or_scope_links_nothing(served: Any) -> None:
    profile_id = await crm_profile(served)
    asked = await ask(served, profile_id, kind="email", value="jo@example.com")
    before = await keys(served, profile_id)

    assert (await confirm(served, "x" * 32)).status_code == 404
    assert (await confirm(served, "short")).status_code == 422
    assert (await confirm(served, "$where" + "x" * 20)).status_code == 422
    assert (await confirm(served, asked.json()["code"], scope="agent")).status_code == 403

    assert await keys(served, profile_id) == before


async def test_an_identity_of_another_profile_cannot_be_requested(
    served: Any, mongo_db: Database
) -> None:
    await served.handle(on_mention_ingested, ingested(1, author="999"))
    profile_id = await crm_profile(served)
    refused = await ask(served, profile_id, kind="social", platform="x", value="999")
    assert refused.status_code == 409
    assert str(profile_id_for("x:999")) in refused.json()["detail"]
    missing = await ask(served, str(profile_id_for("x:nobody")), kind="crm", value="C-1")
    assert missing.status_code == 404
    malformed = await ask(served, profile_id, kind="email", value="not-an-address")
    assert malformed.status_code == 422
    assert await mongo_db["link_requests"].count_documents({}) == 0


async def test_an_expired_code_is_refused(mongo_db: Database) -> None:
    requests = LinkRequests(mongo_db)
    now = utcnow()
    email = identity("email", "jo@example.com", at=now, source="customer")
    code = await requests.open(profile_id_for("crm:C-7"), email, expires_at=now)
    assert await requests.take(code, now=now + timedelta(seconds=1)) is None
    live = await requests.open(
        profile_id_for("crm:C-7"), email, expires_at=now + timedelta(hours=1)
    )
    assert await requests.take(live, now=now) == (profile_id_for("crm:C-7"), email)
    stored = await mongo_db["link_requests"].find().to_list()
    assert all(code not in repr(doc) for doc in stored)  # kept hashed
