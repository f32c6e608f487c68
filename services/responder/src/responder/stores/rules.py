"""Routing rules and SLA policies: configuration supervisors keep through the API."""

from uuid import UUID

from pymongo import ASCENDING

from rapport.events import Priority
from rapport.mongo import Database
from responder.domain.routing import Rule
from responder.domain.sla import DEFAULT_POLICIES, Policies, Policy


class Rules:
    def __init__(self, db: Database) -> None:
        self._rules = db["routing_rules"]

    async def put(self, rule_id: UUID, rule: Rule) -> None:
        await self._rules.replace_one({"_id": rule_id}, rule.model_dump(mode="json"), upsert=True)

    async def delete(self, rule_id: UUID) -> bool:
        return (await self._rules.delete_one({"_id": rule_id})).deleted_count == 1

    async def all(self) -> list[tuple[UUID, Rule]]:
        docs = await self._rules.find().sort([("order", ASCENDING), ("_id", ASCENDING)]).to_list()
        return [(doc.pop("_id"), Rule.model_validate(doc)) for doc in docs]

    async def ordered(self) -> list[Rule]:
        return [rule for _, rule in await self.all()]


class PolicyStore:
    def __init__(self, db: Database) -> None:
        self._policies = db["sla_policies"]

    async def put(self, priority: Priority, policy: Policy) -> None:
        document = policy.model_dump(mode="json")
        await self._policies.replace_one({"_id": priority.value}, document, upsert=True)

    async def all(self) -> Policies:
        """Stored policies, and the defaults for priorities without one."""
        stored = {
            Priority(doc.pop("_id")): Policy.model_validate(doc)
            for doc in await self._policies.find().to_list()
        }
        return DEFAULT_POLICIES | stored
