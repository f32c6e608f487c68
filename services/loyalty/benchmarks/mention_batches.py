"""Mentions earned one by one against in batches, at loyalty's handler level, on the test
stack's MongoDB (throwaway databases, dropped afterwards):

    RAPPORT_TEST_PORT_OFFSET=300 .venv/bin/python -m services.loyalty.benchmarks.mention_batches \
        [--mentions 2000] [--authors 400] [--batch 250]

``--mentions`` enriched mentions from ``--authors`` authors (each author's alternately positive
and negative, every third positive one with a link, every tenth a question answered by an
evangelist), handled by ``on_mention_enriched`` one at a time and by ``on_mentions_enriched``
in batches of ``--batch``, then all once more (a redelivery). For each: MongoDB commands and
transactions per mention (``MongoCommands``), milliseconds per ``--batch`` mentions (for the
batches: median and slowest call; a call is one transaction), CPU seconds per 1,000 mentions
of this process and of the test stack's mongod (other clients of that mongod add to it).
"""

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from pymongo import AsyncMongoClient

from benchmarks.measures import cpu_s
from loyalty.consumers import batch_handlers, event_handlers
from loyalty.main import build_parts
from loyalty.migrations import MIGRATIONS
from loyalty.parts import Parts
from loyalty.settings import LoyaltySettings
from rapport.events import (
    Consent,
    MentionEnriched,
    MentionIngested,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.events.factories import BASE_TIME, a_mention
from rapport.mongo import Database, Document, ensure_indexes
from rapport.settings import Environment
from rapport.testing import MongoCommands, MovableClock, token_keys

OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
MONGO = os.environ.get(
    "RAPPORT_TEST_MONGO", f"mongodb://127.0.0.1:{27117 + OFFSET}/?replicaSet=rapport"
)
MONGOD_PID = Path(__file__).parents[3] / ".state" / "test" / "pids" / "mongod.pid"
SETTINGS = LoyaltySettings(environment=Environment.TEST, auth_jwks=token_keys().auth_jwks)
Apply = Callable[[list[MentionEnriched]], Awaitable[None]]


def mentions(count: int, authors: int) -> list[MentionEnriched]:
    run = uuid4().hex[:6]
    planned = []
    for n in range(count):
        author = n % authors
        positive = (n // authors) % 2 == 0
        fields: dict[str, Any] = {"external_id": f"{run}-{n}"}
        if positive and n % 3 == 0:
            fields["url"] = f"https://example.com/{run}/{n}"
        stage = RelationshipStage.CASUAL_COMMENTER
        if n % 10 == 0:
            fields["intents"] = ["question"]
        elif n % 10 == 1:
            fields["in_reply_to"] = f"{run}-{n - 1}"
            stage = RelationshipStage.EVANGELIST
        mention = a_mention(n, author=f"{run}-{author}", score=0.8 if positive else -0.8, **fields)
        profile = ProfileSnapshot(
            profile_id=UUID(int=author + 1),
            stage=stage,
            mention_count=1,
            first_seen=BASE_TIME,
            last_seen=BASE_TIME,
            consent=Consent(marketing=n % 2 == 0),
        )
        planned.append(MentionEnriched.of(MentionIngested.of(mention), profile))
    return planned


def mongod_cpu() -> float:
    return cpu_s(json.loads(MONGOD_PID.read_text())["pid"])


async def measured(
    commands: MongoCommands, apply: Apply, events: list[MentionEnriched], batch: int
) -> dict[str, Any]:
    commands.reset()
    calls: list[float] = []
    cpu, mongod, started = time.process_time(), mongod_cpu(), time.perf_counter()
    for start in range(0, len(events), batch):
        began = time.perf_counter()
        await apply(events[start : start + batch])
        calls.append((time.perf_counter() - began) * 1000)
    elapsed = time.perf_counter() - started
    counts, n = commands.reset(), len(events)
    return {
        "commands_per_mention": round(sum(counts.values()) / n, 3),
        "transactions_per_mention": round(counts["commitTransaction"] / n, 3),
        "by_command": dict(sorted(counts.items())),
        "ms_per_batch": round(elapsed * 1000 * batch / n, 1),
        "ms_per_call_median": round(statistics.median(calls), 1),
        "ms_per_call_max": round(max(calls), 1),
        "cpu_s_per_1k": {
            "handlers": round((time.process_time() - cpu) * 1000 / n, 2),
            "mongod": round((mongod_cpu() - mongod) * 1000 / n, 2),
        },
    }


async def loyalty_over(db: Database) -> Parts:
    await ensure_indexes(db, MIGRATIONS.indexes(SETTINGS))
    return build_parts(db, SETTINGS, MovableClock(BASE_TIME + timedelta(days=1)))


async def main(count: int, authors: int, batch: int) -> None:
    commands = MongoCommands()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard", event_listeners=[commands]
    )
    names = [f"bench_loyalty_{path}_{uuid4().hex[:8]}" for path in ("single", "batched")]
    try:
        single, batched = [await loyalty_over(client[name]) for name in names]
        handle = event_handlers(single, SETTINGS)[MentionEnriched]

        async def one_by_one(events: list[MentionEnriched]) -> None:
            for event in events:
                await handle(event)

        paths: dict[str, Apply] = {
            "one_by_one": one_by_one,
            "batched": batch_handlers(batched)[MentionEnriched],
        }
        events = mentions(count, authors)
        results: dict[str, Any] = {"mentions": count, "authors": authors, "batch": batch}
        for path, apply in paths.items():
            for run in ("first", "redelivered"):
                results[f"{path}_{run}"] = await measured(commands, apply, events, batch)
        ledgers = [await client[name]["ledger"].count_documents({}) for name in names]
        results["ledger_entries"] = dict(zip(paths, ledgers, strict=True))
        print(json.dumps(results, indent=2))
    finally:
        for name in names:
            await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--authors", type=int, default=400)
    parser.add_argument("--batch", type=int, default=250)
    args = parser.parse_args()
    asyncio.run(main(args.mentions, args.authors, args.batch))
