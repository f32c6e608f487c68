"""Assignment under concurrency, on the real database: each case to exactly one agent."""

import asyncio
from uuid import UUID

import pytest

from rapport.events import CaseState
from rapport.mongo import Database
from responder.domain.agents import AgentIn, AgentUnavailable
from responder.domain.case import Case
from responder.ports import Ports
from responder.use_cases import case_actions
from responder.use_cases.case_changes import CaseError
from responder.use_cases.case_intake import take_mention

from .conftest import enriched, events_of

pytestmark = pytest.mark.integration
AGENTS = [f"agent{n}" for n in range(8)]


async def open_cases(ports: Ports, count: int) -> list[Case]:
    cases = []
    for n in range(count):
        event = enriched(
            n + 1, profile_id=UUID(int=1000 + n), author=f"c{n}", intents=["complaint"]
        )
        case = await take_mention(ports, event.payload)
        assert case is not None
        cases.append(case)
    return cases


async def register(ports: Ports, capacity: int = 100) -> None:
    for agent in AGENTS:
        await ports.agents.put(agent, AgentIn(name=agent, skills=["support"], capacity=capacity))


async def attempt(ports: Ports, case: Case, agent: str) -> str | None:
    try:
        await case_actions.claim(ports, case.id, agent)
    except case_actions.CaseTaken:
        return None
    return agent


async def test_many_agents_claiming_at_once_each_case_goes_to_exactly_one(
    ports: Ports, mongo_db: Database
) -> None:
    cases = await open_cases(ports, 6)
    await register(ports)
    claims = [attempt(ports, case, agent) for case in cases for agent in AGENTS]
    winners = await asyncio.gather(*claims)
    for index, case in enumerate(cases):
        won = [w for w in winners[index * len(AGENTS) : (index + 1) * len(AGENTS)] if w]
        assert len(won) == 1
        stored = await ports.cases.get(case.id)
        assert stored is not None
        assert (stored.assignee, stored.state) == (won[0], CaseState.ASSIGNED)
        assigned = [e for e in await events_of(mongo_db, case.id) if e["change"] == "assigned"]
        assert [e["assignee"] for e in assigned] == won
    loads = {a.id: a.load for a in await ports.agents.all()}
    assert sum(loads.values()) == len(cases)
    assert loads == {a: sum(1 for w in winners if w == a) for a in AGENTS}


async def test_an_agent_never_goes_over_capacity(ports: Ports) -> None:
    cases = await open_cases(ports, 5)
    await register(ports, capacity=2)

    async def claim(case: Case) -> bool:
        try:
            await case_actions.claim(ports, case.id, "agent0")
        except AgentUnavailable:
            return False
        return True

    taken = await asyncio.gather(*(claim(case) for case in cases))
    assert sum(taken) == 2
    assert (await ports.agents.get("agent0")).load == 2  # type: ignore[union-attr]


async def test_claiming_from_a_queue_gives_distinct_cases(ports: Ports) -> None:
    await open_cases(ports, 5)
    await register(ports)
    claimed = await asyncio.gather(*(case_actions.claim_next(ports, "support", a) for a in AGENTS))
    ids = [c.id for c in claimed if c is not None]
    assert len(ids) == len(set(ids)) == 5


async def test_a_case_held_by_another_agent_cannot_be_claimed_and_is_unchanged(
    ports: Ports, mongo_db: Database
) -> None:
    (case,) = await open_cases(ports, 1)
    await register(ports)
    await case_actions.claim(ports, case.id, "agent0")
    before = await ports.cases.get(case.id)
    with pytest.raises(case_actions.CaseTaken):
        await case_actions.claim(ports, case.id, "agent1")
    with pytest.raises(case_actions.CaseTaken):
        await case_actions.set_state(ports, case.id, CaseState.RESOLVED, "agent1")
    assert await ports.cases.get(case.id) == before
    assert (await ports.agents.get("agent1")).load == 0  # type: ignore[union-attr]


async def test_resolving_frees_the_agent_and_fair_assignment_picks_the_least_loaded(
    ports: Ports,
) -> None:
    first, second = await open_cases(ports, 2)
    await register(ports)
    await case_actions.claim(ports, first.id, "agent0")
    assert await case_actions.assign_waiting(ports, limit=10) == 1
    chosen = await ports.cases.get(second.id)
    assert chosen is not None
    assert chosen.assignee not in (None, "agent0")
    await case_actions.set_state(ports, first.id, CaseState.RESOLVED, "agent0")
    assert (await ports.agents.get("agent0")).load == 0  # type: ignore[union-attr]
    with pytest.raises(CaseError):
        await case_actions.claim(ports, first.id, "agent1")
