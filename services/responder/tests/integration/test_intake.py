"""Mentions into cases, against the real database: each effect once, whatever the order."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from rapport.events import CaseState, Priority, RelationshipStage
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from responder.ports import Ports
from responder.use_cases.case_actions import set_state
from responder.use_cases.case_intake import take_mention

from .conftest import Clock, enriched, events_of

pytestmark = pytest.mark.integration
ALICE, BOB = UUID(int=1), UUID(int=2)


async def test_a_complaint_opens_a_case_and_publishes_it(ports: Ports, mongo_db: Database) -> None:
    event = enriched(1, score=-0.7, intents=["complaint"], conversation_id="c1")
    case = await take_mention(ports, event.payload)
    assert case is not None
    assert (case.queue, case.state, case.intents) == ("support", CaseState.OPEN, ["complaint"])
    assert case.opened_at == BASE_TIME + timedelta(minutes=1)
    (opened,) = await events_of(mongo_db, case.id)
    assert (opened["change"], opened["sequence"], opened["intents"]) == ("opened", 1, ["complaint"])


async def test_mentions_thread_once_even_when_redelivered(ports: Ports, mongo_db: Database) -> None:
    first, second = enriched(1, intents=["complaint"]), enriched(2, intents=["question"])
    for event in (first, second, first, second):
        case = await take_mention(ports, event.payload)
    assert case is not None
    stored = await ports.cases.get(case.id)
    assert stored is not None
    assert stored.mention_ids == [first.payload.mention_event_id, second.payload.mention_event_id]
    assert stored.intents == ["complaint", "question"]
    changes = [e["change"] for e in await events_of(mongo_db, case.id)]
    assert changes == ["opened", "mention_added"]


async def test_a_brand_reply_arriving_before_the_complaint_still_answers_it(
    ports: Ports, mongo_db: Database
) -> None:
    reply = enriched(5, author="brand", from_brand=True, score=0.3, in_reply_to="ext-1")
    assert await take_mention(ports, reply.payload) is None
    case = await take_mention(ports, enriched(1, intents=["complaint"]).payload)
    assert case is not None
    assert case.first_response_at == BASE_TIME + timedelta(minutes=5)
    assert case.state is CaseState.WAITING_ON_CUSTOMER
    messages = await ports.timeline.of_case(case.id)
    assert [(m.kind, m.external_id) for m in messages] == [
        ("customer", "ext-1"),
        ("brand", "ext-5"),
    ]
    assert [e["change"] for e in await events_of(mongo_db, case.id)] == ["opened", "replied"]


async def test_a_brand_reply_handled_at_the_same_moment_as_the_complaint_still_answers_it(
    ports: Ports, mongo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two lanes interleave: the complaint looked for replies before the reply was kept,
    and the reply looked for its case before the case was stored."""
    reply = enriched(5, author="brand", from_brand=True, score=0.3, in_reply_to="ext-1")
    assert await take_mention(ports, reply.payload) is None
    looked = ports.timeline.unattached_answers
    calls = 0

    async def before_the_reply_was_kept(case: Any) -> Any:
        nonlocal calls
        calls += 1
        return [] if calls == 1 else await looked(case)

    monkeypatch.setattr(ports.timeline, "unattached_answers", before_the_reply_was_kept)
    case = await take_mention(ports, enriched(1, intents=["complaint"]).payload)
    assert case is not None
    assert case.first_response_at == BASE_TIME + timedelta(minutes=5)
    assert [e["change"] for e in await events_of(mongo_db, case.id)] == ["opened", "replied"]
    assert await take_mention(ports, reply.payload) == case  # redelivered: no second answer


async def test_a_brand_post_in_the_conversation_answers_the_open_case(ports: Ports) -> None:
    case = await take_mention(
        ports, enriched(1, conversation_id="c9", intents=["question"]).payload
    )
    assert case is not None
    reply = enriched(3, author="brand", from_brand=True, score=0.3, conversation_id="c9")
    answered = await take_mention(ports, reply.payload)
    assert answered is not None
    assert answered.id == case.id
    assert answered.first_response_at == BASE_TIME + timedelta(minutes=3)
    assert await take_mention(ports, reply.payload) == answered  # redelivered: no second answer


async def test_reopen_within_the_window_and_a_new_case_after_it(ports: Ports, clock: Clock) -> None:
    case = await take_mention(ports, enriched(1, intents=["complaint"]).payload)
    assert case is not None
    await set_state(ports, case.id, CaseState.RESOLVED, None)
    clock.advance(hours=72)
    # Each complaint is posted at the clock's time: not history.
    reopened = await take_mention(
        ports, enriched(2, intents=["complaint"], created_at=clock()).payload
    )
    assert reopened is not None
    assert (reopened.id, reopened.state) == (case.id, CaseState.OPEN)
    await set_state(ports, case.id, CaseState.RESOLVED, None)
    clock.advance(hours=72, seconds=1)
    fresh = await take_mention(
        ports, enriched(3, intents=["complaint"], created_at=clock()).payload
    )
    assert fresh is not None
    assert fresh.id != case.id


async def test_praise_only_from_fans_and_at_low_priority(ports: Ports) -> None:
    casual = enriched(1, score=0.8, intents=["praise"])
    assert await take_mention(ports, casual.payload) is None
    fan = enriched(2, profile_id=BOB, score=0.8, intents=["praise"], stage=RelationshipStage.FAN)
    case = await take_mention(ports, fan.payload)
    assert case is not None
    assert (case.queue, case.priority) == ("community", Priority.LOW)


async def test_stored_rules_route_new_cases(ports: Ports) -> None:
    from responder.domain.routing import Rule

    rule = Rule.model_validate(
        {"order": 0, "conditions": {"keywords": ["grinder"]}, "queue": "grinders"}
    )
    await ports.routing_rules.put(UUID(int=77), rule)
    case = await take_mention(
        ports, enriched(1, text="grinder jammed", intents=["complaint"]).payload
    )
    assert case is not None
    assert case.queue == "grinders"


async def test_a_follow_up_in_the_conversation_joins_the_case_though_it_needs_nothing(
    ports: Ports,
) -> None:
    case = await take_mention(
        ports, enriched(1, intents=["complaint"], conversation_id="c1").payload
    )
    assert case is not None
    elsewhere = enriched(2, score=0.0, intents=["other"], conversation_id="c2")
    assert await take_mention(ports, elsewhere.payload) is None
    in_thread = enriched(3, score=0.0, intents=["other"], conversation_id="c1")
    followed = await take_mention(ports, in_thread.payload)
    assert followed is not None
    assert (followed.id, len(followed.mention_ids)) == (case.id, 2)
    assert followed.priority_score == case.priority_score


async def test_a_reply_to_another_customer_in_the_conversation_is_not_an_answer(
    ports: Ports,
) -> None:
    mine = await take_mention(
        ports, enriched(1, intents=["complaint"], conversation_id="c").payload
    )
    theirs = enriched(2, profile_id=BOB, author="bob", intents=["question"], conversation_id="c")
    reply = enriched(3, author="brand", from_brand=True, conversation_id="c", in_reply_to="ext-2")
    assert await take_mention(ports, reply.payload) is None  # bob's case is not open yet
    bobs = await take_mention(ports, theirs.payload)
    assert mine is not None
    assert bobs is not None
    assert bobs.first_response_at == BASE_TIME + timedelta(minutes=3)
    assert (await ports.cases.get(mine.id)).first_response_at is None  # type: ignore[union-attr]
