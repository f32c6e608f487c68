"""The collaborators every use case needs, and the one way a case changes: read it, apply a
step, settle its clocks under the SLA policies, store it with its events; again from the
stored case when another writer got there first."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.errors import Conflict, NotFound
from responder.domain.case import Case, Changes, settle
from responder.domain.clock import Clock
from responder.domain.priority import Weights
from responder.domain.spikes import SpikeRule
from responder.repository import Also, CaseConflict, MongoCases, changed
from responder.stores.agents import Agents
from responder.stores.profiles import ProfileCache
from responder.stores.rules import PolicyStore, Rules
from responder.stores.timeline import Timeline

ATTEMPTS = 10
CASES_PER_TRANSACTION = 250


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


@dataclass(frozen=True)
class Desk:
    cases: MongoCases
    timeline: Timeline
    profiles: ProfileCache
    agents: Agents
    rules: Rules
    policies: PolicyStore
    clock: Clock
    weights: Weights
    reopen_window: timedelta
    spikes: SpikeRule
    wake_sender: Callable[[], None] = field(default=lambda: None)
    """Tells the reply sender a reply is waiting (it also polls)."""

    async def store(self, step: Step) -> Case:
        settled = settle(step.case, await self.policies.all())
        return await self.cases.save(settled, step.changes, at=self.clock(), also=step.also)

    async def change(self, case_id: UUID, decide: Decide, stored: Case | None = None) -> Case:
        """Apply ``decide`` to the stored case until it is stored; unchanged when it says None.

        ``stored``, the case as this task just stored it, saves the first read: a change from
        it stores only if the case is still at its sequence, and no change is taken from it.
        """
        for _ in range(ATTEMPTS):
            case = stored or await self.cases.get(case_id)
            if case is None:
                raise UnknownCase(str(case_id))
            step = await decide(case)
            if step is None and stored is not None:
                stored = None
                continue
            if step is None:
                return case
            try:
                return await self.store(step)
            except CaseConflict:
                stored = None
        raise CaseConflict(str(case_id))

    async def change_all(self, case_ids: Sequence[UUID], decide: Decide) -> None:
        """``change`` of each case: up to ``CASES_PER_TRANSACTION`` cases from one read,
        stored in one transaction; one case at a time if another writer changed one since."""
        for start in range(0, len(case_ids), CASES_PER_TRANSACTION):
            some = case_ids[start : start + CASES_PER_TRANSACTION]
            try:
                await self._change_together(some, decide)
            except CaseConflict:
                for case_id in some:
                    await self.change(case_id, decide)

    async def _change_together(self, case_ids: Sequence[UUID], decide: Decide) -> None:
        decided = [await decide(case) for case in await self.cases.get_all(case_ids)]
        steps = [step for step in decided if step is not None]
        if not steps:
            return
        policies = await self.policies.all()
        changes = [changed(settle(s.case, policies), s.changes, self.clock()) for s in steps]

        async def also(session: AsyncClientSession) -> None:
            for step in steps:
                if step.also is not None:
                    await step.also(session)

        await self.cases.save_all(changes, also)
