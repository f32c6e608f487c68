"""History (``use_cases.case_intake`` and ``crisis_alerts`` on the fakes): posts older than the
live window (72 h; the clock stands at BASE_TIME + 1 h) open no live case and raise no alert,
and a brand reply in the history marks its thread answered."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events import CaseState, EnrichedMention
from rapport.events.factories import BASE_TIME
from responder.fakes import Fakes
from responder.ports import Ports
from responder.use_cases import case_actions
from responder.use_cases.case_changes import CaseError
from responder.use_cases.case_intake import take_mention
from responder.use_cases.case_intake_batches import take_mentions
from responder.use_cases.crisis_alerts import watch_all

from .conftest import mention

OLD = BASE_TIME - timedelta(days=4)


def old(n: int, **fields: object) -> EnrichedMention:
    return mention(n, created_at=OLD + timedelta(minutes=n), **fields)


async def test_an_old_complaint_opens_an_inactive_case_of_history(ports: Ports) -> None:
    case = await take_mention(ports, old(1, intents=["complaint"]))
    assert case is not None
    assert (case.historical, case.active, case.next_due) == (True, False, None)
    again = await take_mention(ports, old(2, intents=["complaint"]))
    assert again is not None
    assert (again.id, len(again.mention_ids)) == (case.id, 2)


async def test_a_brand_reply_in_the_history_marks_it_answered(ports: Ports) -> None:
    await take_mention(ports, old(1, intents=["complaint"]))
    reply = old(3, author="brand", from_brand=True, score=0.3, in_reply_to="ext-1")
    answered = await take_mention(ports, reply)
    assert answered is not None
    assert answered.first_response_at == OLD + timedelta(minutes=3)
    assert (answered.state, answered.active) == (CaseState.WAITING_ON_CUSTOMER, False)


async def test_a_live_complaint_after_history_opens_a_live_case(ports: Ports) -> None:
    history = await take_mention(ports, old(1, intents=["complaint"]))
    live = await take_mention(ports, mention(2, intents=["complaint"]))
    assert history is not None
    assert live is not None
    assert live.id != history.id
    assert (live.historical, live.active) == (False, True)
    assert live.next_due is not None


async def test_history_never_joins_a_live_case(ports: Ports, fakes: Fakes) -> None:
    live = await take_mention(ports, mention(2, intents=["complaint"]))
    history = await take_mention(ports, old(1, intents=["complaint"]))
    assert live is not None
    assert history is not None
    assert history.id != live.id
    assert history.historical
    assert await fakes.cases.get(live.id) == live


async def test_old_negatives_raise_no_alert_where_live_ones_do(ports: Ports, fakes: Fakes) -> None:
    async def complaints(made: list[EnrichedMention]) -> None:
        cases = await take_mentions(ports, made)
        watched = [(e.mention_event_id, e.mention, c) for e, c in zip(made, cases, strict=True)]
        await watch_all(ports, fakes.alerts, watched)

    authors = range(1, 5)
    await complaints(
        [
            old(n, author=f"c{n}", profile_id=UUID(int=500 + n), intents=["complaint"])
            for n in authors
        ]
    )
    assert fakes.alerts.published == []
    assert {c.queue for c in fakes.cases.cases.values()} == {"support"}
    await complaints(
        [
            mention(n, author=f"d{n}", profile_id=UUID(int=600 + n), intents=["complaint"])
            for n in authors
        ]
    )
    assert fakes.alerts.published != []


async def test_a_batch_of_history_threads_like_one_at_a_time(ports: Ports, fakes: Fakes) -> None:
    cases = await take_mentions(
        ports, [old(1, intents=["complaint"]), old(2, intents=["question"])]
    )
    assert cases[0] is not None
    assert cases[1] is not None
    assert cases[0].id == cases[1].id
    stored = await fakes.cases.get(cases[0].id)
    assert stored is not None
    assert (stored.historical, stored.active, len(stored.mention_ids)) == (True, False, 2)


async def test_a_case_of_history_cannot_be_claimed_or_resolved(ports: Ports) -> None:
    case = await take_mention(ports, old(1, intents=["complaint"]))
    assert case is not None
    with pytest.raises(CaseError, match="history"):
        await case_actions.claim(ports, case.id, "ann", steal=True)
    with pytest.raises(CaseError, match="history"):
        await case_actions.set_state(ports, case.id, CaseState.RESOLVED, None)
