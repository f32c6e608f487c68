"""MongoLedger against the real database: one entry per cause, balances exact under concurrency."""

import asyncio
from uuid import UUID, uuid4

import pytest

from loyalty.repository import INDEXES, MongoLedger
from rapport.events import AwardedPoints
from rapport.mongo import Database, ensure_indexes

pytestmark = pytest.mark.integration
ANN = UUID(int=7)


def award(cause: UUID, points: int = 10) -> AwardedPoints:
    return AwardedPoints(
        profile_id=ANN,
        entry_id=f"positive_mention:{cause}",
        rule="positive_mention",
        points=points,
        cause_event_id=cause,
        balance=0,
    )


@pytest.fixture
async def ledger(mongo_db: Database) -> MongoLedger:
    await ensure_indexes(mongo_db, INDEXES)
    return MongoLedger(mongo_db)


async def test_an_award_writes_an_entry_and_credits_the_balance(ledger: MongoLedger) -> None:
    entry = await ledger.award(award(uuid4(), 10))
    assert entry.balance == 10
    member = await ledger.member(ANN, entries=10)
    assert member is not None
    assert member["balance"] == member["lifetime_points"] == 10
    assert [e["_id"] for e in member["ledger"]] == [entry.entry_id]


async def test_the_same_cause_twice_is_one_entry(ledger: MongoLedger) -> None:
    cause = uuid4()
    first = await ledger.award(award(cause))
    again = await ledger.award(award(cause))
    assert again == first
    member = await ledger.member(ANN, entries=10)
    assert member is not None
    assert member["balance"] == 10
    assert len(member["ledger"]) == 1


async def test_concurrent_awards_are_all_counted_and_duplicates_once(ledger: MongoLedger) -> None:
    causes = [uuid4() for _ in range(10)]
    await asyncio.gather(*(ledger.award(award(c)) for c in causes + causes))
    member = await ledger.member(ANN, entries=100)
    assert member is not None
    assert len(member["ledger"]) == 10
    assert member["balance"] == 100
    assert sorted(e["balance"] for e in member["ledger"]) == list(range(10, 101, 10))


async def test_an_unknown_member_is_none(ledger: MongoLedger) -> None:
    assert await ledger.member(uuid4(), entries=10) is None
