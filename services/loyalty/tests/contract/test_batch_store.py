"""A batch of mentions' one read and one write (``BatchStore`` and its unit of work), in memory
and in MongoDB: one contract, so the fake reads a standing and writes a book as the adapter
does."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from opentelemetry.context import Context

from loyalty.adapters.earning_work import MongoBatchWork
from loyalty.adapters.outbox import Outbox
from loyalty.domain.batches import BatchQuery, BatchStanding, Fields, Member
from loyalty.domain.guardrails import Recent
from loyalty.domain.rules import Rule, RuleKind
from loyalty.fakes import FakeBatchWork
from loyalty.ports import BatchStore, BatchWork
from rapport.events import AwardedPoints, Event, PointsAwarded
from rapport.mongo import Database
from services.loyalty.tests.contract.test_earning_stores import AWARD, Boom, earned
from services.loyalty.tests.integration.conftest import outboxed

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
DAY = timedelta(days=1)
ANN, BOB, CAT, DAN, EVE = (UUID(int=n) for n in range(1, 6))
CAPPED = Rule(kind=RuleKind.REFERRAL, points=50, daily_cap=5, velocity_window_days=14)
UNCAPPED = Rule(kind=RuleKind.POSITIVE_MENTION, points=5)


def entry(n: int, profile_id: UUID, at: datetime, status: str = "credited", **more: Any) -> Fields:
    return earned(n, at, status, profile_id=profile_id, **more)


def query(
    *profile_ids: UUID, entries: tuple[str, ...] = (), questions: frozenset[str] = frozenset()
) -> BatchQuery:
    return BatchQuery(
        profile_ids=set(profile_ids),
        entry_ids=list(entries),
        rules=[CAPPED, UNCAPPED],
        questions=questions,
        now=NOW,
        tier_window=30 * DAY,
    )


@dataclass
class Written:
    """A book as ``MentionBook`` leaves it."""

    members: dict[UUID, Member] = field(default_factory=dict)
    entries: list[Fields] = field(default_factory=list)
    events: list[tuple[UUID, Event]] = field(default_factory=list)
    traces: list[Context] = field(default_factory=list)
    questions: dict[str, Fields] = field(default_factory=dict)


def awarding(members: dict[UUID, Member]) -> Written:
    """A book that changes ``members``, credits Ann entry 9 (announced) and remembers that she
    asked question x:q1."""
    return Written(
        members=members,
        entries=[entry(9, ANN, NOW)],
        events=[(ANN, PointsAwarded.of(AWARD))],
        traces=[Context()],
        questions={"x:q1": {"profile_id": ANN, "at": NOW}},
    )


class BatchContract(ABC):
    @abstractmethod
    def uow(self) -> BatchWork: ...

    @abstractmethod
    async def given(
        self, members: list[Fields], entries: list[Fields], questions: dict[str, Fields]
    ) -> None:
        """These members, ledger entries and questions are stored."""

    @abstractmethod
    async def member(self, profile_id: UUID) -> Fields | None: ...

    @abstractmethod
    async def announced(self) -> list[AwardedPoints]: ...

    async def standing(self, q: BatchQuery) -> BatchStanding:
        async def read(store: BatchStore) -> BatchStanding:
            return await store.standing(q)

        return await self.uow()(read)

    async def test_a_standing_reads_entries_members_windows_caps_and_askers(self) -> None:
        ann = {"_id": ANN, "balance": 30, "tier": "silver", "flagged_until": NOW + DAY}
        await self.given(
            [ann | {"stage": "fan"}, {"_id": BOB, "balance": 0}, {"_id": DAN, "balance": 0}],
            [
                entry(1, ANN, NOW - 2 * DAY),
                entry(2, ANN, NOW - DAY / 2, "held"),
                entry(3, ANN, NOW - 40 * DAY),
                entry(4, BOB, NOW - DAY / 4, "rejected"),
                entry(5, BOB, NOW - DAY / 4, rule="positive_mention"),
                entry(6, BOB, NOW - 20 * DAY),  # credited, but before every cap window
                entry(7, CAT, NOW - DAY),  # not a member (any more)
            ],
            {"x:q1": {"profile_id": CAT, "author_key": "x:cat", "at": NOW}},
        )
        entries = ("referral:r1", "referral:r2", "referral:new")
        asked = frozenset({"x:q1", "x:q2"})
        read = await self.standing(query(ANN, BOB, CAT, DAN, entries=entries, questions=asked))
        assert read == BatchStanding(
            earned={"referral:r1", "referral:r2"},
            members={ANN: ann, BOB: {"_id": BOB, "balance": 0}, DAN: {"_id": DAN, "balance": 0}},
            windows={ANN: (10, NOW - 2 * DAY), BOB: (110, NOW - 20 * DAY), CAT: (70, NOW - DAY)},
            recent={
                (ANN, "referral"): Recent(day=1, week=2, velocity_window=2),
                (CAT, "referral"): Recent(day=1, week=1, velocity_window=1),
            },
            askers={"x:q1": CAT},
        )

    async def test_a_book_credits_enrols_and_observes_members_and_keeps_what_it_adds(
        self,
    ) -> None:
        await self.given(
            [
                {"_id": ANN, "balance": 30, "lifetime_points": 30, "flagged_until": NOW + DAY},
                {"_id": DAN, "balance": 7, "stage": "casual_commenter"},
            ],
            [],
            {"x:q1": {"profile_id": CAT, "author_key": "x:cat", "at": NOW - DAY}},
        )
        book = awarding(
            {
                ANN: Member(exists=True, points=10, enrolled=True, flagged_until=NOW),
                BOB: Member(exists=True, points=5, enrolled=True, fields={"stage": "fan"}),
                CAT: Member(exists=False),
                DAN: Member(exists=True, fields={"stage": "fan"}),
                EVE: Member(exists=True, fields={"stage": "fan"}),  # read, but gone since
            }
        )

        async def write(store: BatchStore) -> None:
            await store.write(book)

        await self.uow()(write)
        assert await self.member(ANN) == {
            "_id": ANN,
            "balance": 40,
            "lifetime_points": 40,
            "settled_points": 0,
            "flagged_until": NOW + DAY,
        }
        assert await self.member(BOB) == {
            "_id": BOB,
            "balance": 5,
            "lifetime_points": 5,
            "settled_points": 0,
            "stage": "fan",
        }
        assert await self.member(CAT) is None
        assert await self.member(DAN) == {"_id": DAN, "balance": 7, "stage": "fan"}
        assert await self.member(EVE) is None
        after = await self.standing(
            query(ANN, entries=("referral:r9",), questions=frozenset({"x:q1"}))
        )
        assert (after.earned, after.askers) == ({"referral:r9"}, {"x:q1": ANN})
        assert await self.announced() == [AWARD]

    async def test_a_batch_that_fails_writes_nothing(self) -> None:
        book = awarding({ANN: Member(exists=True, points=10, enrolled=True)})

        async def write(store: BatchStore) -> None:
            await store.write(book)
            raise Boom

        with pytest.raises(Boom):
            await self.uow()(write)
        after = await self.standing(
            query(ANN, entries=("referral:r9",), questions=frozenset({"x:q1"}))
        )
        assert after == BatchStanding(set(), {}, {}, {}, {})
        assert await self.member(ANN) is None
        assert await self.announced() == []


class TestFakeBatchStore(BatchContract):
    @pytest.fixture(autouse=True)
    def fresh(self) -> None:
        self.work = FakeBatchWork()

    def uow(self) -> BatchWork:
        return self.work

    async def given(
        self, members: list[Fields], entries: list[Fields], questions: dict[str, Fields]
    ) -> None:
        store = self.work.store
        store.ledger.members.update({m["_id"]: dict(m) for m in members})
        store.ledger.entries.update({e["_id"]: dict(e) for e in entries})
        store.questions.questions.update(questions)

    async def member(self, profile_id: UUID) -> Fields | None:
        return self.work.store.ledger.members.get(profile_id)

    async def announced(self) -> list[AwardedPoints]:
        stored = self.work.store.events.stored
        return [e.payload for _, e in stored if isinstance(e, PointsAwarded)]


class TestMongoBatchStore(BatchContract):
    @pytest.fixture(autouse=True)
    def fresh(self, mongo_db: Database) -> None:
        self.db = mongo_db

    def uow(self) -> BatchWork:
        return MongoBatchWork(self.db, Outbox(self.db))

    async def given(
        self, members: list[Fields], entries: list[Fields], questions: dict[str, Fields]
    ) -> None:
        if members:
            await self.db["members"].insert_many(members)
        if entries:
            await self.db["ledger"].insert_many(entries)
        for key, fields in questions.items():
            await self.db["questions"].insert_one({"_id": key} | fields)

    async def member(self, profile_id: UUID) -> Fields | None:
        return await self.db["members"].find_one({"_id": profile_id})

    async def announced(self) -> list[AwardedPoints]:
        return [e.payload for e in await outboxed(self.db) if isinstance(e, PointsAwarded)]
