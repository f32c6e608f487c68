"""Links the customer confirms: a one-time code mailed to the address (a real SMTP server), and
only its use links the identity; asking never tells who owns an address."""

import re
from datetime import timedelta
from typing import Any

import pytest

from profiles.adapters.link_request_store import MongoLinkRequests
from profiles.domain.identities import identity
from profiles.ports import profile_id_for
from rapport.clock import utcnow
from rapport.mongo import Database
from rapport.testing import Mailbox, eventually, unique

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


async def mailed_code(mailbox: Mailbox, address: str) -> str:
    (mail,) = await eventually(lambda: mailbox.to(address), timeout_s=30)
    found = re.search(r"code to confirm this address: ([A-Za-z0-9_-]{16,64})", mail.get_content())
    assert found, mail.get_content()
    return found.group(1)


def address() -> str:
    return f"{unique('jo')}@example.com"


async def test_the_code_goes_to_the_address_never_to_the_caller(
    served: Any, mailbox: Mailbox
) -> None:
    profile_id = await crm_profile(served)
    email = address()
    asked = await ask(served, profile_id, kind="email", value=email)
    assert asked.status_code == 202, asked.text
    assert set(asked.json()) == {"profile_id", "expires_at"}
    assert f"email:{email}" not in await keys(served, profile_id)

    code = await mailed_code(mailbox, email)
    assert code not in asked.text
    confirmed = await confirm(served, code)

    assert confirmed.status_code == 200, confirmed.text
    linked = [i for i in confirmed.json()["identities"] if i["key"] == f"email:{email}"]
    assert [i["source"] for i in linked] == ["customer"]
    again = await confirm(served, code)
    assert again.status_code == 404  # a code works once


async def test_a_wrong_code_or_scope_links_nothing(served: Any, mailbox: Mailbox) -> None:
    profile_id = await crm_profile(served)
    email = address()
    await ask(served, profile_id, kind="email", value=email)
    code = await mailed_code(mailbox, email)
    before = await keys(served, profile_id)

    assert (await confirm(served, "x" * 32)).status_code == 404
    assert (await confirm(served, "short")).status_code == 422
    assert (await confirm(served, "$where" + "x" * 20)).status_code == 422
    assert (await confirm(served, code, scope="agent")).status_code == 403

    assert await keys(served, profile_id) == before


async def test_asking_tells_nobody_who_owns_an_address(
    served: Any, mailbox: Mailbox, mongo_db: Database
) -> None:
    profile_id, other_id = await crm_profile(served), await crm_profile(served)
    free, others, own = address(), address(), address()
    for holder, email in ((other_id, others), (profile_id, own)):
        linked = await served.http.post(
            f"/v1/profiles/{holder}/identities",
            json={"kind": "email", "value": email},
            headers=served.token("integration"),
        )
        assert linked.status_code == 201, linked.text

    answers = [await ask(served, profile_id, kind="email", value=e) for e in (free, others, own)]

    assert [a.status_code for a in answers] == [202, 202, 202]
    bodies = [{k: v for k, v in a.json().items() if k != "expires_at"} for a in answers]
    assert bodies == [{"profile_id": profile_id}] * 3
    assert all(other_id not in a.text for a in answers)
    await mailed_code(mailbox, free)
    assert mailbox.to(others) == []  # only a free address gets a code
    assert mailbox.to(own) == []
    assert await mongo_db["link_requests"].count_documents({}) == 1


@pytest.mark.parametrize(
    "identity",
    [
        {"kind": "social", "platform": "x", "value": "12345"},
        {"kind": "phone", "value": "+4930123456"},
        {"kind": "crm", "value": "C-77"},
    ],
)
async def test_a_kind_no_channel_reaches_is_refused(
    served: Any, mailbox: Mailbox, mongo_db: Database, identity: dict[str, str]
) -> None:
    profile_id = await crm_profile(served)
    refused = await ask(served, profile_id, **identity)
    assert refused.status_code == 422
    reason = f"no channel can send a code to a {identity['kind']} identity yet"
    assert refused.json()["detail"].startswith(reason)
    assert await mongo_db["link_requests"].count_documents({}) == 0
    assert mailbox.mails == []


async def test_bad_requests_get_4xx_and_store_nothing(served: Any, mongo_db: Database) -> None:
    profile_id = await crm_profile(served)
    missing = await ask(served, str(profile_id_for("x:nobody")), kind="email", value=address())
    assert missing.status_code == 404
    malformed = await ask(served, profile_id, kind="email", value="not-an-address")
    assert malformed.status_code == 422
    assert await mongo_db["link_requests"].count_documents({}) == 0


async def test_an_expired_code_is_refused(mongo_db: Database) -> None:
    requests = MongoLinkRequests(mongo_db)
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
