"""The one way a case changes: read it, apply a step, settle its clocks under the SLA
policies, store it with its events and whatever the step writes alongside, in one unit of
work; again from the stored case when another writer got there first."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from rapport.errors import Conflict, NotFound
from responder.domain.case import Case, Changes, settle
from responder.domain.case_events import Changed, changed
from responder.ports import CaseConflict, Ports, Transaction

ATTEMPTS = 10
CASES_PER_TRANSACTION = 250
Also = Callable[[Transaction], Awaitable[None]]
"""More writes that must happen with the change, in its transaction."""


class UnknownCase(NotFound, LookupError):
    """No case has this id."""

    reason = "no such case"


class CaseError(Conflict):
    """The change does not apply to the case as it is (held by another agent, resolved...)."""


@dataclass(frozen=True)
class Step:
    case: Case
    changes: Changes
    also: Also | None = None


Decide = Callable[[Case], Awaitable[Step | None]]


async def save_all(ports: Ports, changes: Sequence[Changed], also: Also | None = None) -> None:
    """Store the changes (several may follow one another on a case), their events and
    ``also`` in one transaction; ``CaseConflict`` when another writer got there first."""

    async def work(tx: Transaction) -> None:
        await tx.cases.save_all(changes)
        if also is not None:
            await also(tx)

    await ports.uow(work)


async def store(ports: Ports, step: Step) -> Case:
    settled = settle(step.case, await ports.policies.all())
    change = changed(settled, step.changes, ports.clock())
    await save_all(ports, [change], step.also)
    return change.case


async def change(ports: Ports, case_id: UUID, decide: Decide, stored: Case | None = None) -> Case:
    """Apply ``decide`` to the stored case until it is stored; unchanged when it says None.

    ``stored``, the case as this task just stored it, saves the first read: a change from
    it stores only if the case is still at its sequence, and no change is taken from it.
    """
    for _ in range(ATTEMPTS):
        case = stored or await ports.cases.get(case_id)
        if case is None:
            raise UnknownCase(str(case_id))
        step = await decide(case)
        if step is None and stored is not None:
            stored = None
            continue
        if step is None:
            return case
        try:
            return await store(ports, step)
        except CaseConflict:
            stored = None
    raise CaseConflict(str(case_id))


async def change_all(ports: Ports, case_ids: Sequence[UUID], decide: Decide) -> None:
    """``change`` of each case: up to ``CASES_PER_TRANSACTION`` cases from one read, stored
    in one transaction; one case at a time if another writer changed one since."""
    for start in range(0, len(case_ids), CASES_PER_TRANSACTION):
        some = case_ids[start : start + CASES_PER_TRANSACTION]
        try:
            await _change_together(ports, some, decide)
        except CaseConflict:
            for case_id in some:
                await change(ports, case_id, decide)


async def _change_together(ports: Ports, case_ids: Sequence[UUID], decide: Decide) -> None:
    decided = [await decide(case) for case in await ports.cases.get_all(case_ids)]
    steps = [step for step in decided if step is not None]
    if not steps:
        return
    policies = await ports.policies.all()
    changes = [changed(settle(s.case, policies), s.changes, ports.clock()) for s in steps]

    async def also(tx: Transaction) -> None:
        for step in steps:
            if step.also is not None:
                await step.also(tx)

    await save_all(ports, changes, also)
