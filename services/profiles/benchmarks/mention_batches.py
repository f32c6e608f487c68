"""profiles' mention handling one by one against in batches, at the handler level, on the test
stack's MongoDB (throwaway databases, dropped afterwards).

    RAPPORT_TEST_PORT_OFFSET=100 .venv/bin/python services/profiles/benchmarks/mention_batches.py \
        [--mentions 2000] [--authors 200] [--batch 250] [--save NAME]

The same ``--mentions`` mentions from ``--authors`` authors (alternately positive and negative)
go through each path in chunks of ``--batch``: one by one as the consumer did before batches
(``on_mention_ingested``, a chunk's authors 16 at a time, each author's mentions in order), and
``on_mentions_ingested`` (one call per chunk); then every chunk once more (a redelivery). For
each: MongoDB commands and transactions per mention (``MongoCommands``), milliseconds per chunk
and per transaction (p50, max; from its first command to its commit's answer) and CPU seconds
per 1,000 mentions of this process and of the test stack's mongod
(``.state/test/pids/mongod.pid``; its other clients add to it). ``--save NAME`` writes
``services/profiles/benchmarks/results/mention_batches-NAME.json``.
"""

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from profiles.adapters.mongo_store import INDEXES
from profiles.adapters.profile_store import MongoProfiles
from profiles.domain.rules import Rules
from profiles.handlers import on_mention_ingested, on_mentions_ingested
from rapport.events import MentionIngested
from rapport.events.factories import BASE_TIME, a_mention
from rapport.mongo import Database, Document, ensure_indexes
from rapport.testing import MongoCommands, MovableClock

OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
MONGO = os.environ.get(
    "RAPPORT_TEST_MONGO", f"mongodb://127.0.0.1:{27117 + OFFSET}/?replicaSet=rapport"
)
ROOT = Path(__file__).parents[3]
MONGOD_PID = ROOT / ".state" / "test" / "pids" / "mongod.pid"
RESULTS = Path(__file__).parent / "results"
LANES_AT_ONCE = 16
Handle = Callable[[MongoProfiles, list[MentionIngested]], Awaitable[None]]


def planned_mentions(count: int, authors: int) -> list[MentionIngested]:
    run = uuid.uuid4().hex[:6]
    return [
        MentionIngested.of(
            a_mention(
                n,
                author=f"{run}-{n % authors}",
                score=0.8 if (n // authors) % 2 == 0 else -0.8,
                external_id=f"{run}-{n}",
            )
        )
        for n in range(count)
    ]


async def one_by_one(repo: MongoProfiles, events: list[MentionIngested]) -> None:
    lanes: dict[str, list[MentionIngested]] = defaultdict(list)
    for event in events:
        lanes[event.payload.author_key].append(event)
    slots = asyncio.Semaphore(LANES_AT_ONCE)

    async def lane(mentions: list[MentionIngested]) -> None:
        async with slots:
            for event in mentions:
                await on_mention_ingested(event, profiles=repo, rules=RULES, clock=CLOCK)

    await asyncio.gather(*(lane(mentions) for mentions in lanes.values()))


async def in_batches(repo: MongoProfiles, events: list[MentionIngested]) -> None:
    await on_mentions_ingested(events, profiles=repo, rules=RULES, clock=CLOCK)


RULES = Rules()
CLOCK = MovableClock(BASE_TIME + timedelta(days=1))
PATHS: dict[str, Handle] = {"one_by_one": one_by_one, "batched": in_batches}


class Transactions(monitoring.CommandListener):
    """How long each transaction lasts, from its first command to its commit's answer."""

    def __init__(self) -> None:
        self.opened: dict[bytes, float] = {}
        self.commits: dict[int, bytes] = {}
        self.took_ms: list[float] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        if command.get("startTransaction"):
            self.opened[bytes(command["lsid"]["id"])] = time.perf_counter()
        if event.command_name == "commitTransaction":
            self.commits[event.request_id] = bytes(command["lsid"]["id"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        session = self.commits.pop(event.request_id, None)
        opened = self.opened.pop(session, None) if session is not None else None
        if opened is not None:
            self.took_ms.append((time.perf_counter() - opened) * 1000)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self.commits.pop(event.request_id, None)

    def reset(self) -> list[float]:
        took, self.took_ms = self.took_ms, []
        return took


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of a process (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def readings(mongod: int) -> tuple[float, float]:
    return time.process_time(), cpu_s(mongod)


async def measured(
    handle: Handle,
    repo: MongoProfiles,
    listeners: tuple[MongoCommands, Transactions],
    chunks: Sequence[list[Any]],
) -> dict[str, Any]:
    commands, transactions = listeners
    mongod = json.loads(MONGOD_PID.read_text())["pid"]
    mentions = sum(map(len, chunks))
    commands.reset()
    transactions.reset()
    before = readings(mongod)
    took_ms = []
    for chunk in chunks:
        started = time.perf_counter()
        await handle(repo, chunk)
        took_ms.append((time.perf_counter() - started) * 1000)
    handlers_cpu, mongod_cpu = (a - b for a, b in zip(readings(mongod), before, strict=True))
    counts = commands.reset()
    transaction_ms = transactions.reset() or [0.0]
    return {
        "commands_per_mention": round(sum(counts.values()) / mentions, 2),
        "transactions_per_mention": round(counts["commitTransaction"] / mentions, 3),
        "by_command_per_mention": {k: round(n / mentions, 3) for k, n in sorted(counts.items())},
        "ms_per_chunk": {
            "p50": round(statistics.median(took_ms), 1),
            "max": round(max(took_ms), 1),
        },
        "transaction_ms": {
            "p50": round(statistics.median(transaction_ms), 1),
            "max": round(max(transaction_ms), 1),
        },
        "mentions_per_s": round(mentions / (sum(took_ms) / 1000), 1),
        "cpu_s_per_1k": {
            "handlers": round(handlers_cpu * 1000 / mentions, 2),
            "mongod": round(mongod_cpu * 1000 / mentions, 2),
        },
    }


async def main(count: int, authors: int, batch: int, save: str | None) -> None:
    listeners = (MongoCommands(), Transactions())
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard", event_listeners=listeners
    )
    events = planned_mentions(count, authors)
    chunks = [events[n : n + batch] for n in range(0, count, batch)]
    results: dict[str, Any] = {"mentions": count, "authors": authors, "batch": batch}
    try:
        for name, handle in PATHS.items():
            db: Database = client[f"bench_profiles_{uuid.uuid4().hex[:8]}"]
            try:
                await ensure_indexes(db, INDEXES)
                repo = MongoProfiles(db)
                first = await measured(handle, repo, listeners, chunks)
                again = await measured(handle, repo, listeners, chunks)
                results[name] = {"first": first, "redelivered": again}
            finally:
                await client.drop_database(db.name)
    finally:
        await client.close()
    print(json.dumps(results, indent=2))
    if save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"mention_batches-{save}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--authors", type=int, default=200)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--save", help="name of the results file")
    args = parser.parse_args()
    asyncio.run(main(args.mentions, args.authors, args.batch, args.save))
