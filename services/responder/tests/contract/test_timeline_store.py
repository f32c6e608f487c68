"""The timeline port on the fake and on MongoDB."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events.factories import BASE_TIME
from responder.ports import Transaction

from .conftest import Backend, a_case, a_message

pytestmark = pytest.mark.integration


class TestTimelineStore:
    async def test_a_message_is_kept_once(self, backend: Backend) -> None:
        timeline = backend.ports.timeline
        await timeline.add(a_message(1, case_id=UUID(int=1)))
        await timeline.add(a_message(1, case_id=UUID(int=1), text="changed"))
        await timeline.add_all(
            [a_message(1, case_id=UUID(int=1)), a_message(2, case_id=UUID(int=1))]
        )
        kept = await timeline.of_case(UUID(int=1))
        assert [(m.id, m.text) for m in kept] == [
            (a_message(1).id, "message 1"),
            (a_message(2).id, "message 2"),
        ]

    async def test_unattached_brand_posts_answer_by_reply_or_by_conversation(
        self, backend: Backend
    ) -> None:
        timeline = backend.ports.timeline
        case = a_case(5, external_ids=["e1"], conversation_ids=["c"])
        posts = [
            a_message(10, in_reply_to="e1"),  # replies to the case's message
            a_message(11, conversation_id="c"),  # replies to nothing, in the conversation
            a_message(12, in_reply_to="other", conversation_id="c"),  # replies elsewhere
            a_message(1, in_reply_to="e1"),  # before the case opened
            a_message(13, in_reply_to="e1", kind="customer"),  # not the brand
            a_message(14, in_reply_to="e1", case_id=UUID(int=99)),  # attached already
        ]
        await timeline.add_all(posts)
        found = await timeline.unattached_answers(case)
        assert sorted(m.id for m in found) == [a_message(10).id, a_message(11).id]
        since = BASE_TIME - timedelta(hours=1)
        early = await timeline.unattached_posts(["e1"], [], since)
        assert sorted(m.id for m in early) == [a_message(1).id, a_message(10).id]

    async def test_threading_attaching_and_moving_in_a_transaction(self, backend: Backend) -> None:
        ports = backend.ports
        one, two = UUID(int=1), UUID(int=2)
        await ports.timeline.add_all([a_message(10), a_message(11)])

        async def work(tx: Transaction) -> None:
            customer = a_message(1, kind="customer", case_id=one)
            await tx.timeline.thread_all([(customer, [a_message(10).id])])
            await tx.timeline.attach([a_message(11).id], one)

        await ports.uow(work)
        threaded = [m.id for m in await ports.timeline.of_case(one)]
        assert threaded == [a_message(1).id, a_message(10).id, a_message(11).id]

        async def move(tx: Transaction) -> None:
            await tx.timeline.move(one, two)

        await ports.uow(move)
        assert await ports.timeline.of_case(one) == []
        assert [m.id for m in await ports.timeline.of_case(two)] == threaded
