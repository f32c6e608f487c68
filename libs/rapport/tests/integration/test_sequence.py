"""``rapport.sequence`` against the real database: numbers reserved by concurrent writers never
repeat, a later reservation is larger, and transactions that reserve never conflict on it."""

import asyncio

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.mongo import Database
from rapport.sequence import reserve

pytestmark = pytest.mark.integration


async def test_concurrent_reservations_are_disjoint_and_each_later_one_larger(
    mongo_db: Database,
) -> None:
    batches = await asyncio.gather(*(reserve(mongo_db, "s", n) for n in range(1, 21)))
    later = await reserve(mongo_db, "s", 3)

    seqs = [seq for batch in batches for seq in batch]
    assert len(set(seqs)) == len(seqs) == sum(range(1, 21))
    assert all(batch == sorted(batch) for batch in batches)
    assert later == sorted(later)
    assert min(later) > max(seqs)


async def test_two_open_transactions_reserve_without_conflicting(mongo_db: Database) -> None:
    """Were the counter written in the transactions, the second would fail with a write
    conflict while the first is open."""
    await mongo_db.create_collection("rows")

    async def store(session: AsyncClientSession, name: str) -> None:
        (seq,) = await reserve(mongo_db, "s", 1)
        await mongo_db["rows"].insert_one({"_id": name, "seq": seq}, session=session)

    async with (
        mongo_db.client.start_session() as one,
        mongo_db.client.start_session() as two,
    ):
        await one.start_transaction()
        await two.start_transaction()
        await store(one, "one")
        await store(two, "two")
        await one.commit_transaction()
        await two.commit_transaction()

    rows = await mongo_db["rows"].find().sort("seq", 1).to_list()
    assert [row["_id"] for row in rows] == ["one", "two"]
