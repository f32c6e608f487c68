"""Replies through a connector, against a real local HTTP server that fails, then succeeds."""

import json
import threading
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.mongo import Database
from rapport.testing import metric
from responder.adapters.connector_client import ConnectorClient
from responder.adapters.reply_store import MongoReplies
from responder.domain.agents import AgentIn
from responder.domain.case import Case
from responder.domain.replies import Reply
from responder.domain.retries import Retries
from responder.ports import Ports
from responder.use_cases import case_actions
from responder.use_cases.case_intake import take_mention
from responder.workers import ReplySender

from .conftest import Clock, enriched, events_of

pytestmark = pytest.mark.integration
REPLY = UUID(int=99)


class Platform:
    """A stub platform API: answers ``statuses`` in turn (the last one from then on)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[str | None, dict[str, Any]]] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                platform.requests.append((self.headers.get("Idempotency-Key"), body))
                status = platform.statuses[min(len(platform.requests), len(statuses)) - 1]
                answer = json.dumps({"id": "tweet-777"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/replies"

    def delivered(self) -> int:
        return sum(
            1
            for n in range(len(self.requests))
            if self.statuses[min(n, len(self.statuses) - 1)] < 300
        )


@pytest.fixture
def platform(request: pytest.FixtureRequest) -> Iterator[Platform]:
    stub = Platform(request.param)
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stub.server.shutdown()
        stub.server.server_close()


async def held_case(ports: Ports) -> Case:
    case = await take_mention(ports, enriched(1, intents=["complaint"]).payload)
    assert case is not None
    await ports.agents.put("ann", AgentIn(name="Ann", skills=["support"], capacity=5))
    return await case_actions.claim(ports, case.id, "ann")


async def sending(
    ports: Ports, replies: MongoReplies, url: str, http: httpx.AsyncClient
) -> ReplySender:
    return ReplySender(
        ports,
        replies,
        ConnectorClient({"x": url}, http),
        Retries(max_attempts=5, first_backoff_s=2, max_backoff_s=60, lease=timedelta(seconds=30)),
        poll_s=0.1,
    )


@dataclass(frozen=True)
class Counts:
    """Platform x's replies sent and failed (``GET /metrics``), since the process started."""

    sent: float
    retrying: float
    gave_up: float

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(*(a - b for a, b in zip(astuple(self), astuple(other), strict=True)))


def counts() -> Counts:
    failures = "rapport_reply_delivery_failures_total"
    return Counts(
        metric("rapport_replies_sent_total", platform="x") or 0,
        metric(failures, platform="x", outcome="retrying") or 0,
        metric(failures, platform="x", outcome="gave_up") or 0,
    )


def reply(case: Case, clock: Clock) -> Reply:
    return Reply.model_validate(
        {
            "_id": REPLY,
            "case_id": case.id,
            "agent": "ann",
            "platform": "x",
            "in_reply_to": "ext-1",
            "text": "So sorry, DM us",
            "created_at": clock(),
            "next_attempt_at": clock(),
        }
    )


@pytest.mark.parametrize("platform", [[503, 502, 200]], indirect=True)
async def test_retried_with_backoff_until_delivered_exactly_once(
    ports: Ports, mongo_db: Database, clock: Clock, platform: Platform
) -> None:
    case = await held_case(ports)
    replies = MongoReplies(mongo_db)
    before = counts()
    async with httpx.AsyncClient() as http:
        sender = await sending(ports, replies, platform.url, http)
        await replies.add(reply(case, clock))
        await replies.add(reply(case, clock))  # the agent pressed send twice
        assert await sender.send_next()  # 503
        assert not await sender.send_next()  # backing off: 2 s
        clock.advance(seconds=2)
        assert await sender.send_next()  # 502
        clock.advance(seconds=3.9)
        assert not await sender.send_next()  # backing off: 4 s
        clock.advance(seconds=0.1)
        assert await sender.send_next()  # 200
        clock.advance(hours=1)
        assert not await sender.send_next()  # nothing left, ever
    assert [key for key, _ in platform.requests] == [str(REPLY)] * 3
    assert platform.requests[0][1] == {
        "reply_id": str(REPLY),
        "platform": "x",
        "in_reply_to": "ext-1",
        "text": "So sorry, DM us",
    }
    assert platform.delivered() == 1
    assert counts() - before == Counts(sent=1, retrying=2, gave_up=0)
    sent = await replies.get(REPLY)
    assert sent is not None
    assert (sent.state, sent.attempts, sent.external_id) == ("sent", 2, "tweet-777")
    answered = await ports.cases.get(case.id)
    assert answered is not None
    assert answered.first_response_at == sent.sent_at
    changes = [e["change"] for e in await events_of(mongo_db, case.id)]
    assert changes == ["opened", "assigned", "replied"]
    kinds = [m.kind for m in await ports.timeline.of_case(case.id)]
    assert kinds == ["customer", "agent"]


@pytest.mark.parametrize("platform", [[400]], indirect=True)
async def test_a_refused_reply_fails_without_retrying(
    ports: Ports, mongo_db: Database, clock: Clock, platform: Platform
) -> None:
    case = await held_case(ports)
    replies = MongoReplies(mongo_db)
    before = counts()
    async with httpx.AsyncClient() as http:
        sender = await sending(ports, replies, platform.url, http)
        await replies.add(reply(case, clock))
        assert await sender.send_next()
        clock.advance(hours=1)
        assert not await sender.send_next()
    failed = await replies.get(REPLY)
    assert failed is not None
    assert (failed.state, failed.last_error) == ("failed", "HTTP 400")
    assert len(platform.requests) == 1
    assert counts() - before == Counts(sent=0, retrying=0, gave_up=1)


@pytest.mark.parametrize("platform", [[200]], indirect=True)
async def test_a_sender_that_died_mid_delivery_is_retried_under_the_same_id(
    ports: Ports, mongo_db: Database, clock: Clock, platform: Platform
) -> None:
    case = await held_case(ports)
    replies = MongoReplies(mongo_db)
    await replies.add(reply(case, clock))
    assert await replies.lease(clock(), timedelta(seconds=30))  # then died
    async with httpx.AsyncClient() as http:
        sender = await sending(ports, replies, platform.url, http)
        assert not await sender.send_next()  # still leased
        clock.advance(seconds=30)
        assert await sender.send_next()
    assert [key for key, _ in platform.requests] == [str(REPLY)]
    assert (await replies.get(REPLY)).state == "sent"  # type: ignore[union-attr]
