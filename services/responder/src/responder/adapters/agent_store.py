"""Agents in MongoDB.

``take`` and ``release`` run inside a case change's transaction, so an agent's load always
equals the active cases they hold, and no agent goes over capacity however many claim at once.
"""

from datetime import datetime

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.mongo import Database
from responder.domain.agents import Agent, AgentIn, AgentUnavailable

INDEXES = {"agents": [IndexModel([("available", ASCENDING), ("load", ASCENDING)])]}


class MongoAgents:
    def __init__(self, db: Database) -> None:
        self._agents = db["agents"]

    async def put(self, agent_id: str, agent: AgentIn) -> Agent:
        await self._agents.update_one(
            {"_id": agent_id},
            {"$set": agent.model_dump(), "$setOnInsert": {"load": 0, "last_assigned_at": None}},
            upsert=True,
        )
        found = await self.get(agent_id)
        assert found is not None
        return found

    async def get(self, agent_id: str) -> Agent | None:
        found = await self._agents.find_one({"_id": agent_id})
        return None if found is None else Agent.model_validate(found)

    async def all(self) -> list[Agent]:
        docs = await self._agents.find().sort("_id").to_list()
        return [Agent.model_validate(doc) for doc in docs]

    async def available(self) -> list[Agent]:
        query = {"available": True, "$expr": {"$lt": ["$load", "$capacity"]}}
        return [Agent.model_validate(doc) for doc in await self._agents.find(query).to_list()]

    async def take(
        self, agent_id: str, skills: list[str], at: datetime, session: AsyncClientSession
    ) -> None:
        needs = {"skills": {"$all": skills}} if skills else {}  # {"$all": []} matches nothing
        taken = await self._agents.update_one(
            {
                "_id": agent_id,
                "available": True,
                **needs,
                "$expr": {"$lt": ["$load", "$capacity"]},
            },
            {"$inc": {"load": 1}, "$set": {"last_assigned_at": at}},
            session=session,
        )
        if taken.matched_count == 0:
            raise AgentUnavailable(agent_id)

    async def release(self, agent_id: str, session: AsyncClientSession) -> None:
        await self._agents.update_one(
            {"_id": agent_id, "load": {"$gt": 0}}, {"$inc": {"load": -1}}, session=session
        )
