"""What admins manage: earning rules, rewards and offers, each a small collection by name."""

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
    """Earning rules; a rule never saved earns by its default terms."""

    def __init__(self, db: Database) -> None:
        self._saved = Collection(db, "rules", Rule)

    async def put(self, rule: Rule) -> None:
        await self._saved.put(rule.kind.value, rule)

    async def get(self, kind: RuleKind) -> Rule:
        saved = await self._saved.get(kind.value)
        return saved or Rule(kind=kind, **DEFAULT_RULES[kind].model_dump())

    async def all(self) -> list[Rule]:
        return [await self.get(kind) for kind in RuleKind]
