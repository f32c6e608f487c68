"""The unit of work on the fake and on MongoDB: all of a transaction's writes, or none."""

import pytest

from rapport.events.factories import BASE_TIME
from responder.domain.agents import AgentIn, AgentUnavailable
from responder.domain.case_events import Changed, changed
from responder.ports import Transaction

from .conftest import Backend, a_case, a_message

pytestmark = pytest.mark.integration


async def ann_and_a_change(backend: Backend) -> Changed:
    """Agent Ann, with room for one case, and a case opening."""
    await backend.ports.agents.put("ann", AgentIn(name="Ann", skills=["support"], capacity=1))
    return changed(a_case(1), [("opened", None)], BASE_TIME)


class TestUnitOfWork:
    async def test_a_failing_write_undoes_the_others(self, backend: Backend) -> None:
        ports, change = backend.ports, await ann_and_a_change(backend)

        async def work(tx: Transaction) -> None:
            await tx.cases.save_all([change])
            await tx.timeline.add(a_message(1, case_id=change.case.id))
            await tx.agents.take("ann", [], BASE_TIME)
            await tx.agents.take("ann", [], BASE_TIME)  # over capacity

        with pytest.raises(AgentUnavailable):
            await ports.uow(work)
        assert await ports.cases.get(change.case.id) is None
        assert await ports.timeline.of_case(change.case.id) == []
        assert (await ports.agents.get("ann")).load == 0  # type: ignore[union-attr]
        assert await backend.case_events() == []

    async def test_the_writes_of_a_finished_work_are_all_kept(self, backend: Backend) -> None:
        ports, change = backend.ports, await ann_and_a_change(backend)

        async def work(tx: Transaction) -> None:
            await tx.cases.save_all([change])
            await tx.timeline.add(a_message(1, case_id=change.case.id))
            await tx.agents.take("ann", ["support"], BASE_TIME)

        await ports.uow(work)
        assert await ports.cases.get(change.case.id) == change.case
        assert [m.id for m in await ports.timeline.of_case(change.case.id)] == [a_message(1).id]
        assert (await ports.agents.get("ann")).load == 1  # type: ignore[union-attr]
        assert len(await backend.case_events()) == 1
