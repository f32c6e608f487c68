"""What an agent does on one case, through the API on the real MongoDB: internal notes, tags,
saved replies and a failed delivery's retry and edit (against the platform stub). Bad input
is refused with its reason and changes nothing; each route admits the scopes it says."""

from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.mongo import Database
from rapport.testing import eventually
from responder.domain.case import Case
from responder.ports import Ports

from .conftest import BRAND_X, X_TOKEN, Clock, Serve, token
from .platforms import held_case, stub_settings
from .stub_platform import StubPlatform

pytestmark = pytest.mark.integration
ANN, BOB = token("ann", "agent"), token("bob", "agent")
LEAD, CRM = token("lead", "supervisor"), token("crm", "integration")
NOTE, MACRO = "00000000-0000-0000-0000-00000000a001", "00000000-0000-0000-0000-00000000b001"
FIRST, EDIT = "00000000-0000-0000-0000-00000000c001", "00000000-0000-0000-0000-00000000c002"


async def answer(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def detail(http: httpx.AsyncClient, case: Case) -> dict[str, Any]:
    found: dict[str, Any] = await answer(await http.get(f"/v1/cases/{case.id}", headers=ANN))
    return found


async def test_a_note_is_signed_shown_in_the_case_and_never_sent(
    ports: Ports, clock: Clock, serve: Serve, mongo_db: Database
) -> None:
    case = await held_case(ports)
    url = f"/v1/cases/{case.id}/notes"
    async with serve(clock) as (_, http):
        body = {"note_id": NOTE, "text": "  Called them: refund promised  "}
        note = await answer(await http.post(url, json=body, headers=BOB), 201)
        assert (note["author"], note["text"]) == ("bob", "Called them: refund promised")
        assert await answer(await http.post(url, json=body, headers=BOB), 201) == note
        other = {"note_id": NOTE, "text": "something else"}
        taken = await http.post(url, json=other, headers=BOB)
        assert (taken.status_code, taken.json()["detail"]) == (
            409,
            "this note id was used for another note",
        )
        refusals = {
            422: [
                {"note_id": NOTE, "text": " "},
                {"note_id": NOTE, "text": "x" * 2001},
                {"note_id": "n", "text": "hi"},
                {"note_id": NOTE, "text": "hi", "to": "x"},
            ],
        }
        for status, bodies in refusals.items():
            for bad in bodies:
                refused = await http.post(url, json=bad, headers=ANN)
                assert refused.status_code == status, bad
                assert refused.json()["detail"]
        unknown = f"/v1/cases/{UUID(int=404)}/notes"
        assert (await http.post(unknown, json=body, headers=ANN)).status_code == 404
        assert (await http.post(url, json=body, headers=CRM)).status_code == 403
        assert (await http.post(url, json=body)).status_code == 401
        shown = await detail(http, case)
    assert [(n["note_id"], n["author"]) for n in shown["notes"]] == [(NOTE, "bob")]
    assert shown["replies"] == []
    assert await mongo_db["notes"].count_documents({}) == 1
    assert await mongo_db["replies"].count_documents({}) == 0


async def test_tags_are_lower_cased_bounded_and_filter_the_inbox(
    ports: Ports, clock: Clock, serve: Serve
) -> None:
    case = await held_case(ports)
    base = f"/v1/cases/{case.id}/tags"
    async with serve(clock) as (_, http):
        tagged = await answer(await http.put(f"{base}/VIP", headers=ANN))
        assert tagged["tags"] == ["vip"]
        assert (await answer(await http.put(f"{base}/vip", headers=LEAD)))["tags"] == ["vip"]
        for bad in ("-vip", "a%20b", "x" * 33, "caf%C3%A9"):
            refused = await http.put(f"{base}/{bad}", headers=ANN)
            assert refused.status_code == 422, bad
            assert "a tag is 1 to 32 letters" in refused.json()["detail"]
        for n in range(19):
            await answer(await http.put(f"{base}/t{n}", headers=ANN))
        full = await http.put(f"{base}/one-more", headers=ANN)
        assert (full.status_code, full.json()["detail"]) == (
            409,
            "a case holds at most 20 tags: remove one first",
        )
        assert (await http.put(f"{base}/x", headers=CRM)).status_code == 403
        assert (await http.put(f"{base}/x")).status_code == 401
        assert (await http.put(f"/v1/cases/{UUID(int=404)}/tags/x", headers=ANN)).status_code == 404
        assert len((await detail(http, case))["tags"]) == 20

        found = await http.get("/v1/cases", params={"tag": "VIP"}, headers=ANN)
        assert [c["case_id"] for c in await answer(found)] == [str(case.id)]
        assert found.headers["X-Total-Count"] == "1"
        assert await answer(await http.get("/v1/cases", params={"tag": "t99"}, headers=ANN)) == []
        bad_filter = await http.get("/v1/cases", params={"tag": "$gt"}, headers=ANN)
        assert bad_filter.status_code == 422

        removed = await answer(await http.delete(f"{base}/VIP", headers=ANN))
        assert "vip" not in removed["tags"]
        assert await answer(await http.get("/v1/cases", params={"tag": "vip"}, headers=ANN)) == []


async def test_supervisors_keep_macros_and_agents_fill_them_in_for_a_case(
    ports: Ports, clock: Clock, serve: Serve
) -> None:
    case = await held_case(ports)
    url = f"/v1/macros/{MACRO}"
    text = "Hi {{customer.name}}, {{agent.name}} here about {{customer.handle}} (ref {{case.id}})"
    async with serve(clock) as (_, http):
        assert (
            await http.put(url, json={"name": "Hello", "text": text}, headers=ANN)
        ).status_code == 403
        unknown = await http.put(
            url, json={"name": "Hello", "text": "Hi {{customer.email}}"}, headers=LEAD
        )
        assert unknown.status_code == 422
        assert "{{customer.email}}" in unknown.json()["detail"]
        for bad in (
            {"name": "", "text": "hi"},
            {"name": "n", "text": ""},
            {"name": "n", "text": "hi", "extra": 1},
            {"name": "n" * 81, "text": "hi"},
        ):
            assert (await http.put(url, json=bad, headers=LEAD)).status_code == 422, bad
        assert await answer(await http.get("/v1/macros", headers=ANN)) == []

        saved = await answer(
            await http.put(url, json={"name": "Hello", "text": text}, headers=LEAD)
        )
        assert (saved["updated_by"], saved["text"]) == ("lead", text)
        assert [m["macro_id"] for m in await answer(await http.get("/v1/macros", headers=ANN))] == [
            MACRO
        ]
        assert (await http.get("/v1/macros", headers=CRM)).status_code == 403
        render = f"/v1/cases/{case.id}/macros/{MACRO}/render"
        rendered = await answer(await http.post(render, headers=ANN))
        assert rendered["text"] == f"Hi @h_u1, Ann here about @h_u1 (ref {str(case.id)[:8]})"
        missing = f"/v1/cases/{case.id}/macros/{UUID(int=5)}/render"
        assert (await http.post(missing, headers=ANN)).status_code == 404
        assert (await http.delete(url, headers=ANN)).status_code == 403
        assert (await http.delete(url, headers=LEAD)).status_code == 204
        assert (await http.delete(url, headers=LEAD)).status_code == 404
        assert (await http.post(render, headers=ANN)).status_code == 404


async def failed(http: httpx.AsyncClient, case: Case, reply_id: str, text: str) -> dict[str, Any]:
    body = {"reply_id": reply_id, "text": text}
    await answer(await http.post(f"/v1/cases/{case.id}/replies", json=body, headers=ANN), 202)

    async def given_up() -> dict[str, Any] | None:
        replies = (await detail(http, case))["replies"]
        mine = [r for r in replies if r["reply_id"] == reply_id and r["state"] == "failed"]
        return mine[0] if mine else None

    found: dict[str, Any] = await eventually(given_up, timeout_s=60)
    return found


async def test_a_failed_reply_retried_posts_once_even_if_the_first_try_reached_x(
    ports: Ports, clock: Clock, serve: Serve, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    account = {"account_id": BRAND_X, "access_token": X_TOKEN, "default": True}
    stub.fail("tweets", "posted_then_server_error")
    settings = stub_settings(stub_url, reply_poll_s=0.1, reply_max_attempts=1)
    async with serve(clock, **settings) as (_, http):
        await answer(await http.put("/v1/accounts/x/acme", json=account, headers=LEAD))
        first = await failed(http, case, FIRST, "Sorry, DM us")
        assert first["last_error"] == "X HTTP 503"
        assert len(stub.posted("tweets")) == 1  # X took it, but its answer was an error
        retry = f"/v1/cases/{case.id}/replies/{FIRST}/retry"
        assert (await http.post(retry, headers=BOB)).status_code == 409  # bob does not hold it
        assert (await http.post(retry, headers=CRM)).status_code == 403
        again = await answer(await http.post(retry, headers=ANN), 202)
        assert (again["reply_id"], again["text"], again["state"]) == (
            FIRST,
            "Sorry, DM us",
            "pending",
        )

        async def sent() -> dict[str, Any] | None:
            replies = (await detail(http, case))["replies"]
            return replies[0] if replies[0]["state"] == "sent" else None

        done = await eventually(sent, timeout_s=60)
        done_again = await http.post(retry, headers=ANN)
        assert done_again.status_code == 409
        assert "this one is sent" in done_again.json()["detail"]
    [tweet] = stub.posted("tweets")
    assert done["external_id"] == tweet.id


async def test_an_edit_sends_the_corrected_text_and_retires_the_failed_reply(
    ports: Ports, clock: Clock, serve: Serve, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    account = {"account_id": BRAND_X, "access_token": X_TOKEN, "default": True}
    stub.fail("tweets", "server_error")
    settings = stub_settings(stub_url, reply_poll_s=0.1, reply_max_attempts=1)
    async with serve(clock, **settings) as (_, http):
        await answer(await http.put("/v1/accounts/x/acme", json=account, headers=LEAD))
        await failed(http, case, FIRST, "Sory, DM us")
        edit = f"/v1/cases/{case.id}/replies/{FIRST}/edit"
        for bad in (
            {"reply_id": EDIT, "text": ""},
            {"reply_id": EDIT},
            {"text": "x"},
            {"reply_id": EDIT, "text": "x" * 2001},
        ):
            assert (await http.post(edit, json=bad, headers=ANN)).status_code == 422, bad
        same_id = await http.post(edit, json={"reply_id": FIRST, "text": "x"}, headers=ANN)
        assert same_id.status_code == 409
        body = {"reply_id": EDIT, "text": "Sorry, DM us"}
        new = await answer(await http.post(edit, json=body, headers=ANN), 202)
        assert (new["reply_id"], new["supersedes"], new["channel"]) == (EDIT, FIRST, "public")
        repeat = await answer(await http.post(edit, json=body, headers=ANN), 202)
        assert (repeat["reply_id"], repeat["created_at"]) == (EDIT, new["created_at"])

        async def delivered() -> list[dict[str, Any]] | None:
            replies = (await detail(http, case))["replies"]
            return replies if any(r["state"] == "sent" for r in replies) else None

        replies = {r["reply_id"]: r for r in await eventually(delivered, timeout_s=60)}
        retried = await http.post(f"/v1/cases/{case.id}/replies/{FIRST}/retry", headers=ANN)
        assert retried.status_code == 409
        assert "an edit replaced this reply" in retried.json()["detail"]
    assert (replies[FIRST]["state"], replies[FIRST]["superseded_by"]) == ("failed", EDIT)
    assert replies[EDIT]["state"] == "sent"
    assert [p.text for p in stub.posted("tweets")] == ["Sorry, DM us"]
