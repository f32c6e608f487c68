"""The inbox's reads (pages after a position, search, the messages a row shows) on the fake and
on MongoDB."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from responder.adapters.inbox_reads import MongoInbox
from responder.domain.inbox import Position
from responder.domain.messages import Message
from responder.fakes import FakeCases, FakeInbox, FakeTimeline
from responder.ports import InboxReads

from .conftest import Backend, a_case, a_message

pytestmark = pytest.mark.integration


@pytest.fixture
def inbox(backend: Backend, mongo_db: Database) -> InboxReads:
    cases, timeline = backend.ports.cases, backend.ports.timeline
    if isinstance(cases, FakeCases) and isinstance(timeline, FakeTimeline):
        return FakeInbox(cases, timeline)
    return MongoInbox(mongo_db)


def customer(n: int, case: int, text: str, **fields: object) -> Message:
    return a_message(n, kind="customer", case_id=UUID(int=case), text=text, **fields)


async def test_pages_follow_the_inbox_order_after_a_position(
    backend: Backend, inbox: InboxReads
) -> None:
    due = BASE_TIME + timedelta(hours=1)
    await backend.save(
        a_case(1, priority_score=50.0, next_due=due),
        a_case(2, priority_score=50.0),  # no due time: before case 1
        a_case(3, priority_score=80.0, next_due=due + timedelta(hours=1)),
        a_case(4, priority_score=50.0, next_due=due),  # same as 1, opened later
        a_case(5, priority_score=10.0, next_due=due, queue="pr"),
    )
    everything = await inbox.page({}, [], None, 0, 10)
    assert [c.id.int for c in everything] == [3, 2, 1, 4, 5]
    first = await inbox.page({}, [], None, 0, 2)
    rest = await inbox.page({}, [], Position.of(first[-1]), 0, 10)
    assert [c.id.int for c in first + rest] == [3, 2, 1, 4, 5]
    after_one = await inbox.page({}, [], Position.of(everything[2]), 0, 10)
    assert [c.id.int for c in after_one] == [4, 5]
    assert [c.id.int for c in await inbox.page({"queue": "support"}, [], None, 1, 2)] == [2, 1]
    assert await inbox.count({"queue": "support"}, []) == 4


async def test_cases_are_searched_by_every_word_of_their_customers_messages(
    backend: Backend, inbox: InboxReads
) -> None:
    await backend.save(a_case(1), a_case(2), a_case(3, queue="pr"))
    timeline = backend.ports.timeline
    await timeline.add(customer(1, 1, "My Refund never came", handle="ann_b"))
    await timeline.add(customer(2, 2, "배송이 너무 늦어요 refund", name="Kim"))
    await timeline.add(customer(3, 3, "refund please"))
    await timeline.add(a_message(4, case_id=UUID(int=2), text="we refund nobody"))  # the brand's

    async def found(*words: str, **query: object) -> list[int]:
        return sorted(c.id.int for c in await inbox.page(query, words, None, 0, 10))

    assert await found("refund") == [1, 2, 3]
    assert await found("refund", "came") == [1]
    assert await found("ann_b") == [1]
    assert await found("kim") == [2]
    assert await found("배송이") == [2]
    assert await found("nobody") == []
    assert await found("refund", queue="pr") == [3]
    assert await inbox.count({"queue": "support"}, ["refund"]) == 2


async def test_a_row_shows_its_latest_customer_message(backend: Backend, inbox: InboxReads) -> None:
    timeline = backend.ports.timeline
    await timeline.add(customer(1, 1, "first"))
    await timeline.add(customer(2, 1, "second"))
    await timeline.add(a_message(3, case_id=UUID(int=1), text="the brand's answer"))
    await timeline.add(customer(4, 2, "other case"))
    latest = await inbox.latest_from_customers([UUID(int=1), UUID(int=9)])
    assert {case_id.int: m.text for case_id, m in latest.items()} == {1: "second"}
    shown = await inbox.messages([UUID(int=5001), UUID(int=5002), UUID(int=5004)], 2)
    assert [m.text for m in shown] == ["other case", "second"]
