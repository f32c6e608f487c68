"""Replies through Meta's Graph API to the stub platform: Facebook comments, Instagram comment
replies, Messenger messages; the replies and the page's account in MongoDB."""

from datetime import timedelta

import httpx
import pytest

from rapport.mongo import Database
from responder.adapters.account_store import MongoAccounts
from responder.adapters.reply_store import MongoReplies
from responder.ports import Ports
from responder.workers import ReplySender

from .conftest import PAGE, Clock
from .platforms import a_reply, accounts_on, held_case, page_account, sender, stored
from .stub_platform import StubPlatform

pytestmark = pytest.mark.integration


async def _sending(
    ports: Ports, db: Database, url: str, http: httpx.AsyncClient
) -> tuple[MongoAccounts, MongoReplies, ReplySender]:
    accounts, replies = accounts_on(db), MongoReplies(db)
    return accounts, replies, sender(ports, replies, accounts, url, http)


@pytest.mark.parametrize(("platform", "edge"), [("facebook", "comments"), ("instagram", "replies")])
async def test_a_comment_is_answered_under_it_once_with_the_post_id_stored(
    ports: Ports,
    mongo_db: Database,
    clock: Clock,
    stub: StubPlatform,
    stub_url: str,
    platform: str,
    edge: str,
) -> None:
    case = await held_case(ports, platform)
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, platform)
        await replies.add(a_reply(case, clock))
        assert await send.send_next()
    [comment] = stub.posted(edge)
    assert (comment.parent, comment.author, comment.text) == (
        "ext-1",
        PAGE,
        "So sorry, we are on it",
    )
    sent = await stored(replies)
    assert (sent.state, sent.external_id) == ("sent", comment.id)


async def test_a_message_within_24_hours_goes_through_the_page(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports, "facebook")
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, "facebook")
        await replies.add(a_reply(case, clock, channel="direct"))
        assert await send.send_next()
    [message] = stub.posted("messages")
    assert (message.parent, message.text) == ("u1", "So sorry, we are on it")
    assert (await stored(replies)).external_id == message.id


async def test_a_message_after_24_hours_fails_at_once_and_says_why(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports, "instagram")
    clock.advance(hours=24)  # the customer wrote 24 h 59 min ago
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, "instagram")
        await replies.add(a_reply(case, clock, channel="direct"))
        assert await send.send_next()
    failed = await stored(replies)
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert "24-hour messaging window" in (failed.last_error or "")
    assert stub.calls == []


async def test_an_expired_page_token_fails_until_it_is_replaced(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports, "facebook")
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, "facebook", token="expired-page-token")
        await replies.add(a_reply(case, clock))
        assert await send.send_next()
        clock.advance(hours=1)
        assert not await send.send_next()
    failed = await stored(replies)
    assert failed.state == "failed"
    assert "Graph code 190/463" in (failed.last_error or "")
    assert "PUT to /v1/accounts/facebook/acme" in (failed.last_error or "")
    assert stub.posted("comments") == []


async def test_a_deleted_comment_fails_at_once(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports, "facebook")
    stub.deleted.add("ext-1")
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, "facebook")
        await replies.add(a_reply(case, clock))
        assert await send.send_next()
    failed = await stored(replies)
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert "deleted or cannot be seen (Graph code 100/33)" in (failed.last_error or "")


async def test_a_rate_limit_waits_as_long_as_meta_says(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports, "facebook")
    stub.fail("comments", "rate_limited")
    stub.regain_minutes = 10
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, "facebook")
        await replies.add(a_reply(case, clock))
        assert await send.send_next()
        waiting = await stored(replies)
        assert (waiting.state, waiting.next_attempt_at) == (
            "pending",
            clock() + timedelta(minutes=10),
        )
        clock.advance(minutes=9)
        assert not await send.send_next()
        clock.advance(minutes=1)
        assert await send.send_next()
    assert len(stub.posted("comments")) == 1
    assert (await stored(replies)).state == "sent"


@pytest.mark.parametrize(("platform", "edge"), [("facebook", "comments"), ("instagram", "replies")])
async def test_a_comment_made_before_a_5xx_is_found_not_posted_again(
    ports: Ports,
    mongo_db: Database,
    clock: Clock,
    stub: StubPlatform,
    stub_url: str,
    platform: str,
    edge: str,
) -> None:
    case = await held_case(ports, platform)
    stub.fail(edge, "posted_then_server_error")
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, platform)
        await replies.add(a_reply(case, clock))
        assert await send.send_next()
        assert (await stored(replies)).state == "pending"
        clock.advance(seconds=2)
        assert await send.send_next()
    [comment] = stub.posted(edge)
    assert stub.calls == [f"POST graph {edge}", f"GET graph list {edge}"]
    assert (await stored(replies)).external_id == comment.id


async def test_a_5xx_before_posting_is_retried_and_posts_once(
    ports: Ports, mongo_db: Database, clock: Clock, stub: StubPlatform, stub_url: str
) -> None:
    case = await held_case(ports, "instagram")
    stub.fail("replies", "server_error")
    async with httpx.AsyncClient() as http:
        accounts, replies, send = await _sending(ports, mongo_db, stub_url, http)
        await page_account(accounts, "instagram")
        await replies.add(a_reply(case, clock))
        assert await send.send_next()
        clock.advance(seconds=2)
        assert await send.send_next()
    assert len(stub.posted("replies")) == 1
    assert (await stored(replies)).state == "sent"
