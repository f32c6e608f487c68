"""Agents' replies out through the connector (``use_cases.reply_delivery``) on the fakes."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.testing import MovableClock
from responder.domain.case import Case
from responder.domain.replies import Reply
from responder.domain.retries import Retries
from responder.fakes import Fakes
from responder.ports import DeliveryFailed, Ports
from responder.use_cases.case_intake import take_mention
from responder.use_cases.reply_delivery import send_next

from .conftest import mention

RETRIES = Retries(max_attempts=3, first_backoff_s=2, max_backoff_s=60, lease=timedelta(seconds=30))


class Connector:
    """Answers each delivery with the next of ``outcomes`` (an id, or a failure)."""

    def __init__(self, *outcomes: str | DeliveryFailed) -> None:
        self.outcomes, self.sent = list(outcomes), list[UUID]()

    async def deliver(self, reply: Reply) -> str | None:
        self.sent.append(reply.id)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, DeliveryFailed):
            raise outcome
        return outcome


@pytest.fixture
async def case(ports: Ports) -> Case:
    opened = await take_mention(ports, mention(1, intents=["complaint"]))
    assert opened is not None
    return opened


async def waiting_reply(fakes: Fakes, case: Case, clock: MovableClock) -> Reply:
    reply = {"_id": UUID(int=77), "case_id": case.id, "agent": "ann", "platform": "x"}
    now = {"created_at": clock.now, "next_attempt_at": clock.now}
    return await fakes.replies.add(
        Reply.model_validate({**reply, **now, "in_reply_to": "ext-1", "text": "sorry"})
    )


async def test_a_delivered_reply_is_sent_and_answers_its_case(
    ports: Ports, fakes: Fakes, case: Case, clock: MovableClock
) -> None:
    reply = await waiting_reply(fakes, case, clock)
    assert await send_next(ports, fakes.replies, Connector("ext-9"), RETRIES)
    sent = await fakes.replies.get(reply.id)
    assert sent is not None
    assert (sent.state, sent.external_id) == ("sent", "ext-9")
    answered = await fakes.cases.get(case.id)
    assert answered is not None
    assert answered.first_response_at == clock.now
    kinds = [(m.kind, m.external_id) for m in await fakes.timeline.of_case(case.id)]
    assert kinds == [("customer", "ext-1"), ("agent", "ext-9")]
    assert not await send_next(ports, fakes.replies, Connector(), RETRIES)


async def test_a_failed_delivery_waits_doubling_then_gives_up(
    ports: Ports, fakes: Fakes, case: Case, clock: MovableClock
) -> None:
    reply = await waiting_reply(fakes, case, clock)
    connector = Connector(*(DeliveryFailed("HTTP 503") for _ in range(3)))
    start = clock.now
    for waited in (2, 4):
        assert await send_next(ports, fakes.replies, connector, RETRIES)
        waiting = await fakes.replies.get(reply.id)
        assert waiting is not None
        assert waiting.state == "pending"
        assert waiting.next_attempt_at == clock.now + timedelta(seconds=waited)
        clock.now = waiting.next_attempt_at
    assert await send_next(ports, fakes.replies, connector, RETRIES)
    failed = await fakes.replies.get(reply.id)
    assert failed is not None
    assert (failed.state, failed.attempts) == ("failed", 3)
    assert clock.now == start + timedelta(seconds=6)
    assert (await fakes.cases.get(case.id)).first_response_at is None  # type: ignore[union-attr]


async def test_a_refused_reply_fails_at_once(
    ports: Ports, fakes: Fakes, case: Case, clock: MovableClock
) -> None:
    reply = await waiting_reply(fakes, case, clock)
    refused = Connector(DeliveryFailed("HTTP 400", permanent=True))
    assert await send_next(ports, fakes.replies, refused, RETRIES)
    failed = await fakes.replies.get(reply.id)
    assert failed is not None
    assert (failed.state, failed.attempts) == ("failed", 1)


async def test_a_rate_limited_reply_waits_for_the_platforms_time_without_using_up_attempts(
    ports: Ports, fakes: Fakes, case: Case, clock: MovableClock
) -> None:
    reply = await waiting_reply(fakes, case, clock)
    resets = [clock.now + timedelta(minutes=15 * n) for n in range(1, RETRIES.max_attempts + 1)]
    connector = Connector(*(DeliveryFailed("rate limited", retry_at=at) for at in resets), "ext-9")
    for reset in resets:
        assert await send_next(ports, fakes.replies, connector, RETRIES)
        waiting = await fakes.replies.get(reply.id)
        assert waiting is not None
        assert (waiting.state, waiting.next_attempt_at) == ("pending", reset)
        clock.now = reset
    assert await send_next(ports, fakes.replies, connector, RETRIES)
    sent = await fakes.replies.get(reply.id)
    assert sent is not None
    assert (sent.state, sent.leased) == ("sent", RETRIES.max_attempts + 1)
