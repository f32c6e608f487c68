"""Mentions into cases a batch at a time (``use_cases.case_intake_batches``) on the fakes: the
same cases, events and messages as one by one, in fewer transactions."""

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

from rapport.events import EnrichedMention
from rapport.events.factories import BASE_TIME
from rapport.testing import MovableClock
from responder.fakes import Fakes
from responder.use_cases.case_intake import take_mention
from responder.use_cases.case_intake_batches import take_mentions

from .conftest import conflicting_once, mention

BOB, CAROL = UUID(int=2), UUID(int=3)


def a_batch() -> list[EnrichedMention]:
    """Two customers complaining and following up, the brand answering one of them (its reply
    first: posts are kept before the customers' mentions look for answers), a brand post
    answering nobody and a mention that needs nobody."""
    brand: dict[str, Any] = {"author": "brand", "from_brand": True, "score": 0.3}
    return [
        mention(3, **brand, in_reply_to="ext-2"),
        mention(1, intents=["complaint"], conversation_id="a"),
        mention(2, profile_id=BOB, author="bob", intents=["question"]),
        mention(4, intents=["other"], score=0.0, conversation_id="a"),
        mention(5, profile_id=CAROL, author="carol", intents=["praise"], score=0.9),
        mention(6, **brand, conversation_id="z"),
        mention(1, intents=["complaint"], conversation_id="a"),  # delivered twice
    ]


def state(fakes: Fakes) -> Any:
    cases = {case_id: case.model_dump() for case_id, case in fakes.cases.cases.items()}
    events = sorted(
        (e.payload.case_id, e.payload.sequence, e.payload.change) for e in fakes.cases.published
    )
    messages = {m.id: (m.kind, m.case_id) for m in fakes.timeline.messages.values()}
    return cases, events, messages


async def taken_one_by_one(clock: MovableClock) -> Fakes:
    fakes = Fakes(clock)
    for each in a_batch():
        await take_mention(fakes.ports(), each)
    return fakes


async def test_a_batch_stores_what_one_by_one_would_in_one_transaction(
    clock: MovableClock,
) -> None:
    one_by_one, batched = await taken_one_by_one(clock), Fakes(clock)
    cases = await take_mentions(batched.ports(), a_batch())
    assert state(batched) == state(one_by_one)
    assert [c is None for c in cases] == [True, False, False, False, True, True, False]
    assert cases[1] == cases[3] == cases[6]
    assert batched.uow.committed < one_by_one.uow.committed
    again = await take_mentions(batched.ports(), a_batch())  # the batch delivered again
    assert again == cases
    assert state(batched) == state(one_by_one)


async def test_a_batch_another_writer_changed_meanwhile_is_taken_one_by_one(
    clock: MovableClock,
) -> None:
    one_by_one, batched = await taken_one_by_one(clock), Fakes(clock)
    racing = replace(batched.ports(), uow=conflicting_once(batched.uow))
    await take_mentions(racing, a_batch())
    assert state(batched) == state(one_by_one)


async def test_a_batch_of_imports_keeps_platform_order_in_the_case(clock: MovableClock) -> None:
    fakes = Fakes(clock)
    late_first = [mention(9, intents=["complaint"]), mention(2, intents=["question"])]
    (first, second) = await take_mentions(fakes.ports(), late_first)
    assert first is not None
    assert second is not None
    assert first.id == second.id
    assert second.opened_at == BASE_TIME + timedelta(minutes=2)
