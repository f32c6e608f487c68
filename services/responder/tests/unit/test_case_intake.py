"""Mentions into cases (``use_cases.case_intake``) on the fakes: open, join, reopen, answer."""

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events import CaseState, Intent, Priority, RelationshipStage
from rapport.events.factories import BASE_TIME
from rapport.testing import MovableClock
from responder.domain.routing import Rule
from responder.fakes import Fakes
from responder.ports import CaseConflict, Ports, Transaction, Work
from responder.use_cases.case_actions import set_state
from responder.use_cases.case_intake import take_mention

from .conftest import BOB, conflicting_once, mention


def changes_of(fakes: Fakes, case_id: UUID) -> list[str]:
    return [e.payload.change for e in fakes.cases.published if e.payload.case_id == case_id]


async def test_a_complaint_opens_a_case_with_its_message(ports: Ports, fakes: Fakes) -> None:
    case = await take_mention(ports, mention(1, intents=["complaint"], conversation_id="c1"))
    assert case is not None
    assert (case.queue, case.state, case.intents) == ("support", CaseState.OPEN, [Intent.COMPLAINT])
    assert case.opened_at == BASE_TIME + timedelta(minutes=1)
    assert case.priority is not Priority.LOW
    assert case.next_due is not None
    assert changes_of(fakes, case.id) == ["opened"]
    assert [m.kind for m in await fakes.timeline.of_case(case.id)] == ["customer"]


async def test_a_second_mention_joins_the_case_once_however_often_delivered(
    ports: Ports, fakes: Fakes
) -> None:
    first, second = mention(1, intents=["complaint"]), mention(2, intents=["question"])
    for each in (first, second, first, second):
        case = await take_mention(ports, each)
    assert case is not None
    assert case.mention_ids == [first.mention_event_id, second.mention_event_id]
    assert case.intents == [Intent.COMPLAINT, Intent.QUESTION]
    assert changes_of(fakes, case.id) == ["opened", "mention_added"]


async def test_praise_needs_no_human_unless_a_fan_says_it(ports: Ports, fakes: Fakes) -> None:
    assert await take_mention(ports, mention(1, intents=["praise"], score=0.8)) is None
    assert await take_mention(ports, mention(2, intents=["spam"], score=-0.9)) is None
    fan = RelationshipStage.FAN
    case = await take_mention(ports, mention(3, intents=["praise"], score=0.8, stage=fan))
    assert case is not None
    assert (case.queue, case.priority) == ("community", Priority.LOW)
    assert len(fakes.cases.cases) == 1


async def test_a_neutral_follow_up_in_the_case_conversation_joins_it(ports: Ports) -> None:
    opened = await take_mention(ports, mention(1, intents=["complaint"], conversation_id="c"))
    follow_up = mention(2, intents=["other"], score=0.0, conversation_id="c")
    joined = await take_mention(ports, follow_up)
    assert opened is not None
    assert joined is not None
    assert joined.id == opened.id
    assert len(joined.mention_ids) == 2
    elsewhere = mention(3, intents=["other"], score=0.0, conversation_id="d")
    assert await take_mention(ports, elsewhere) is None


async def test_a_mention_within_the_window_reopens_after_it_opens_anew(
    ports: Ports, fakes: Fakes, clock: MovableClock
) -> None:
    case = await take_mention(ports, mention(1, intents=["complaint"]))
    assert case is not None
    await set_state(ports, case.id, CaseState.RESOLVED, None)
    reopened = await take_mention(ports, mention(2, intents=["complaint"]))
    assert reopened is not None
    assert (reopened.id, reopened.active) == (case.id, True)
    assert changes_of(fakes, case.id)[-1] == "reopened"
    await set_state(ports, case.id, CaseState.RESOLVED, None)
    clock.advance(hours=73)
    later = await take_mention(ports, mention(3, intents=["complaint"]))
    assert later is not None
    assert later.id != case.id


async def test_a_stored_routing_rule_routes_before_the_defaults(ports: Ports, fakes: Fakes) -> None:
    rule = Rule.model_validate(
        {"order": 1, "conditions": {"keywords": ["refund"]}, "queue": "billing"}
    )
    await fakes.routing_rules.put(UUID(int=7), rule)
    case = await take_mention(ports, mention(1, intents=["complaint"], text="refund please"))
    assert case is not None
    assert case.queue == "billing"


async def test_a_brand_reply_before_the_complaint_still_answers_it(
    ports: Ports, fakes: Fakes
) -> None:
    reply = mention(5, author="brand", from_brand=True, score=0.3, in_reply_to="ext-1")
    assert await take_mention(ports, reply) is None
    case = await take_mention(ports, mention(1, intents=["complaint"]))
    assert case is not None
    assert case.first_response_at == BASE_TIME + timedelta(minutes=5)
    assert case.state is CaseState.WAITING_ON_CUSTOMER
    kinds = [(m.kind, m.external_id) for m in await fakes.timeline.of_case(case.id)]
    assert kinds == [("customer", "ext-1"), ("brand", "ext-5")]
    assert changes_of(fakes, case.id) == ["opened", "replied"]


async def test_a_brand_reply_after_the_complaint_answers_it_once(
    ports: Ports, fakes: Fakes
) -> None:
    case = await take_mention(ports, mention(1, intents=["complaint"]))
    reply = mention(3, author="brand", from_brand=True, score=0.3, in_reply_to="ext-1")
    answered = await take_mention(ports, reply)
    assert case is not None
    assert answered is not None
    assert answered.first_response_at == BASE_TIME + timedelta(minutes=3)
    assert await take_mention(ports, reply) == answered  # redelivered: no second answer
    assert changes_of(fakes, case.id) == ["opened", "replied"]


async def test_a_brand_post_older_than_the_case_answers_nothing(ports: Ports, fakes: Fakes) -> None:
    case = await take_mention(ports, mention(5, intents=["complaint"], conversation_id="c"))
    old = mention(1, author="brand", from_brand=True, score=0.3, conversation_id="c")
    assert await take_mention(ports, old) is None
    assert case is not None
    assert changes_of(fakes, case.id) == ["opened"]


async def test_another_writer_first_means_starting_again_from_what_is_stored(
    ports: Ports, fakes: Fakes
) -> None:
    racing = replace(ports, uow=conflicting_once(ports.uow))
    case = await take_mention(racing, mention(1, intents=["complaint"]))
    assert case is not None
    assert changes_of(fakes, case.id) == ["opened"]
    other = await take_mention(
        ports, mention(2, profile_id=BOB, author="bob", intents=["question"])
    )
    assert other is not None
    assert other.id != case.id


async def test_a_failed_transaction_changes_nothing_and_later_ones_see_the_profiles(
    ports: Ports, fakes: Fakes
) -> None:
    async def failing_at_commit(work: Work) -> None:
        async def then_conflict(tx: Transaction) -> None:
            await work(tx)
            raise CaseConflict("another writer")

        await fakes.uow(then_conflict)

    with pytest.raises(CaseConflict):
        await take_mention(replace(ports, uow=failing_at_commit), mention(1, intents=["complaint"]))
    assert (fakes.cases.cases, fakes.cases.published, fakes.timeline.messages) == ({}, [], {})
    fan = mention(1, stage=RelationshipStage.FAN).profile
    await fakes.profiles.remember(
        fan.model_copy(update={"last_seen": BASE_TIME + timedelta(hours=1)})
    )
    case = await take_mention(ports, mention(2, intents=["praise"], score=0.9))
    assert case is not None
    assert case.queue == "community"  # the kept snapshot, later than the delivered one: a fan
