"""What agents and supervisors do to a case (``use_cases.case_actions``) on the fakes."""

from uuid import UUID

import pytest

from rapport.events import CaseState
from responder.domain.agents import AgentIn, AgentUnavailable
from responder.domain.case import Case
from responder.fakes import Fakes
from responder.ports import Ports
from responder.use_cases.case_actions import (
    CaseTaken,
    assign_waiting,
    claim,
    claim_next,
    set_state,
    unassign,
)
from responder.use_cases.case_changes import CaseError, UnknownCase
from responder.use_cases.case_intake import take_mention

from .conftest import mention


async def open_case(ports: Ports, n: int, **fields: object) -> Case:
    profile = {"profile_id": UUID(int=100 + n), "author": f"c{n}"}
    case = await take_mention(ports, mention(n, intents=["complaint"], **profile, **fields))
    assert case is not None
    return case


async def agents(fakes: Fakes, *names: str, capacity: int = 5) -> None:
    for name in names:
        await fakes.agents.put(name, AgentIn(name=name, skills=["support"], capacity=capacity))


async def load_of(fakes: Fakes, agent: str) -> int:
    found = await fakes.agents.get(agent)
    assert found is not None
    return found.load


async def test_an_agent_claims_a_case_another_is_told_it_is_taken(
    ports: Ports, fakes: Fakes
) -> None:
    await agents(fakes, "ann", "bob")
    case = await open_case(ports, 1)
    claimed = await claim(ports, case.id, "ann")
    assert (claimed.assignee, claimed.state) == ("ann", CaseState.ASSIGNED)
    assert await claim(ports, case.id, "ann") == claimed  # again: nothing changes
    with pytest.raises(CaseTaken):
        await claim(ports, case.id, "bob")
    assert (await load_of(fakes, "ann"), await load_of(fakes, "bob")) == (1, 0)


async def test_a_supervisor_takes_it_over_and_the_load_moves(ports: Ports, fakes: Fakes) -> None:
    await agents(fakes, "ann", "bob")
    case = await open_case(ports, 1)
    await claim(ports, case.id, "ann")
    stolen = await claim(ports, case.id, "bob", steal=True)
    assert stolen.assignee == "bob"
    assert (await load_of(fakes, "ann"), await load_of(fakes, "bob")) == (0, 1)
    released = await unassign(ports, case.id)
    assert released.assignee is None
    assert await load_of(fakes, "bob") == 0


async def test_an_agent_at_capacity_claims_nothing_and_nothing_changes(
    ports: Ports, fakes: Fakes
) -> None:
    await agents(fakes, "ann", capacity=1)
    first, second = await open_case(ports, 1), await open_case(ports, 2)
    await claim(ports, first.id, "ann")
    with pytest.raises(AgentUnavailable):
        await claim(ports, second.id, "ann")
    stored = await fakes.cases.get(second.id)
    assert stored is not None
    assert stored.assignee is None
    assert stored.sequence == second.sequence
    assert await load_of(fakes, "ann") == 1


async def test_resolved_and_unknown_cases_refuse_a_claim(ports: Ports, fakes: Fakes) -> None:
    await agents(fakes, "ann")
    case = await open_case(ports, 1)
    await set_state(ports, case.id, CaseState.RESOLVED, None)
    with pytest.raises(CaseError):
        await claim(ports, case.id, "ann")
    with pytest.raises(UnknownCase):
        await claim(ports, UUID(int=999), "ann")


async def test_claiming_from_a_queue_takes_the_most_urgent_unassigned(
    ports: Ports, fakes: Fakes
) -> None:
    await agents(fakes, "ann", "bob")
    calm = await open_case(ports, 1, score=-0.3)
    angry = await open_case(ports, 2, score=-1.0, followers=5_000)
    assert angry.priority_score > calm.priority_score
    first = await claim_next(ports, "support", "ann")
    second = await claim_next(ports, "support", "bob")
    assert first is not None
    assert second is not None
    assert (first.id, second.id) == (angry.id, calm.id)
    assert await claim_next(ports, "support", "ann") is None


async def test_automatic_assignment_is_fair_and_within_capacity(ports: Ports, fakes: Fakes) -> None:
    await agents(fakes, "ann", "bob", capacity=1)
    cases = [await open_case(ports, n) for n in (1, 2, 3)]
    assert await assign_waiting(ports, 10) == 2
    holders = [(await fakes.cases.get(c.id)).assignee for c in cases]  # type: ignore[union-attr]
    assert sorted(h for h in holders if h) == ["ann", "bob"]
    assert holders.count(None) == 1


async def test_resolving_frees_the_agent_only_its_holder_may(ports: Ports, fakes: Fakes) -> None:
    await agents(fakes, "ann", "bob")
    case = await open_case(ports, 1)
    await claim(ports, case.id, "ann")
    with pytest.raises(CaseTaken):
        await set_state(ports, case.id, CaseState.RESOLVED, "bob")
    waiting = await set_state(ports, case.id, CaseState.WAITING_ON_CUSTOMER, "ann")
    assert waiting.state is CaseState.WAITING_ON_CUSTOMER
    assert await load_of(fakes, "ann") == 1
    resolved = await set_state(ports, case.id, CaseState.RESOLVED, "ann")
    assert (resolved.state, resolved.active) == (CaseState.RESOLVED, False)
    assert await load_of(fakes, "ann") == 0
