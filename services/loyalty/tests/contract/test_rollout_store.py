"""The roll-out store, in memory and in MongoDB: one contract, so the fake the unit tests use
claims and records as the adapter does."""

from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import timedelta

import pytest

from loyalty.adapters.rollout_store import MongoRollouts
from loyalty.domain.rollouts import Rollout, RolloutState
from loyalty.fakes import FakeRollouts
from loyalty.ports import RolloutStore
from rapport.mongo import Database
from services.loyalty.tests.unit.outreach_fixtures import NOW, member

pytestmark = pytest.mark.integration
LATER = NOW + timedelta(minutes=1)


def rollout(rollout_id: str, *, offer_id: str = "descaler", age_s: int = 0) -> Rollout:
    at = NOW - timedelta(seconds=age_s)
    return Rollout(
        rollout_id=rollout_id,
        offer_id=offer_id,
        state=RolloutState.PENDING,
        targeted=3,
        created_at=at,
        updated_at=at,
    )


class RolloutStoreContract(ABC):
    @abstractmethod
    def store(self) -> RolloutStore: ...

    async def test_a_roll_out_is_found_only_under_its_offer(self) -> None:
        await self.store().create(rollout("r1"))
        assert await self.store().get("descaler", "r1") == rollout("r1")
        assert await self.store().get("other", "r1") is None
        assert await self.store().get("descaler", "r2") is None

    async def test_the_oldest_waiting_roll_out_is_claimed_running(self) -> None:
        await self.store().create(rollout("young", age_s=1))
        await self.store().create(rollout("old", age_s=5))
        claimed = await self.store().claim("a", now=NOW, until=LATER)
        assert claimed == replace(rollout("old", age_s=5), state=RolloutState.RUNNING)

    async def test_a_held_roll_out_is_claimed_again_only_by_its_holder_or_once_it_ends(
        self,
    ) -> None:
        await self.store().create(rollout("r1"))
        assert await self.store().claim("a", now=NOW, until=LATER) is not None
        assert await self.store().claim("b", now=NOW, until=LATER) is None
        assert await self.store().claim("a", now=NOW, until=LATER) is not None
        taken = await self.store().claim("b", now=LATER, until=LATER + timedelta(minutes=1))
        assert taken is not None
        assert taken.rollout_id == "r1"

    async def test_progress_is_recorded_only_by_the_holder(self) -> None:
        await self.store().create(rollout("r1"))
        claimed = await self.store().claim("a", now=NOW, until=LATER)
        assert claimed is not None
        progressed = replace(
            claimed, done=2, sent=1, failed=1, errors=("x: ValueError",), after=member(2)
        )
        assert await self.store().record(progressed, "b", until=LATER) is False
        assert await self.store().get("descaler", "r1") == claimed
        assert await self.store().record(progressed, "a", until=LATER) is True
        assert await self.store().get("descaler", "r1") == progressed
        assert await self.store().claim("b", now=NOW, until=LATER) is None

    async def test_a_finished_roll_out_is_never_claimed(self) -> None:
        await self.store().create(rollout("r1"))
        claimed = await self.store().claim("a", now=NOW, until=LATER)
        assert claimed is not None
        finished = replace(claimed, state=RolloutState.DONE, done=3)
        assert await self.store().record(finished, "a", until=LATER)
        assert await self.store().claim("a", now=LATER, until=LATER) is None
        assert await self.store().claim("b", now=LATER + timedelta(hours=1), until=LATER) is None


class TestFakeRollouts(RolloutStoreContract):
    @pytest.fixture(autouse=True)
    def fresh(self) -> None:
        self.rollouts = FakeRollouts()

    def store(self) -> RolloutStore:
        return self.rollouts


class TestMongoRollouts(RolloutStoreContract):
    @pytest.fixture(autouse=True)
    def fresh(self, mongo_db: Database) -> None:
        self.rollouts = MongoRollouts(mongo_db)

    def store(self) -> RolloutStore:
        return self.rollouts
