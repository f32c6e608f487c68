"""The earning rules, in memory and in MongoDB: one contract, so the fake the unit tests use
answers defaults and saved rules as the adapter does."""

from abc import ABC, abstractmethod

import pytest

from loyalty.adapters.catalogue_store import MongoRules
from loyalty.domain.rules import DEFAULT_RULES, Rule, RuleKind
from loyalty.fakes import FakeRules
from loyalty.ports import RuleStore
from rapport.mongo import Database

pytestmark = pytest.mark.integration


class RuleContract(ABC):
    @abstractmethod
    def rules(self) -> RuleStore: ...

    async def test_a_rule_never_saved_earns_by_its_default_terms(self) -> None:
        referral = await self.rules().get(RuleKind.REFERRAL)

        assert referral == Rule(
            kind=RuleKind.REFERRAL, **DEFAULT_RULES[RuleKind.REFERRAL].model_dump()
        )

    async def test_a_saved_rule_is_read_at_once_and_listed_in_kind_order(self) -> None:
        rules = self.rules()
        switched_off = Rule(kind=RuleKind.SHARE, points=7, active=False)

        await rules.put(switched_off)

        assert await rules.get(RuleKind.SHARE) == switched_off
        listed = await rules.all()
        assert [rule.kind for rule in listed] == list(RuleKind)
        assert listed[list(RuleKind).index(RuleKind.SHARE)] == switched_off


class TestFakeRules(RuleContract):
    @pytest.fixture(autouse=True)
    def fresh(self) -> None:
        self.store = FakeRules()

    def rules(self) -> RuleStore:
        return self.store


class TestMongoRules(RuleContract):
    @pytest.fixture(autouse=True)
    def fresh(self, mongo_db: Database) -> None:
        self.store = MongoRules(mongo_db)

    def rules(self) -> RuleStore:
        return self.store
