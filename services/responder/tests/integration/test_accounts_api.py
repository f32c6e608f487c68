"""``/v1/accounts``: supervisors set the brand's accounts; tokens are stored encrypted and never
answered back; bad input is refused with a reason and stores nothing."""

from typing import Any

import pytest

from rapport.mongo import Database

from .conftest import Clock, Serve, token

pytestmark = pytest.mark.integration
LEAD = token("lead", "supervisor")
SECRET = "a-very-secret-access-token"


async def test_an_account_is_stored_with_its_token_encrypted_and_never_shown(
    mongo_db: Database, clock: Clock, serve: Serve
) -> None:
    body = {"account_id": "1001", "access_token": SECRET, "refresh_token": "a-refresh-token"}
    async with serve(clock) as (_, http):
        put = await http.put("/v1/accounts/x/acme", json=body, headers=LEAD)
        listed = await http.get("/v1/accounts", headers=LEAD)
        one = await http.get("/v1/accounts/x/acme", headers=LEAD)
    assert put.status_code == 200, put.text
    assert listed.json() == [put.json()] == [one.json()]
    assert put.json() == {
        "platform": "x",
        "handle": "acme",
        "account_id": "1001",
        "default": False,
        "token_ref": None,
        "expires_at": None,
        "refreshable": True,
    }
    for answer in (put, listed, one):
        assert SECRET not in answer.text
    raw = await mongo_db["accounts"].find_one({"_id": "x:acme"})
    assert raw is not None
    assert SECRET.encode() not in bytes(raw["tokens"])
    assert SECRET not in str(raw)


async def test_a_deleted_account_is_gone(clock: Clock, serve: Serve) -> None:
    body = {"account_id": "2002", "token_ref": "acme-page"}
    async with serve(clock) as (_, http):
        assert (await http.put("/v1/accounts/facebook/acme", json=body, headers=LEAD)).is_success
        deleted = await http.delete("/v1/accounts/facebook/acme", headers=LEAD)
        again = await http.delete("/v1/accounts/facebook/acme", headers=LEAD)
        gone = await http.get("/v1/accounts/facebook/acme", headers=LEAD)
    assert (deleted.status_code, again.status_code, gone.status_code) == (204, 404, 404)


@pytest.mark.parametrize(
    ("path", "body", "status", "reason"),
    [
        ("x/acme", {"account_id": "1"}, 422, "exactly one of access_token and token_ref"),
        (
            "x/acme",
            {"account_id": "1", "access_token": SECRET, "token_ref": "vault"},
            422,
            "exactly one of access_token and token_ref",
        ),
        (
            "facebook/acme",
            {"account_id": "1", "access_token": SECRET, "refresh_token": SECRET},
            422,
            "only X accounts have refresh tokens",
        ),
        ("myspace/acme", {"account_id": "1", "access_token": SECRET}, 422, "platform"),
        ("x/not a handle", {"account_id": "1", "access_token": SECRET}, 422, "handle"),
        ("x/acme", {"account_id": "1", "access_token": SECRET, "owner": "me"}, 422, "owner"),
        ("x/acme", {"account_id": {"$gt": ""}, "access_token": SECRET}, 422, "account_id"),
        ("x/acme", {"account_id": "1", "access_token": "short"}, 422, "access_token"),
    ],
)
async def test_bad_input_is_refused_with_a_reason_and_stores_nothing(
    mongo_db: Database,
    clock: Clock,
    serve: Serve,
    path: str,
    body: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    async with serve(clock) as (_, http):
        refused = await http.put(f"/v1/accounts/{path}", json=body, headers=LEAD)
    assert refused.status_code == status, refused.text
    assert reason in refused.text
    assert SECRET not in refused.text
    assert await mongo_db["accounts"].count_documents({}) == 0


async def test_only_supervisors_manage_accounts(
    mongo_db: Database, clock: Clock, serve: Serve
) -> None:
    body = {"account_id": "1001", "access_token": SECRET}
    agent = token("ann", "agent")
    async with serve(clock) as (_, http):
        put = await http.put("/v1/accounts/x/acme", json=body, headers=agent)
        listed = await http.get("/v1/accounts", headers=agent)
    assert (put.status_code, listed.status_code) == (403, 403)
    assert await mongo_db["accounts"].count_documents({}) == 0
