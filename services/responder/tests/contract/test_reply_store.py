"""Agents' replies on the fake and on MongoDB: leased before they are sent, retried later."""

from datetime import timedelta

import pytest

from rapport.events.factories import BASE_TIME
from responder.ports import Transaction

from .conftest import Backend, a_reply

pytestmark = pytest.mark.integration
LEASE = timedelta(seconds=30)


class TestReplyStore:
    async def test_a_reply_is_kept_once_and_listed_by_case(self, backend: Backend) -> None:
        replies = backend.replies
        first = await replies.add(a_reply(1))
        assert await replies.add(a_reply(1, text="again")) == first
        assert [r.text for r in await replies.of_case(first.case_id)] == ["sorry"]

    async def test_the_next_due_reply_is_leased_to_one_sender(self, backend: Backend) -> None:
        replies = backend.replies
        await replies.add(a_reply(2))
        await replies.add(a_reply(1))
        now = BASE_TIME + timedelta(minutes=5)
        leased = await replies.lease(now, LEASE)
        assert leased is not None
        assert (leased.id, leased.state) == (a_reply(1).id, "sending")
        second = await replies.lease(now, LEASE)
        assert second is not None
        assert second.id == a_reply(2).id
        assert await replies.lease(now, LEASE) is None
        again = await replies.lease(now + LEASE, LEASE)  # the first sender died
        assert again is not None
        assert again.id == a_reply(1).id

    async def test_a_failed_delivery_waits_or_fails_and_a_sent_one_is_done(
        self, backend: Backend
    ) -> None:
        replies = backend.replies
        for n in (1, 2, 3):
            await replies.add(a_reply(n))
        now = BASE_TIME + timedelta(minutes=5)
        one, two, three = [await replies.lease(now, LEASE) for _ in range(3)]
        assert one is not None
        assert two is not None
        assert three is not None
        later = now + timedelta(minutes=1)
        await replies.retry_later(one, "HTTP 503", later)
        await replies.retry_later(two, "HTTP 400", None)

        async def sent(tx: Transaction) -> None:
            await tx.replies.mark_sent(three, now, "ext-3")

        await backend.ports.uow(sent)
        waiting, failed, done = [await replies.get(r.id) for r in (one, two, three)]
        assert waiting is not None
        assert failed is not None
        assert done is not None
        assert (waiting.state, waiting.attempts, waiting.next_attempt_at) == ("pending", 1, later)
        assert (failed.state, failed.last_error, failed.lease_until) == ("failed", "HTTP 400", None)
        assert (done.state, done.sent_at, done.external_id) == ("sent", now, "ext-3")
        assert await replies.lease(now, LEASE) is None
        assert (await replies.lease(later, LEASE)).id == one.id  # type: ignore[union-attr]

    async def test_only_a_failed_reply_not_superseded_is_retried_now(
        self, backend: Backend
    ) -> None:
        replies = backend.replies
        for n in (1, 2):
            await replies.add(a_reply(n))
        now = BASE_TIME + timedelta(minutes=5)
        one, two = [await replies.lease(now, LEASE) for _ in range(2)]
        assert one is not None
        assert two is not None
        assert await replies.retry_now(one.id, now) is None  # sending, not failed
        await replies.retry_later(one, "HTTP 400", None)
        await replies.retry_later(two, "HTTP 400", None)
        later = now + timedelta(minutes=1)
        again = await replies.retry_now(one.id, later)
        assert again is not None
        assert (again.state, again.attempts, again.next_attempt_at) == ("pending", 0, later)
        assert again.leased == 1  # the connector still knows a send was started
        assert await replies.retry_now(one.id, later) is None  # pending already
        edit = a_reply(3).id
        superseded = await replies.supersede(two.id, edit)
        assert superseded is not None
        assert superseded.superseded_by == edit
        assert await replies.supersede(two.id, edit) is not None  # the same edit again
        assert await replies.supersede(two.id, a_reply(4).id) is None  # another edit
        assert await replies.retry_now(two.id, later) is None
        assert await replies.supersede(one.id, edit) is None  # pending: not failed
