"""Ledger write throughput against a real MongoDB (a throwaway database, dropped afterwards).

    RAPPORT_TEST_PORT_OFFSET=300 .venv/bin/python services/loyalty/benchmarks/ledger_throughput.py \
        [--entries 2000] [--members 200] [--concurrency 16]

Measures, each as entries (or attempts) per second:
- earnings: new causes spread over ``--members`` members (one transaction each: one read of the
  cause, the member and the caps' and tier's windows, credit the balance and tier, insert the
  entry);
- redeliveries: the same causes again (one lookup each, nothing written);
- redemptions: ``--concurrency`` attempts at a time against members' balances.
Each write includes its event's outbox row; the relay's publishing to Kafka is left out.
"""

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID, uuid4

from pymongo import AsyncMongoClient

from loyalty.adapters.catalogue_store import MongoRules
from loyalty.adapters.earning_work import MongoEarningWork
from loyalty.adapters.indexes import INDEXES
from loyalty.adapters.outbox import Outbox
from loyalty.adapters.redemption_store import MongoRedemptionWork
from loyalty.domain.rules import Rule, RuleKind
from loyalty.errors import InsufficientBalance
from loyalty.settings import DEFAULT_TIERS
from loyalty.use_cases.earning import Earner
from loyalty.use_cases.redemptions import Redemptions
from loyalty.use_cases.tiering import TierKeeper
from rapport.clock import utcnow
from rapport.mongo import Document, ensure_indexes

OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
MONGO = os.environ.get(
    "RAPPORT_TEST_MONGO", f"mongodb://127.0.0.1:{27117 + OFFSET}/?replicaSet=rapport"
)
RULE = Rule(kind=RuleKind.POSITIVE_MENTION, points=10, daily_cap=1000, weekly_cap=5000)


async def timed(jobs: list[Callable[[], Awaitable[object]]], concurrency: int) -> float:
    """Runs the jobs ``concurrency`` at a time; jobs per second."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[object]]) -> None:
        async with gate:
            await job()

    started = time.perf_counter()
    await asyncio.gather(*(one(job) for job in jobs))
    return len(jobs) / (time.perf_counter() - started)


async def main(entries: int, members: int, concurrency: int) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard"
    )
    name = f"bench_loyalty_{uuid4().hex[:8]}"
    db = client[name]
    try:
        await ensure_indexes(db, INDEXES)
        rules, earning = MongoRules(db), MongoEarningWork(db, Outbox(db))
        await rules.put(RULE)
        now = utcnow()
        tiers = TierKeeper(uow=earning, thresholds=DEFAULT_TIERS, window=timedelta(days=365))
        earner = Earner(
            rules=rules, uow=earning, tiers=tiers, clock=lambda: now, expiry=timedelta()
        )
        redemptions = Redemptions(MongoRedemptionWork(db, Outbox(db)))
        people = [UUID(int=n + 1) for n in range(members)]
        candidates = [(people[n % members], f"bench:{n}", uuid4()) for n in range(entries)]

        def earn(c: tuple[UUID, str, UUID]) -> Callable[[], Awaitable[object]]:
            profile_id, cause, event_id = c
            return lambda: earner.earn(
                RULE.kind, profile_id=profile_id, cause=cause, cause_event_id=event_id
            )

        def redeem(n: int) -> Callable[[], Awaitable[None]]:
            async def spend() -> None:
                with contextlib.suppress(InsufficientBalance):
                    await redemptions.redeem(people[n % members], f"bench-{n:06}", "mug", 5, now)

            return spend

        earned = await timed([earn(c) for c in candidates], concurrency)
        repeated = await timed([earn(c) for c in candidates], concurrency)
        redeemed = await timed([redeem(n) for n in range(entries // 2)], concurrency)
        written = await db["ledger"].count_documents({})
        print(f"MongoDB {MONGO}, {entries} entries over {members} members, {concurrency} at a time")
        print(f"  earnings (new causes)   {earned:8.0f} entries/s")
        print(f"  redeliveries (no-ops)   {repeated:8.0f} entries/s")
        print(f"  redemptions             {redeemed:8.0f} attempts/s")
        print(f"  ledger documents        {written:8d}")
    finally:
        await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.entries, args.members, args.concurrency))
