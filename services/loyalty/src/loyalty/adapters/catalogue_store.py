"""What admins manage: earning rules, rewards and offers, each a small collection by name."""

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from pydantic import BaseModel

from loyalty.domain.rules import DEFAULT_RULES, Rule, RuleKind
from rapport.mongo import Database

M = TypeVar("M", bound=BaseModel)


class Collection(Generic[M]):
    """Documents of one pydantic model, keyed by a name; saving replaces the whole document."""

    def __init__(self, db: Database, name: str, model: type[M]) -> None:
        self._docs = db[name]
        self._model = model

    async def put(self, key: str, item: M) -> None:
        await self._docs.replace_one({"_id": key}, item.model_dump(), upsert=True)

    async def get(self, key: str) -> M | None:
        doc = await self._docs.find_one({"_id": key}, {"_id": 0})
        return None if doc is None else self._model.model_validate(doc)

    async def all(self, limit: int = 1000) -> list[M]:
        docs = await self._docs.find({}, {"_id": 0}).sort("_id").limit(limit).to_list()
        return [self._model.model_validate(doc) for doc in docs]


class MongoRules:
    """Earning rules; a rule never saved earns by its default terms. They are configuration,
    read through a cache of all of them refreshed every ``ttl_s``: a change saved here is seen
    at once, one saved by another replica within ``ttl_s``."""

    def __init__(
        self, db: Database, *, ttl_s: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._saved = Collection(db, "rules", Rule)
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._cached: dict[RuleKind, Rule] = {}
        self._expires = 0.0
        self._version = 0
        """Bumped by every save here, so a read that started before it is not cached."""

    async def put(self, rule: Rule) -> None:
        await self._saved.put(rule.kind.value, rule)
        self._version += 1
        self._expires = 0.0

    async def get(self, kind: RuleKind) -> Rule:
        return (await self._rules())[kind]

    async def all(self) -> list[Rule]:
        rules = await self._rules()
        return [rules[kind] for kind in RuleKind]

    async def _rules(self) -> dict[RuleKind, Rule]:
        if self._monotonic() < self._expires:
            return self._cached
        version, read_at = self._version, self._monotonic()
        saved = {rule.kind: rule for rule in await self._saved.all()}
        rules = {k: saved.get(k) or Rule(kind=k, **DEFAULT_RULES[k].model_dump()) for k in RuleKind}
        if version == self._version:
            self._cached, self._expires = rules, read_at + self._ttl_s
        return rules
