"""ingest alone on the bench platform (fresh, downstream services not started), with each
sentiment engine: ``ingest_accept_per_s`` (the POSTs of ``benchmarks.load``) and
``import_rows_per_s`` (``benchmarks.imports``: until every row is processed). Between the two,
it waits until the analysis stage has no pending mention left, so each rate is its own.
``import_step_s_per_1k`` is where the analysis stage spent its time during the import: seconds
per 1,000 rows in each of its steps (claim, analyse, flag, complete; they overlap, so they add
up to more than the import took). ``import_cpu_s_per_1k`` is the CPU seconds per 1,000 rows
of ingest's process, its analysis workers, MongoDB and Kafka: on a busy shared machine it moves
less than the rate does. Ports shift by ``RAPPORT_TEST_PORT_OFFSET``.

    .venv/bin/python -m benchmarks.ingest [--accept N] [--import-rows N] [--engines lexicon,...]
"""

import argparse
import asyncio
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from benchmarks.imports import import_rows
from benchmarks.load import accept_per_s, client, plan
from benchmarks.measures import cpu_s, cpu_s_per_1k
from benchmarks.platform import INFRA, PROFILE, BenchPlatform
from rapport.testing import token_keys

STEP_SUM = re.compile(r'rapport_ingest_analyser_step_seconds_sum\{step="(\w+)"\} (\S+)')


def drained(timeout_s: float = 3600) -> float:
    """Seconds until no mention waits for analysis."""
    started = time.perf_counter()
    mongo: MongoClient[dict[str, Any]]
    with MongoClient(PROFILE.mongo_url) as mongo:
        while mongo["rapport_ingest"]["mentions"].count_documents({"pending": True}):
            if time.perf_counter() - started > timeout_s:
                raise TimeoutError("mentions still pending analysis")
            time.sleep(0.2)
    return time.perf_counter() - started


async def step_seconds(http: httpx.AsyncClient) -> dict[str, float]:
    """The analysis stage's seconds so far in each step, from ingest's ``/metrics``."""
    metrics = (await http.get(f"{PROFILE.service_url('ingest')}/metrics")).text
    return {step: float(spent) for step, spent in STEP_SUM.findall(metrics)}


def cpu_readings(platform: BenchPlatform) -> dict[str, float]:
    """CPU seconds so far of ingest, its analysis workers (its children), MongoDB and Kafka."""
    pids = platform.pids()
    found = {name: cpu_s(pid) for name, pid in pids.items() if name in ("ingest", *INFRA)}
    tasks = Path(f"/proc/{pids['ingest']}/task").glob("*/children")
    workers = [int(pid) for task in tasks for pid in task.read_text().split()]
    return found | {"ingest-workers": sum(cpu_s(pid) for pid in workers)}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    platform = BenchPlatform()
    found: dict[str, Any] = {}
    token = token_keys().token("integration", subject="bench")
    await platform.start_fresh()
    try:
        for engine in args.engines.split(","):
            platform.engine = engine
            platform.start("ingest")
            async with client() as http:
                accepted = await accept_per_s(http, plan(args.accept))
            analysed_after_s = await asyncio.to_thread(drained)
            async with client() as http:
                steps_before, cpu_before = await step_seconds(http), cpu_readings(platform)
                with tempfile.TemporaryDirectory() as workdir:
                    rows = await import_rows(token, args.import_rows, Path(workdir), 3600)
                steps_after, cpu_after = await step_seconds(http), cpu_readings(platform)
            found[engine] = {
                "ingest_accept_per_s": round(accepted, 1),
                "analysed_per_s_after_accept": round(
                    args.accept / (args.accept / accepted + analysed_after_s), 1
                ),
                "import_rows_per_s": round(rows.per_s, 1),
                "import_step_s_per_1k": {
                    step: round((spent - steps_before.get(step, 0.0)) * 1000 / rows.done, 3)
                    for step, spent in steps_after.items()
                    if rows.done
                },
                "import_cpu_s_per_1k": cpu_s_per_1k(cpu_before, cpu_after, max(rows.done, 1)),
                **({"import_incomplete": rows.shortfall} if rows.shortfall else {}),
            }
            print(engine, json.dumps(found[engine]), flush=True)
            platform.stop("ingest")
    finally:
        platform.stop_all()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accept", type=int, default=10_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--engines", default="lexicon,encoder")
    print(json.dumps(asyncio.run(measure(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
