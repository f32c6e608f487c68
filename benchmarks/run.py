"""`make bench`: Rapport against the ceiling, in the same run, on a platform of its own.

Starts Kafka, MongoDB and the four services fresh on ports and state of their own
(:mod:`benchmarks.platform`, ``.state/bench``) and measures, in this order:

- ``bare_4hop_per_s``: a bare aiokafka pass-through over four hops (:mod:`benchmarks.bare`);
- ``drain_lexicon_per_s``: mentions from 1,000 authors posted in batches of 500, until every
  consumer group committed everything and no outbox row waits; meanwhile each process's CPU
  (``cpu_s_per_1k``, from /proc/<pid>/stat) and peak resident memory (``rss_mib.loaded``);
- ``ingest_accept_per_s``: the POSTs alone, with the three downstream services stopped;
- ``import_rows_per_s``: a generated TWCS CSV through ``POST /v1/imports``
  (:mod:`benchmarks.imports`);
- ``e2e_ms``: negative mentions offered at a steady rate, 202 to case (:mod:`benchmarks.latency`);
- ``drain_encoder_per_s``: the drain again with the default sentence-encoder sentiment;
- ``encoder_per_s_per_core``: in-process analysis on one core (:mod:`benchmarks.analysis`).

Writes ``benchmarks/results/latest.json`` and prints it.

    .venv/bin/python -m benchmarks.run [--quick] [--drain N] [--encoder-drain N] [--rate R] ...
"""

import argparse
import asyncio
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.analysis import measure, texts
from benchmarks.bare import bare_4hop_per_s
from benchmarks.imports import import_rows_per_s
from benchmarks.latency import e2e_ms
from benchmarks.load import accept_per_s, census, client, drain_per_s, idle_since, plan
from benchmarks.measures import cpu_s, cpu_s_per_1k, rss_of
from benchmarks.platform import DOWNSTREAM, PROFILE, SECRET, SERVICES, BenchPlatform
from rapport.auth import issue_token

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
FULL = {
    "bare": 10_000,
    "drain": 10_000,
    "accept": 10_000,
    "import_rows": 10_000,
    "encoder_drain": 1_000,
    "rate": 200.0,
    "duration": 60.0,
}
QUICK = {
    "bare": 10_000,
    "drain": 1_000,
    "accept": 1_000,
    "import_rows": 1_000,
    "encoder_drain": 50,
    "rate": 20.0,
    "duration": 15.0,
}


def save(report: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


async def measure_platform(n: argparse.Namespace, found: dict[str, Any]) -> None:
    """Fill ``found`` phase by phase, saving it before each, so a failed run keeps the rest."""

    def step(what: str) -> None:
        save(found)
        print(f"bench: {what}", flush=True)

    platform = BenchPlatform()
    try:
        step("starting Kafka and MongoDB on .state/bench")
        await platform.start_fresh()
        step(f"bare 4-hop pass-through, {n.bare:,} messages")
        found["bare_4hop_per_s"] = round(await bare_4hop_per_s(PROFILE.kafka_bootstrap, n.bare), 1)
        step("starting the services (lexicon)")
        for name in SERVICES:
            platform.start(name)
        count = census()
        await count.start()
        async with client() as http:
            await idle_since(count)
            pids = platform.pids()
            idle = {name: round(rss_of(pid), 1) for name, pid in pids.items()}
            loaded = dict(idle)

            def sample() -> None:
                for name, pid in pids.items():
                    loaded[name] = max(loaded[name], round(rss_of(pid), 1))

            step(f"drain, lexicon, {n.drain:,} mentions")
            before = {name: cpu_s(pid) for name, pid in pids.items()}
            rate = await drain_per_s(http, count, plan(n.drain), sample)
            found["drain_lexicon_per_s"] = round(rate, 1)
            found["cpu_s_per_1k"] = cpu_s_per_1k(
                before, {name: cpu_s(pid) for name, pid in pids.items()}, n.drain
            )
            found["rss_mib"] = {"idle": idle, "loaded": loaded}

            step(f"ingest accepting {n.accept:,} mentions alone")
            for name in DOWNSTREAM:
                platform.stop(name)
            found["ingest_accept_per_s"] = round(await accept_per_s(http, plan(n.accept)), 1)
            for name in DOWNSTREAM:
                platform.start(name)
            await idle_since(count)

            step(f"import of {n.import_rows:,} TWCS rows")
            token = issue_token(SECRET, "bench", ["integration"])
            with tempfile.TemporaryDirectory() as workdir:
                rows = await asyncio.to_thread(
                    import_rows_per_s, token, n.import_rows, Path(workdir)
                )
            found["import_rows_per_s"] = round(rows, 1)
            await idle_since(count)

            step(f"end-to-end latency at {n.rate:g}/s for {n.duration:g} s")
            offered = plan(round(n.rate * n.duration), positive=False)
            found["e2e_ms"] = await e2e_ms(http, offered, n.rate)
            await idle_since(count)

            step(f"restarting the services (encoder); drain of {n.encoder_drain:,} mentions")
            for name in SERVICES:
                platform.stop(name)
            platform.engine = "encoder"
            for name in SERVICES:
                platform.start(name)
            found["rss_mib"]["idle_encoder"] = {
                name: round(rss_of(pid), 1) for name, pid in platform.pids().items()
            }
            encoder_drain = plan(n.encoder_drain, authors=min(n.encoder_drain, 1000))
            found["drain_encoder_per_s"] = round(
                await drain_per_s(http, count, encoder_drain, lambda: None), 1
            )
        await count.close()
    finally:
        platform.stop_all()
    found["drain_ratio"] = round(found["drain_lexicon_per_s"] / found["bare_4hop_per_s"], 4)
    step("analysis on one core (encoder)")
    corpus = texts()
    found["encoder_per_s_per_core"] = round(measure(corpus, "encoder", len(corpus)), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, 20/s of latency")
    for key, value in FULL.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=type(value), default=None)
    args = parser.parse_args()
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    report: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "cpus": os.cpu_count(),
        "n": {key: getattr(args, key) for key in FULL},
        "complete": False,
    }
    asyncio.run(measure_platform(args, report))
    report["complete"] = True
    save(report)
    print(json.dumps(report, indent=2))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
