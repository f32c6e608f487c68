"""Routing rules and SLA policies: configuration supervisors keep through the API.

Every mention reads both, so each store keeps what it read for ``CACHE_S`` seconds (and
forgets it when it writes): a change made through another replica applies within that time.
"""

import time
from typing import Generic, TypeVar
from uuid import UUID

from pymongo import ASCENDING

from rapport.events import Priority
from rapport.mongo import Database
from responder.domain.routing import Rule
from responder.domain.sla import DEFAULT_POLICIES, Policies, Policy

CACHE_S = 5.0


T = TypeVar("T")


class _Cached(Generic[T]):
    def __init__(self) -> None:
        self.value: T | None = None
        self.until = 0.0

    def get(self) -> T | None:
        return self.value if time.monotonic() < self.until else None

    def keep(self, value: T) -> T:
        self.value, self.until = value, time.monotonic() + CACHE_S
        return value

    def forget(self) -> None:
        self.until = 0.0


class MongoRoutingRules:
    def __init__(self, db: Database) -> None:
        self._rules = db["routing_rules"]
        self._cached: _Cached[list[Rule]] = _Cached()

    async def put(self, rule_id: UUID, rule: Rule) -> None:
        self._cached.forget()
        await self._rules.replace_one({"_id": rule_id}, rule.model_dump(mode="json"), upsert=True)

    async def delete(self, rule_id: UUID) -> bool:
        self._cached.forget()
        return (await self._rules.delete_one({"_id": rule_id})).deleted_count == 1

    async def all(self) -> list[tuple[UUID, Rule]]:
        docs = await self._rules.find().sort([("order", ASCENDING), ("_id", ASCENDING)]).to_list()
        return [(doc.pop("_id"), Rule.model_validate(doc)) for doc in docs]

    async def ordered(self) -> list[Rule]:
        cached = self._cached.get()
        return cached if cached is not None else self._cached.keep([r for _, r in await self.all()])


class MongoPolicies:
    def __init__(self, db: Database) -> None:
        self._policies = db["sla_policies"]
        self._cached: _Cached[Policies] = _Cached()

    async def put(self, priority: Priority, policy: Policy) -> None:
        self._cached.forget()
        document = policy.model_dump(mode="json")
        await self._policies.replace_one({"_id": priority.value}, document, upsert=True)

    async def all(self) -> Policies:
        """Stored policies, and the defaults for priorities without one."""
        cached = self._cached.get()
        if cached is not None:
            return cached
        stored = {
            Priority(doc.pop("_id")): Policy.model_validate(doc)
            for doc in await self._policies.find().to_list()
        }
        return self._cached.keep(DEFAULT_POLICIES | stored)
