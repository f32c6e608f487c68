"""Each consumed event against the real database: what it earns, once."""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

import pytest

from loyalty.consumers import event_handlers
from loyalty.parts import Parts
from rapport.events import Event, RelationshipStage
from rapport.kafka.consumer import dispatch
from rapport.mongo import Database
from rapport.testing import MovableClock
from services.loyalty.tests.integration.builders import (
    case_changed,
    mention_by,
    profile_changed,
    snapshot,
)
from services.loyalty.tests.integration.conftest import outboxed, settings

pytestmark = pytest.mark.integration
EVANGELIST = RelationshipStage.EVANGELIST


@pytest.fixture
def handle(services: Parts) -> Callable[[Event], Awaitable[None]]:
    return dispatch(event_handlers(services, settings()))


Handle = Callable[[Event], Awaitable[None]]


async def earned(services: Parts, profile_id: UUID) -> dict[str, Any]:
    """rule -> points credited, and the balance."""
    member = await services.ledger.member(profile_id, entries=500)
    if member is None:
        return {}
    credited = [e for e in member["ledger"] if e["status"] == "credited"]
    rules = sorted(e["rule"] for e in credited)
    return {"rules": rules, "balance": member["balance"]}


async def test_a_positive_post_with_a_link_earns_the_post_and_the_content_once(
    services: Parts, handle: Handle, mongo_db: Database
) -> None:
    ann = uuid4()
    event = mention_by(ann, url="https://example.com/latte.jpg")
    await handle(event)
    await handle(event)
    assert await earned(services, ann) == {"rules": ["positive_mention", "ugc"], "balance": 25}
    announced = [e.payload.entry_id for e in await outboxed(mongo_db)]
    cause = event.payload.mention_event_id
    assert announced == [f"positive_mention:{cause}", f"ugc:{cause}"]


async def test_a_quote_post_earns_a_share(services: Parts, handle: Handle) -> None:
    ann = uuid4()
    await handle(mention_by(ann, score=0.0, quote_of="brand-post-9"))
    assert await earned(services, ann) == {"rules": ["share"], "balance": 5}


async def test_a_spam_flagged_author_earns_nothing_afterwards(
    services: Parts, handle: Handle, clock: MovableClock
) -> None:
    bot = uuid4()
    await handle(mention_by(bot, intents=["spam"]))
    await handle(mention_by(bot))
    assert await earned(services, bot) == {"rules": [], "balance": 0}
    clock.advance(days=31)
    await handle(mention_by(bot))
    assert (await earned(services, bot))["balance"] == 10


async def test_an_evangelist_answering_another_customers_question_earns_helping(
    services: Parts, handle: Handle
) -> None:
    asker, helper = uuid4(), uuid4()
    question = mention_by(asker, score=0.0, intents=["question"])
    await handle(question)
    reply = mention_by(helper, 0.0, EVANGELIST, in_reply_to=question.payload.mention.external_id)
    await handle(reply)
    assert await earned(services, helper) == {"rules": ["helping"], "balance": 20}
    assert await earned(services, asker) == {}


async def test_answering_nothing_or_ones_own_question_is_not_helping(
    services: Parts, handle: Handle
) -> None:
    asker = uuid4()
    question = mention_by(asker, score=0.0, intents=["question"])
    await handle(question)
    external_id = question.payload.mention.external_id
    await handle(mention_by(asker, 0.0, EVANGELIST, in_reply_to=external_id))
    fan = uuid4()
    await handle(mention_by(fan, 0.0, RelationshipStage.FAN, in_reply_to=external_id))
    stranger = uuid4()
    await handle(mention_by(stranger, 0.0, EVANGELIST, in_reply_to="never-asked"))
    for who in (asker, fan, stranger):
        assert await earned(services, who) in ({}, {"rules": [], "balance": 0})


async def test_becoming_a_fan_then_an_evangelist_earns_each_bonus_once(
    services: Parts, handle: Handle
) -> None:
    ann = uuid4()
    fan = snapshot(ann, RelationshipStage.FAN)
    await handle(profile_changed(fan, "stage_changed", "first"))
    await handle(profile_changed(fan, "stage_changed", "first"))
    await handle(profile_changed(fan, "stage_changed", "again-later"))
    await handle(profile_changed(snapshot(ann, EVANGELIST), "stage_changed", "third"))
    found = await earned(services, ann)
    assert found == {"rules": ["evangelist_bonus", "fan_bonus"], "balance": 150}


async def test_an_answered_complaint_resolved_earns_the_recovery_gesture_once_per_case(
    services: Parts, handle: Handle
) -> None:
    ann, case = uuid4(), uuid4()
    steps = ["opened", "replied", "resolved", "reopened", "resolved"]
    for sequence, change in enumerate(steps, 1):
        await handle(case_changed(ann, case, sequence, change, ["complaint"], answered=True))
    await handle(case_changed(ann, case, 3, "resolved", ["complaint"], answered=True))  # again
    await handle(case_changed(ann, uuid4(), 3, "resolved", ["question"], answered=True))
    assert await earned(services, ann) == {"rules": ["recovery"], "balance": 25}


async def test_a_complaint_closed_without_any_reply_earns_nothing(
    services: Parts, handle: Handle
) -> None:
    ann, case = uuid4(), uuid4()
    for sequence, change in enumerate(["opened", "resolved", "reopened", "resolved"], 1):
        await handle(case_changed(ann, case, sequence, change, ["complaint"]))
    assert await earned(services, ann) == {}


async def test_a_merge_moves_balances_and_entries_to_the_survivor_once(
    services: Parts, handle: Handle
) -> None:
    survivor, absorbed = uuid4(), uuid4()
    await handle(mention_by(survivor))
    await handle(profile_changed(snapshot(absorbed, RelationshipStage.FAN), "stage_changed"))
    merged = profile_changed(snapshot(survivor), "merged", related_profile_ids=[absorbed])
    await handle(merged)
    await handle(merged)
    assert await earned(services, survivor) == {
        "rules": ["fan_bonus", "positive_mention"],
        "balance": 60,
    }
    assert await services.members.get(absorbed) is None
