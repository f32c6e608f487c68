"""``/v1/queues/{queue}/notifications``: supervisors route a queue's alerts to webhooks and
mailboxes; webhook URLs are stored encrypted and never answered back; a bad route is refused
with its reason and changes nothing."""

from typing import Any

import pytest

from rapport.mongo import Database
from rapport.testing import Mailbox

from .conftest import Clock, Serve, token
from .notifying import fast

pytestmark = pytest.mark.integration
LEAD = token("lead", "supervisor")
SECRET = "T000/B000/XXXXsecretXXXX"
HOOK = f"https://hooks.slack.com/services/{SECRET}"
GOOD = {"webhooks": [HOOK], "emails": ["PR-Desk@Example.com"], "sla": False}


async def test_a_route_is_stored_with_its_webhooks_sealed_and_never_shown(
    mongo_db: Database, clock: Clock, serve: Serve, mailbox: Mailbox
) -> None:
    async with serve(clock, **fast(mailbox)) as (_, http):
        put = await http.put("/v1/queues/pr/notifications", json=GOOD, headers=LEAD)
        got = await http.get("/v1/queues/pr/notifications", headers=LEAD)
        deleted = await http.delete("/v1/queues/pr/notifications", headers=LEAD)
        gone = await http.get("/v1/queues/pr/notifications", headers=LEAD)
    assert put.status_code == 200, put.text
    assert put.json() == got.json()
    assert put.json() == {
        "queue": "pr",
        "crisis": True,
        "sla": False,
        "webhooks": ["https://hooks.slack.com/…"],
        "emails": ["pr-desk@example.com"],
    }
    assert SECRET not in put.text + got.text
    assert (deleted.status_code, gone.status_code) == (204, 404)


async def test_a_route_at_rest_holds_its_webhook_only_encrypted(
    mongo_db: Database, clock: Clock, serve: Serve, mailbox: Mailbox
) -> None:
    async with serve(clock, **fast(mailbox)) as (_, http):
        put = await http.put("/v1/queues/pr/notifications", json=GOOD, headers=LEAD)
    assert put.status_code == 200, put.text
    raw = await mongo_db["notification_routes"].find_one({"_id": "pr"})
    assert raw is not None
    assert SECRET not in str(raw)
    assert raw["webhooks"][0]["hint"] == "https://hooks.slack.com/…"


@pytest.mark.parametrize(
    ("queue", "body", "reason"),
    [
        ("pr", {"webhooks": [f"http://hooks.example.com/{SECRET}"]}, "only https"),
        ("pr", {"webhooks": [f"ftp://hooks.example.com/{SECRET}"]}, "only https"),
        ("pr", {"webhooks": [f"https://user:pw@hooks.example.com/{SECRET}"]}, "with a host"),
        ("pr", {"webhooks": ["not a url at all"]}, "not a URL"),
        ("pr", {"webhooks": [HOOK, HOOK]}, "listed twice"),
        ("pr", {"webhooks": [f"{HOOK}{n}" for n in range(11)]}, "at most 10"),
        ("pr", {"emails": ["not-an-address"]}, "not an email address"),
        ("pr", {"emails": ["a@b.example\r\nBcc: x@evil.example"]}, "not an email address"),
        ("pr", {"emails": [f"desk{n}@example.com" for n in range(51)]}, "at most 50"),
        ("pr", {"emails": {"$gt": ""}}, "emails"),
        ("pr", {"webhooks": [HOOK], "owner": "me"}, "owner"),
        ("PR desk", GOOD, "queue"),
    ],
)
async def test_a_bad_route_is_refused_with_its_reason_and_changes_nothing(
    mongo_db: Database,
    clock: Clock,
    serve: Serve,
    mailbox: Mailbox,
    queue: str,
    body: dict[str, Any],
    reason: str,
) -> None:
    async with serve(clock, **fast(mailbox)) as (_, http):
        before = await http.put("/v1/queues/pr/notifications", json=GOOD, headers=LEAD)
        refused = await http.put(f"/v1/queues/{queue}/notifications", json=body, headers=LEAD)
        after = await http.get("/v1/queues/pr/notifications", headers=LEAD)
    assert refused.status_code == 422, refused.text
    assert reason in refused.text
    assert SECRET not in refused.text
    assert after.json() == before.json()
    assert await mongo_db["notification_routes"].count_documents({}) == 1


async def test_emails_are_refused_without_an_smtp_server(clock: Clock, serve: Serve) -> None:
    async with serve(clock) as (_, http):
        refused = await http.put("/v1/queues/pr/notifications", json=GOOD, headers=LEAD)
    assert refused.status_code == 422
    assert "RAPPORT_SMTP_HOST" in refused.text


async def test_only_supervisors_route_and_read_notifications(clock: Clock, serve: Serve) -> None:
    agent = token("ann", "agent")
    async with serve(clock) as (_, http):
        put = await http.put("/v1/queues/pr/notifications", json={}, headers=agent)
        listed = await http.get("/v1/notifications", headers=agent)
        anonymous = await http.get("/v1/notifications")
    assert (put.status_code, listed.status_code, anonymous.status_code) == (403, 403, 401)
