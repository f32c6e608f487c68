"""Replies through X API v2 to the stub platform, with the replies and accounts in MongoDB."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest

from rapport.mongo import Database
from rapport.testing import eventually
from responder.adapters.reply_store import MongoReplies
from responder.ports import Ports

from .conftest import BRAND_X, X_TOKEN, Clock, Serve, events_of, token
from .platforms import (
    a_reply,
    accounts_on,
    epoch,
    held_case,
    sender,
    stored,
    stub_settings,
    x_account,
)
from .stub_platform import Post, StubPlatform

pytestmark = pytest.mark.integration
SECOND = UUID(int=78)


async def test_an_agents_reply_is_posted_once_in_reply_to_the_customers_post(
    ports: Ports, mongo_db: Database, clock: Clock, serve: Serve, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    admin = token("lead", "supervisor")
    account = {"account_id": BRAND_X, "access_token": X_TOKEN, "default": True}
    async with serve(clock, **stub_settings(stub_url, reply_poll_s=0.1)) as (_, http):
        put = await http.put("/v1/accounts/x/acme", json=account, headers=admin)
        assert put.status_code == 200, put.text
        body = {"reply_id": "00000000-0000-0000-0000-000000000042", "text": "Sorry, DM us"}
        sent = await http.post(
            f"/v1/cases/{case.id}/replies", json=body, headers=token("ann", "agent")
        )
        assert sent.status_code == 202, sent.text

        async def delivered() -> str | None:
            view = await http.get(f"/v1/cases/{case.id}", headers=token("ann", "agent"))
            replies = view.json()["replies"]
            return replies[0]["external_id"] if replies[0]["state"] == "sent" else None

        post_id = await eventually(delivered, timeout_s=60)
    [tweet] = stub.posted("tweets")
    assert (tweet.parent, tweet.text, tweet.author) == ("ext-1", "Sorry, DM us", BRAND_X)
    assert post_id == tweet.id
    answered = await ports.cases.get(case.id)
    assert answered is not None
    assert answered.first_response_at is not None
    assert [e["change"] for e in await events_of(mongo_db, case.id)][-1] == "replied"


async def test_a_direct_message_goes_to_the_customer(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(accounts)
    await replies.add(a_reply(case, clock, channel="direct"))
    async with httpx.AsyncClient() as http:
        assert await sender(ports, replies, accounts, stub_url, http).send_next()
    [dm] = stub.posted("dm")
    assert (dm.parent, dm.text) == ("u1", "So sorry, we are on it")
    assert (await stored(replies)).external_id == dm.id


async def test_a_429_reschedules_the_reply_at_the_reset_time(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(accounts)
    reset = clock() + timedelta(minutes=15)
    stub.reset_at = epoch(reset)
    stub.fail("tweets", "rate_limited")
    await replies.add(a_reply(case, clock))
    async with httpx.AsyncClient() as http:
        send = sender(ports, replies, accounts, stub_url, http)
        assert await send.send_next()
        waiting = await stored(replies)
        assert (waiting.state, waiting.next_attempt_at) == ("pending", reset)
        assert "rate limit" in (waiting.last_error or "")
        clock.advance(minutes=14)
        assert not await send.send_next()  # not retried hot
        clock.advance(minutes=1)
        assert await send.send_next()
    assert len(stub.posted("tweets")) == 1
    assert (await stored(replies)).state == "sent"


async def test_an_exhausted_rate_limit_holds_the_account_until_its_reset(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(accounts)
    reset = clock() + timedelta(minutes=5)
    stub.remaining, stub.reset_at = 0, epoch(reset)
    await replies.add(a_reply(case, clock))
    await replies.add(a_reply(case, clock, _id=SECOND, text="And another thing"))
    async with httpx.AsyncClient() as http:
        send = sender(ports, replies, accounts, stub_url, http)
        assert await send.send_next()  # posted; the platform says 0 remaining
        assert await send.send_next()  # held without calling X
        assert len(stub.calls) == 1
        held = await replies.get(SECOND)
        assert held is not None
        assert (held.state, held.next_attempt_at) == ("pending", reset)


async def test_a_5xx_is_retried_with_backoff_and_posts_once(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(accounts)
    stub.fail("tweets", "server_error")
    await replies.add(a_reply(case, clock))
    async with httpx.AsyncClient() as http:
        send = sender(ports, replies, accounts, stub_url, http)
        assert await send.send_next()
        assert (await stored(replies)).state == "pending"
        assert not await send.send_next()  # backing off
        clock.advance(seconds=2)
        assert await send.send_next()
    assert stub.calls == ["POST tweets", "GET timeline", "POST tweets"]
    assert len(stub.posted("tweets")) == 1
    assert (await stored(replies)).external_id == stub.posted("tweets")[0].id


async def test_a_post_made_before_a_lost_answer_is_found_not_posted_again(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(accounts)
    stub.fail("tweets", "posted_then_server_error")
    await replies.add(a_reply(case, clock))
    async with httpx.AsyncClient() as http:
        send = sender(ports, replies, accounts, stub_url, http)
        assert await send.send_next()
        clock.advance(seconds=2)
        assert await send.send_next()
    [tweet] = stub.posted("tweets")
    sent = await stored(replies)
    assert (sent.state, sent.external_id) == ("sent", tweet.id)


async def test_a_sender_that_died_mid_delivery_posts_once_after_restart(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(accounts)
    await replies.add(a_reply(case, clock))
    async with httpx.AsyncClient() as http:
        first = sender(ports, replies, accounts, stub_url, http)
        leased = await replies.lease(clock(), timedelta(seconds=30))
        assert leased is not None
        await first._connector.deliver(leased)  # posted; then the process died
        clock.advance(seconds=30)
        assert await sender(ports, replies, accounts, stub_url, http).send_next()
    [tweet] = stub.posted("tweets")
    assert (await stored(replies)).external_id == tweet.id


async def test_a_token_about_to_expire_is_refreshed_first_and_stored_encrypted(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    account = await x_account(accounts, expires_at=clock() + timedelta(minutes=1))
    await replies.add(a_reply(case, clock))
    async with httpx.AsyncClient() as http:
        assert await sender(ports, replies, accounts, stub_url, http).send_next()
    assert stub.calls == ["POST token", "POST tweets"]
    renewed = await accounts.tokens(account)
    assert renewed is not None
    assert renewed.access_token != X_TOKEN
    assert renewed.expires_at == clock() + timedelta(seconds=7200)
    raw = await mongo_db["accounts"].find_one({"_id": "x:acme"})
    assert raw is not None
    assert renewed.access_token.encode() not in bytes(raw["tokens"])


async def test_an_expired_token_that_cannot_be_refreshed_fails_saying_what_to_do(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(
        accounts, refresh_token="revoked-1", expires_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    await replies.add(a_reply(case, clock))
    async with httpx.AsyncClient() as http:
        assert await sender(ports, replies, accounts, stub_url, http).send_next()
    failed = await stored(replies)
    assert failed.state == "failed"
    assert "authorise it again" in (failed.last_error or "")
    assert stub.posted("tweets") == []


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("deleted", "deleted or is not visible"),
        ("duplicate", "duplicate"),
    ],
)
async def test_refusals_fail_at_once_without_retrying(
    ports: Ports,
    mongo_db: Database,
    clock: Clock,
    stub: StubPlatform,
    stub_url: str,
    setup: str,
    error: str,
) -> None:
    case = await held_case(ports)
    accounts, replies = accounts_on(mongo_db), MongoReplies(mongo_db)
    await x_account(accounts)
    if setup == "deleted":
        stub.deleted.add("ext-1")
    else:
        stub.posts.append(Post("tweets", "1", BRAND_X, "So sorry, we are on it", None))
    await replies.add(a_reply(case, clock))
    async with httpx.AsyncClient() as http:
        send = sender(ports, replies, accounts, stub_url, http)
        assert await send.send_next()
        clock.advance(hours=1)
        assert not await send.send_next()
    failed = await stored(replies)
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert error in (failed.last_error or "")
    assert stub.calls == ["POST tweets"]
