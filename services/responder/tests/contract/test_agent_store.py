"""Agents on the fake and on MongoDB: load within capacity and skills."""

import pytest

from rapport.events.factories import BASE_TIME
from responder.domain.agents import AgentIn, AgentUnavailable
from responder.ports import Transaction

from .conftest import Backend

pytestmark = pytest.mark.integration


async def take(backend: Backend, agent_id: str, skills: list[str]) -> None:
    async def work(tx: Transaction) -> None:
        await tx.agents.take(agent_id, skills, BASE_TIME)

    await backend.ports.uow(work)


async def release(backend: Backend, agent_id: str) -> None:
    async def work(tx: Transaction) -> None:
        await tx.agents.release(agent_id)

    await backend.ports.uow(work)


class TestAgentStore:
    async def test_an_agent_takes_cases_up_to_capacity_with_the_skills(
        self, backend: Backend
    ) -> None:
        agents = backend.ports.agents
        await agents.put("ann", AgentIn(name="Ann", skills=["support", "ko"], capacity=2))
        await agents.put("bob", AgentIn(name="Bob", capacity=1, available=False))
        await take(backend, "ann", ["ko"])
        with pytest.raises(AgentUnavailable):
            await take(backend, "ann", ["sales"])
        with pytest.raises(AgentUnavailable):
            await take(backend, "bob", [])
        with pytest.raises(AgentUnavailable):
            await take(backend, "nobody", [])
        await take(backend, "ann", [])
        assert [a.id for a in await agents.available()] == []
        with pytest.raises(AgentUnavailable):
            await take(backend, "ann", [])
        ann = await agents.get("ann")
        assert ann is not None
        assert (ann.load, ann.last_assigned_at) == (2, BASE_TIME)

    async def test_putting_an_agent_keeps_the_load_and_release_stops_at_zero(
        self, backend: Backend
    ) -> None:
        agents = backend.ports.agents
        await agents.put("ann", AgentIn(name="Ann", capacity=2))
        await take(backend, "ann", [])
        changed = await agents.put("ann", AgentIn(name="Ann B", capacity=3))
        assert (changed.name, changed.capacity, changed.load) == ("Ann B", 3, 1)
        await release(backend, "ann")
        await release(backend, "ann")
        assert [(a.id, a.load) for a in await agents.all()] == [("ann", 0)]
        assert [a.id for a in await agents.available()] == ["ann"]
