"""What agents and supervisors do to a case: claim, assign, wait on the customer, resolve.

Claiming is atomic: the case is stored only if nobody changed it since it was read, and in
the same transaction the agent's load grows only while under capacity; so of many agents
claiming at once exactly one holds the case, and the others hear it is taken.
"""

from uuid import UUID

from rapport.events import CaseState
from responder.domain import assignment
from responder.domain.agents import AgentUnavailable
from responder.domain.case import Case, assign, resolve, wait_on_customer
from responder.ports import Ports, Transaction
from responder.use_cases.case_changes import CaseError, Step, change


class CaseTaken(CaseError):
    """Another agent holds the case."""


def _live(case: Case) -> None:
    if case.historical:
        raise CaseError("the case is history (older than the live window), not live work")
    if not case.active:
        raise CaseError("the case is resolved")


def _held(case: Case, agent_id: str) -> None:
    _live(case)
    if case.assignee is not None and case.assignee != agent_id:
        raise CaseTaken("another agent holds the case")


async def claim(ports: Ports, case_id: UUID, agent_id: str, *, steal: bool = False) -> Case:
    """Give the case to ``agent_id``; only a supervisor may ``steal`` it from another agent."""

    async def decide(case: Case) -> Step | None:
        if case.assignee == agent_id:
            return None
        if not steal:
            _held(case, agent_id)
        else:
            _live(case)
        previous, at = case.assignee, ports.clock()

        async def also(tx: Transaction) -> None:
            if previous is not None:
                await tx.agents.release(previous)
            await tx.agents.take(agent_id, case.skills, at)

        return Step(assign(case, agent_id), [("assigned", None)], also)

    return await change(ports, case_id, decide)


async def unassign(ports: Ports, case_id: UUID) -> Case:
    async def decide(case: Case) -> Step | None:
        previous = case.assignee
        if previous is None or not case.active:
            return None

        async def also(tx: Transaction) -> None:
            await tx.agents.release(previous)

        return Step(assign(case, None), [("unassigned", None)], also)

    return await change(ports, case_id, decide)


async def claim_next(ports: Ports, queue: str, agent_id: str) -> Case | None:
    """The most urgent unassigned case of ``queue`` the agent manages to claim, if any."""
    query = {"queue": queue, "active": True, "assignee": None}
    for case in await ports.cases.find(query, [("priority_score", -1), ("next_due", 1)], 0, 50):
        try:
            return await claim(ports, case.id, agent_id)
        except CaseTaken:
            continue
    return None


async def assign_waiting(ports: Ports, limit: int) -> int:
    """Fair automatic assignment of unassigned cases, most urgent first; how many assigned."""
    query = {"active": True, "assignee": None, "state": CaseState.OPEN.value}
    assigned = 0
    for case in await ports.cases.find(query, [("priority_score", -1), ("_id", 1)], 0, limit):
        agent = assignment.choose(await ports.agents.available(), case.skills)
        if agent is None:
            continue
        try:
            await claim(ports, case.id, agent.id)
            assigned += 1
        except (CaseError, AgentUnavailable):
            continue
    return assigned


async def set_state(ports: Ports, case_id: UUID, state: CaseState, agent_id: str | None) -> Case:
    """Resolve the case, or mark it waiting on the customer; by its agent (or a supervisor)."""

    async def decide(case: Case) -> Step | None:
        if case.state is state:
            return None
        if agent_id is not None:
            _held(case, agent_id)
        _live(case)
        if state is CaseState.WAITING_ON_CUSTOMER:
            return Step(wait_on_customer(case, ports.clock()), [("waiting_on_customer", None)])
        holder = case.assignee

        async def also(tx: Transaction) -> None:
            if holder is not None:
                await tx.agents.release(holder)

        return Step(resolve(case, ports.clock()), [("resolved", None)], also)

    return await change(ports, case_id, decide)
