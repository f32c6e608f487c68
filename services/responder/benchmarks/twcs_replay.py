"""How fast the real brands answered: ../shared/data/twcs_sample.csv replayed through the
whole platform (ingest import -> profiles -> responder), then responder's handoff metrics.

    export RAPPORT_TEST_PORT_OFFSET=200
    .venv/bin/python deploy/local/stack.py up --profile test --infra-only
    .venv/bin/python services/responder/benchmarks/twcs_replay.py

Starts the four services on the test ports (as the e2e tests do, with databases of their own,
dropped at the end), imports the sample, waits until responder has handled every enriched
mention (its /metrics counter), and prints the pipeline's drain rate and the metrics (all
times in the tweets' own created_at).
"""

import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from conftest import KAFKA, MONGO  # noqa: E402
from tests.support import SERVICES, Platform  # noqa: E402

SAMPLE = ROOT.parent.parent / "shared" / "data" / "twcs_sample.csv"
HANDLED = re.compile(
    r'rapport_consumed_records_total\{[^}]*outcome="handled"[^}]*'
    r'topic="social\.mentions\.enriched"[^}]*\} ([0-9.e+]+)'
)


async def handled(http: httpx.AsyncClient, platform: Platform) -> int:
    text = (await http.get(f"{platform.url('responder')}/metrics")).text
    return sum(int(float(n)) for n in HANDLED.findall(text))


async def replay(platform: Platform) -> None:
    sample = SAMPLE if SAMPLE.exists() else Path("/work/shared/data/twcs_sample.csv")
    async with httpx.AsyncClient(timeout=300) as http:
        started = time.perf_counter()
        imported = await http.post(
            f"{platform.url('ingest')}/v1/imports",
            params={"format": "twcs"},
            content=sample.read_bytes(),
            headers={**platform.token("integration"), "content-type": "text/csv"},
        )
        imported.raise_for_status()
        accepted = imported.json()["accepted"]
        import_s = time.perf_counter() - started
        while await handled(http, platform) < accepted:
            if time.perf_counter() - started > 600:
                sys.exit("responder did not handle the replay within 600 s")
            await asyncio.sleep(0.2)
        drained_s = time.perf_counter() - started
        report = await http.get(
            f"{platform.url('responder')}/v1/handoff",
            params={"since": "2000-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z"},
            headers=platform.token("supervisor"),
        )
        report.raise_for_status()
        queues = await http.get(
            f"{platform.url('responder')}/v1/queues", headers=platform.token("agent")
        )
        alerts = await http.get(
            f"{platform.url('responder')}/v1/alerts",
            params={"limit": 200},
            headers=platform.token("agent"),
        )
    print(f"rows accepted by ingest: {accepted} (import answered in {import_s:.1f} s)")
    rate = accepted / drained_s
    print(f"pipeline drained to responder in {drained_s:.1f} s: {rate:.0f} mentions/s")
    metrics = report.json()
    print("handoff, all cases of the replay (seconds):")
    print(json.dumps({"overall": metrics["overall"], "queues": metrics["queues"]}, indent=1))
    print("queues now:", json.dumps(queues.json()))
    raised = [(a["kind"], a["subject"], a["observed"], a["window_start"]) for a in alerts.json()]
    print(f"alerts: {len(raised)}", json.dumps(raised))


async def drop(platform: Platform) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(platform.mongo)
    for name in SERVICES:
        await client.drop_database(platform.db_name(name))
    await client.close()


def main() -> None:
    platform = Platform(KAFKA, MONGO)
    platform.output.mkdir(parents=True, exist_ok=True)
    try:
        for name in SERVICES:
            platform.start(name)
        asyncio.run(replay(platform))
    finally:
        platform.stop_all()
        if not os.environ.get("KEEP_DATABASES"):
            asyncio.run(drop(platform))


if __name__ == "__main__":
    main()
