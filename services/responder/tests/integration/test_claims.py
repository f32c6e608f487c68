"""Assignment under concurrency, on the real database: each case to exactly one agent."""

import asyncio
from uuid import UUID

import pytest

from rapport.events import CaseState
from rapport.mongo import Database
from responder import actions
from responder.desk import CaseError, Desk
from responder.domain.case import Case
from responder.intake import take_mention
from responder.stores.agents import AgentIn, AgentUnavailable

from .conftest import enriched, events_of

pytestmark = pytest.mark.integration
AGENTS = [f"agent{n}" for n in range(8)]


async def open_cases(desk: Desk, count: int) -> list[Case]:
    cases = []
    for n in range(count):
        event = enriched(
            n + 1, profile_id=UUID(int=1000 + n), author=f"c{n}", intents=["complaint"]
        )
        case = await take_mention(desk, event.payload)
        assert case is not None
        cases.append(case)
    return cases


async def register(desk: Desk, capacity: int = 100) -> None:
    for agent in AGENTS:
        await desk.agents.put(agent, AgentIn(name=agent, skills=["support"], capacity=capacity))


async def attempt(desk: Desk, case: Case, agent: str) -> str | None:
    try:
        await actions.claim(desk, case.id, agent)
    except actions.CaseTaken:
        return None
    return agent


async def test_many_agents_claiming_at_once_each_case_goes_to_exactly_one(
    desk: Desk, mongo_db: Database
) -> None:
    cases = await open_cases(desk, 6)
    await register(desk)
    claims = [attempt(desk, case, agent) for case in cases for agent in AGENTS]
    winners = await asyncio.gather(*claims)
    for index, case in enumerate(cases):
        won = [w for w in winners[index * len(AGENTS) : (index + 1) * len(AGENTS)] if w]
        assert len(won) == 1
        stored = await desk.cases.get(case.id)
        assert stored is not None
        assert (stored.assignee, stored.state) == (won[0], CaseState.ASSIGNED)
        assigned = [e for e in await events_of(mongo_db, case.id) if e["change"] == "assigned"]
        assert [e["assignee"] for e in assigned] == won
    loads = {a.id: a.load for a in await desk.agents.all()}
    assert sum(loads.values()) == len(cases)
    assert loads == {a: sum(1 for w in winners if w == a) for a in AGENTS}


async def test_an_agent_never_goes_over_capacity(desk: Desk) -> None:
    cases = await open_cases(desk, 5)
    await register(desk, capacity=2)

    async def claim(case: Case) -> bool:
        try:
            await actions.claim(desk, case.id, "agent0")
        except AgentUnavailable:
            return False
        return True

    taken = await asyncio.gather(*(claim(case) for case in cases))
    assert sum(taken) == 2
    assert (await desk.agents.get("agent0")).load == 2  # type: ignore[union-attr]


async def test_claiming_from_a_queue_gives_distinct_cases(desk: Desk) -> None:
    await open_cases(desk, 5)
    await register(desk)
    claimed = await asyncio.gather(*(actions.claim_next(desk, "support", a) for a in AGENTS))
    ids = [c.id for c in claimed if c is not None]
    assert len(ids) == len(set(ids)) == 5


async def test_a_case_held_by_another_agent_cannot_be_claimed_and_is_unchanged(
    desk: Desk, mongo_db: Database
) -> None:
    (case,) = await open_cases(desk, 1)
    await register(desk)
    await actions.claim(desk, case.id, "agent0")
    before = await desk.cases.get(case.id)
    with pytest.raises(actions.CaseTaken):
        await actions.claim(desk, case.id, "agent1")
    with pytest.raises(actions.CaseTaken):
        await actions.set_state(desk, case.id, CaseState.RESOLVED, "agent1")
    assert await desk.cases.get(case.id) == before
    assert (await desk.agents.get("agent1")).load == 0  # type: ignore[union-attr]


async def test_resolving_frees_the_agent_and_fair_assignment_picks_the_least_loaded(
    desk: Desk,
) -> None:
    first, second = await open_cases(desk, 2)
    await register(desk)
    await actions.claim(desk, first.id, "agent0")
    assert await actions.assign_waiting(desk, limit=10) == 1
    chosen = await desk.cases.get(second.id)
    assert chosen is not None
    assert chosen.assignee not in (None, "agent0")
    await actions.set_state(desk, first.id, CaseState.RESOLVED, "agent0")
    assert (await desk.agents.get("agent0")).load == 0  # type: ignore[union-attr]
    with pytest.raises(CaseError):
        await actions.claim(desk, first.id, "agent1")
