"""The outreach ports, in memory and in MongoDB: one contract, so the fakes the unit tests use
behave as the adapters do."""

from abc import ABC, abstractmethod
from datetime import timedelta
from uuid import UUID

import pytest

from loyalty.adapters.outbox import Outbox
from loyalty.adapters.outreach_store import MongoMemberAudiences, MongoOutreachWork
from loyalty.domain.offers import Audience
from loyalty.fakes import FakeEvents, FakeMembers, FakeOutreachWork
from loyalty.ports import MemberAudiences, OutreachStores, OutreachWork
from rapport.events import OutreachDecided, OutreachDecision
from rapport.mongo import Database
from services.loyalty.tests.integration.conftest import outboxed
from services.loyalty.tests.unit.outreach_fixtures import (
    DETRACTOR,
    FAN,
    NOW,
    SILENT_FAN,
    member,
    offer,
)

pytestmark = pytest.mark.integration
FANS = offer().targeting()


def decision(profile_id: UUID, offer_id: str = "descaler", days_ago: int = 0) -> OutreachDecision:
    return OutreachDecision(
        profile_id=profile_id,
        offer_id=offer_id,
        relevant_to=["stage:fan"],
        expires_at=NOW + timedelta(days=30),
        at=NOW - timedelta(days=days_ago),
    )


class Boom(Exception):
    pass


class OutreachContract(ABC):
    @abstractmethod
    async def given(self, audiences: dict[UUID, Audience]) -> None:
        """Members with these audiences exist."""

    @abstractmethod
    def members(self) -> MemberAudiences: ...

    @abstractmethod
    def uow(self) -> OutreachWork: ...

    @abstractmethod
    async def announced(self) -> list[OutreachDecision]:
        """The decisions whose events were stored."""

    async def test_a_member_s_audience_is_read_and_a_stranger_has_none(self) -> None:
        await self.given({member(1): FAN})
        assert await self.members().audience(member(1)) == FAN
        assert await self.members().audience(member(2)) is None

    async def test_pages_hold_consenting_targeted_members_in_id_order(self) -> None:
        fans = {member(n): FAN for n in (5, 3, 1, 4, 2)}
        await self.given(fans | {member(6): SILENT_FAN, member(7): DETRACTOR})
        assert await self.members().count(FANS) == 5
        assert await self.members().page(FANS, after=None, limit=2) == [member(1), member(2)]
        assert await self.members().page(FANS, after=member(2), limit=10) == [
            member(3),
            member(4),
            member(5),
        ]
        assert await self.members().page(FANS, after=member(5), limit=10) == []

    async def test_a_recorded_decision_is_found_counted_and_announced(self) -> None:
        await self.given({member(1): FAN})

        async def work(stores: OutreachStores) -> None:
            await stores.outreach.record(decision(member(1), "old", days_ago=8))
            await stores.outreach.record(decision(member(1)))
            await stores.events.add(member(1), [OutreachDecided.of(decision(member(1)))])

        await self.uow()(work)

        async def read(stores: OutreachStores) -> tuple[object, object, int, int]:
            return (
                await stores.outreach.decision("descaler", member(1)),
                await stores.outreach.decision("descaler", member(2)),
                await stores.outreach.sent_since(member(1), NOW - timedelta(days=7)),
                await stores.outreach.sent_since(member(2), NOW - timedelta(days=7)),
            )

        assert await self.uow()(read) == (decision(member(1)), None, 1, 0)
        assert await self.announced() == [decision(member(1))]

    async def test_a_unit_of_work_that_fails_stores_nothing(self) -> None:
        await self.given({member(1): FAN})

        async def work(stores: OutreachStores) -> None:
            await stores.outreach.record(decision(member(1)))
            await stores.events.add(member(1), [OutreachDecided.of(decision(member(1)))])
            raise Boom

        with pytest.raises(Boom):
            await self.uow()(work)

        async def read(stores: OutreachStores) -> object:
            return await stores.outreach.decision("descaler", member(1))

        assert await self.uow()(read) is None
        assert await self.announced() == []


class TestFakeOutreach(OutreachContract):
    @pytest.fixture(autouse=True)
    def fresh(self) -> None:
        self.work = FakeOutreachWork()

    async def given(self, audiences: dict[UUID, Audience]) -> None:
        members = self.work.stores.members
        assert isinstance(members, FakeMembers)
        members.audiences.update(audiences)

    def members(self) -> MemberAudiences:
        return self.work.stores.members

    def uow(self) -> OutreachWork:
        return self.work

    async def announced(self) -> list[OutreachDecision]:
        events = self.work.stores.events
        assert isinstance(events, FakeEvents)
        return [e.payload for _, e in events.stored if isinstance(e, OutreachDecided)]


class TestMongoOutreach(OutreachContract):
    @pytest.fixture(autouse=True)
    def fresh(self, mongo_db: Database) -> None:
        self.db = mongo_db

    async def given(self, audiences: dict[UUID, Audience]) -> None:
        for profile_id, audience in audiences.items():
            await self.db["members"].insert_one(
                {
                    "_id": profile_id,
                    "balance": 0,
                    "stage": audience.stage,
                    "segment": audience.segment,
                    "marketing_consent": audience.marketing_consent,
                }
            )

    def members(self) -> MemberAudiences:
        return MongoMemberAudiences(self.db)

    def uow(self) -> OutreachWork:
        return MongoOutreachWork(self.db, Outbox(self.db))

    async def announced(self) -> list[OutreachDecision]:
        return [e.payload for e in await outboxed(self.db) if isinstance(e, OutreachDecided)]
