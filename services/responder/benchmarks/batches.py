"""Enriched mentions one by one against a batch at a time, at responder's handler level, on the
real test MongoDB (``make test``'s, shifted by RAPPORT_TEST_PORT_OFFSET):

    RAPPORT_TEST_PORT_OFFSET=200 .venv/bin/python services/responder/benchmarks/batches.py [B]

Each mix is B batches (default 8) of 250 mentions, handled by ``on_mention_enriched`` one after
another into one throwaway database and by ``on_mentions_enriched`` a batch per call into
another: ``drain`` (1,000 authors in turn, as ``make bench`` posts them: each author's mentions
alternately a complaint and praise, so later batches join open cases), ``crisis`` (complaints of
new authors, a second apart: a negative spike raised, cases moved to PR) and ``quiet`` (praise
and neutral mentions of casual commenters: no case). Prints per mix and mode the wall time per
250 mentions (median and slowest batch), MongoDB commands and transactions per mention, CPU
seconds per 1,000 mentions of this process and of the test's mongod, and the slowest
transaction storing cases (a batch's, or one mention's) and crisis counts (likewise).
"""

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from round_trips import MONGO, PROFILES, cpu_s, mention, running_pid  # noqa: E402

from rapport.events import MentionEnriched  # noqa: E402
from rapport.events.factories import BASE_TIME  # noqa: E402
from rapport.mongo import Database, ensure_indexes  # noqa: E402
from rapport.testing import MongoCommands, unique  # noqa: E402
from responder.adapters.alert_store import MongoAlerts  # noqa: E402
from responder.adapters.brand_health_store import MongoBrandHealth  # noqa: E402
from responder.handlers import on_mention_enriched, on_mentions_enriched  # noqa: E402
from responder.main import mongo_ports  # noqa: E402
from responder.migrations import INDEXES  # noqa: E402
from responder.settings import ResponderSettings  # noqa: E402

BATCH = 250
Mix = Callable[[str, int], MentionEnriched]


def drain(run: str, n: int) -> MentionEnriched:
    author, turn = n % 1000, n // 1000
    at = {"created_at": BASE_TIME + timedelta(seconds=n / 10)}
    if (author + turn) % 2:
        return mention(run, "praise", author, n, intents=["praise"], score=0.8, **at)
    return mention(run, "complaint", author, n, intents=["complaint"], score=-0.6, **at)


def crisis(run: str, n: int) -> MentionEnriched:
    at = {"created_at": BASE_TIME + timedelta(seconds=n)}
    return mention(run, "crisis", 10_000 + n, n, intents=["complaint"], score=-0.6, **at)


def quiet(run: str, n: int) -> MentionEnriched:
    if n % 2:
        return mention(run, "praise", 50_000 + n, n, intents=["praise"], score=0.8)
    return mention(run, "neutral", 50_000 + n, n, intents=["other"], score=0.0)


MIXES: dict[str, Mix] = {"drain": drain, "crisis": crisis, "quiet": quiet}


def batches(mix: Mix, run: str, count: int) -> Iterator[list[MentionEnriched]]:
    for first in range(0, count * BATCH, BATCH):
        yield [mix(run, n) for n in range(first, first + BATCH)]


class Timed:
    """Wraps an async method, keeping how long each call took."""

    def __init__(self, method: Callable[..., Awaitable[Any]]) -> None:
        self.method, self.took = method, [0.0]

    async def __call__(self, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return await self.method(*args)
        finally:
            self.took.append(time.perf_counter() - start)


async def measure(
    client: AsyncMongoClient[Any], counter: MongoCommands, mix: str, count: int
) -> None:
    mongod = running_pid(PROFILES["test"].pid_file("mongod"))
    assert mongod is not None, "the test MongoDB runs: make test, or stack.py up --profile test"
    for mode in ("one by one", "batch"):
        db: Database = client[unique("bench").replace("-", "_")]
        try:
            await ensure_indexes(db, INDEXES)
            ports = mongo_ports(db, ResponderSettings(), clock=lambda: BASE_TIME)
            alerts, health = MongoAlerts(db), MongoBrandHealth(db)
            counting = Timed(alerts.count_negatives)
            alerts.count_negatives = counting  # type: ignore[method-assign]
            saving = Timed(ports.uow)
            ports = replace(ports, uow=saving)
            parts = {"ports": ports, "alerts": alerts, "health": health}
            warm_up = MIXES[mix](db.name, -1)  # warms the caches
            await on_mention_enriched(warm_up, **parts)  # type: ignore[arg-type]
            took = []
            mongod_before, before = cpu_s(mongod), time.process_time()
            with counter.counting() as sent:
                for batch in batches(MIXES[mix], db.name, count):
                    start = time.perf_counter()
                    if mode == "batch":
                        await on_mentions_enriched(batch, **parts)  # type: ignore[arg-type]
                    else:
                        for event in batch:
                            await on_mention_enriched(event, **parts)  # type: ignore[arg-type]
                    took.append(time.perf_counter() - start)
            cpu, mongod_cpu = time.process_time() - before, cpu_s(mongod) - mongod_before
            mentions = count * BATCH
            commits = sent["commitTransaction"]
            print(
                f"{mix:7} {mode:10} per {BATCH}: median {statistics.median(took) * 1000:6.0f} ms"
                f"  slowest {max(took) * 1000:6.0f} ms | per mention:"
                f" {sum(sent.values()) / mentions:5.2f} commands"
                f" {commits / mentions:5.3f} transactions | CPU-s per 1,000:"
                f" python {cpu * 1000 / mentions:5.2f} mongod {mongod_cpu * 1000 / mentions:5.2f}"
                f" | slowest transaction: cases {max(saving.took) * 1000:4.0f} ms,"
                f" crisis counts {max(counting.took) * 1000:4.0f} ms"
            )
        finally:
            await client.drop_database(db.name)


async def main(count: int = 8) -> None:
    counter = MongoCommands()
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard", event_listeners=[counter]
    )
    try:
        print(f"{count} batches of {BATCH} mentions per mix and mode")
        for mix in MIXES:
            await measure(client, counter, mix, count)
    finally:
        await client.close()


if __name__ == "__main__":
    os.environ.setdefault("RAPPORT_ENVIRONMENT", "test")
    asyncio.run(main(*[int(a) for a in sys.argv[1:2]]))
