"""`make bench`: Rapport against the ceiling, in the same run, on a platform of its own.

Starts Kafka, MongoDB and the four services fresh on ports and state of their own
(:mod:`benchmarks.platform`, ``.state/bench``) and measures, in this order, each phase within
a time limit of its own (``LIMITS_S``; a phase out of time records how far it got under
``incomplete`` rather than hanging):

- ``bare_4hop_per_s``: a bare aiokafka pass-through over four hops (:mod:`benchmarks.bare`);
- ``bare_4hop_stored_per_s``: the same, each hop also writing its batch to MongoDB in one
  transaction (the ceiling for services that persist what they consume; ``drain_ratio_stored``);
- ``drain_lexicon_per_s``: mentions from 1,000 authors posted in batches of 500, until every
  consumer group committed everything and no outbox row waits (or the limit: then the mentions
  with all their effects, per second); meanwhile each process's CPU (``cpu_s_per_1k``, from
  /proc/<pid>/stat) and peak resident memory (``rss_mib.loaded``); with ``--profile``, py-spy
  samples the services meanwhile (:mod:`benchmarks.sampling`);
- ``e2e_ms``: negative mentions offered at a steady rate, 202 to case (:mod:`benchmarks.latency`);
- ``drain_encoder_per_s``: the drain again, of fewer mentions, with the default sentence-encoder
  sentiment;
- ``ingest_accept_per_s``: the POSTs alone, ingest with the lexicon engine and the three
  downstream services stopped;
- ``import_rows_per_s``: a generated TWCS CSV through ``POST /v1/imports``
  (:mod:`benchmarks.imports`), downstream still stopped;
- ``encoder_per_s_per_core``: in-process analysis on one core (:mod:`benchmarks.analysis`).

Each phase that needs an idle pipeline waits for one within ``settle`` seconds, else starts the
platform afresh (a drain cut short, or a latency phase stopped early, leaves a backlog).
Writes ``benchmarks/results/latest.json`` (after every phase) and prints it, then a table of
each figure against the issue's target (:mod:`benchmarks.summary`).

    .venv/bin/python -m benchmarks.run [--quick] [--profile] [--drain N] [--rate R] ...
    .venv/bin/python -m benchmarks.run --phases e2e   # bare, lexicon drain and latency only
"""

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.analysis import measure, texts
from benchmarks.bare import bare_4hop_per_s
from benchmarks.imports import import_rows
from benchmarks.latency import Observed, e2e_ms, stage_hops
from benchmarks.load import accept_per_s, client, drain, plan
from benchmarks.measures import cpu_s, cpu_s_per_1k, rss_of
from benchmarks.platform import DOWNSTREAM, PROFILE, SERVICES
from benchmarks.sampling import Sampler
from benchmarks.session import RESULTS, Session, save
from benchmarks.summary import render, rows
from rapport.testing import token_keys

FULL = {
    "bare": 10_000,
    "drain": 10_000,
    "accept": 10_000,
    "import_rows": 10_000,
    "encoder_drain": 200,
    "rate": 200.0,
    "duration": 60.0,
}
QUICK = {
    "bare": 5_000,
    "drain": 300,
    "accept": 1_000,
    "import_rows": 1_000,
    "encoder_drain": 20,
    "rate": 5.0,
    "duration": 10.0,
}
PHASES = ("e2e", "ingest")
"""Optional phases: the latency at a steady rate; the encoder drain, ingest alone and the
encoder on one core."""
LIMITS_S: dict[str, dict[str, float]] = {
    "full": {
        "bare": 120,
        "drain": 180,
        "settle": 20,
        "catch_up": 30,
        "accept": 60,
        "import": 60,
        "encoder_drain": 60,
        "encoder_core": 30,
    },
    "quick": {
        "bare": 60,
        "drain": 60,
        "settle": 30,
        "catch_up": 15,
        "accept": 30,
        "import": 30,
        "encoder_drain": 30,
        "encoder_core": 10,
    },
}


async def measure_platform(s: Session, n: argparse.Namespace) -> None:
    s.step("starting Kafka and MongoDB on .state/bench")
    await s.platform.start_fresh()
    s.step(f"bare 4-hop pass-through, {n.bare:,} messages")
    bare = bare_4hop_per_s(PROFILE.kafka_bootstrap, n.bare)
    if found := await s.bounded("bare_4hop_per_s", s.limits["bare"], bare):
        s.found["bare_4hop_per_s"] = round(found, 1)
    s.step(f"bare 4-hop pass-through storing each batch in MongoDB, {n.bare:,} messages")
    stored = bare_4hop_per_s(PROFILE.kafka_bootstrap, n.bare, mongo_url=PROFILE.mongo_url)
    if found := await s.bounded("bare_4hop_stored_per_s", s.limits["bare"], stored):
        s.found["bare_4hop_stored_per_s"] = round(found, 1)
    s.step("starting the services (lexicon)")
    await s.start_services("lexicon", fresh=False)
    async with client() as http:
        await lexicon_drain(s, http, n)
        if "e2e" in n.phases:
            await s.settled("lexicon")
            await latency(s, http, n)
        if "ingest" in n.phases:
            await s.settled("encoder")
            await encoder_drain(s, http, n)
            await ingest_alone(s, http, n)


async def lexicon_drain(s: Session, http: httpx.AsyncClient, n: argparse.Namespace) -> None:
    """The drain, each process's CPU and peak memory meanwhile, and py-spy if asked."""
    pids = s.platform.pids()
    idle = s.rss()
    loaded = dict(idle)

    def sample() -> None:
        for name, pid in pids.items():
            loaded[name] = max(loaded[name], round(rss_of(pid), 1))

    limit = s.limits["drain"]
    sampler = Sampler({name: pids[name] for name in SERVICES}, RESULTS.parent, limit)
    s.step(f"drain, lexicon, {n.drain:,} mentions" + (", sampled by py-spy" * n.profile))
    if n.profile:
        await sampler.start()
    before = {name: cpu_s(pid) for name, pid in pids.items()}
    mentions = plan(n.drain)
    drained = await s.bounded(
        "drain_lexicon_per_s", limit + 60, drain(http, s.count, mentions, sample, limit)
    )
    after = {name: cpu_s(pid) for name, pid in pids.items()}
    if n.profile:
        s.found["profile"] = await sampler.stop()
    s.found["rss_mib"] = {"idle": idle, "loaded": loaded}
    if not drained:
        return
    s.record("drain_lexicon_per_s", drained.per_s, drained.shortfall)
    if drained.done:
        s.found["cpu_s_per_1k"] = cpu_s_per_1k(before, after, drained.done)
    if s.found.get("bare_4hop_per_s"):
        s.found["drain_ratio"] = round(drained.per_s / s.found["bare_4hop_per_s"], 4)
    if s.found.get("bare_4hop_stored_per_s"):
        s.found["drain_ratio_stored"] = round(drained.per_s / s.found["bare_4hop_stored_per_s"], 4)


async def latency(s: Session, http: httpx.AsyncClient, n: argparse.Namespace) -> None:
    s.step(f"end-to-end latency at {n.rate:g}/s for {n.duration:g} s")
    offered = plan(round(n.rate * n.duration), positive=False)
    seen = Observed()
    measuring = e2e_ms(http, offered, n.rate, s.limits["catch_up"], seen)
    e2e = await s.bounded("e2e_ms", n.duration + s.limits["catch_up"] + 60, measuring)
    if seen.visible and (hops := await s.bounded("e2e_hops", 150, stage_hops(offered, seen))):
        s.found.setdefault("e2e_ms", {})["hops"] = hops
    if e2e:
        s.found["e2e_ms"] = {**e2e, **s.found.get("e2e_ms", {})}
        if e2e["stopped_early"] or e2e["unseen"]:
            s.found["incomplete"]["e2e_ms"] = (
                f"offered {e2e['mentions']:,} in {e2e['offered_s']:g} s, "
                f"{e2e['unseen']:,} without a case when the wait ended"
            )


async def encoder_drain(s: Session, http: httpx.AsyncClient, n: argparse.Namespace) -> None:
    s.found.setdefault("rss_mib", {})["idle_encoder"] = s.rss()
    s.step(f"drain, encoder, {n.encoder_drain:,} mentions")
    mentions = plan(n.encoder_drain, authors=min(n.encoder_drain, 1000))
    limit = s.limits["encoder_drain"]
    measuring = drain(http, s.count, mentions, lambda: None, limit)
    if drained := await s.bounded("drain_encoder_per_s", limit + 60, measuring):
        s.record("drain_encoder_per_s", drained.per_s, drained.shortfall)


async def ingest_alone(s: Session, http: httpx.AsyncClient, n: argparse.Namespace) -> None:
    """Acceptance and import by ingest with the lexicon engine, the downstream services
    stopped: what ingest publishes waits in Kafka and costs no CPU."""
    s.step(f"ingest (lexicon) accepting {n.accept:,} mentions alone")
    for name in (*DOWNSTREAM, "ingest"):
        s.platform.stop(name)
    s.platform.engine = "lexicon"
    s.platform.start("ingest")
    accepting = accept_per_s(http, plan(n.accept))
    if accepted := await s.bounded("ingest_accept_per_s", s.limits["accept"], accepting):
        s.found["ingest_accept_per_s"] = round(accepted, 1)
    s.step(f"import of {n.import_rows:,} TWCS rows")
    token = token_keys().token("integration", subject="bench")
    limit = s.limits["import"]
    with tempfile.TemporaryDirectory() as workdir:
        importing = import_rows(token, n.import_rows, Path(workdir), limit)
        if imported := await s.bounded("import_rows_per_s", limit + 60, importing):
            s.record("import_rows_per_s", imported.per_s, imported.shortfall)


def encoder_per_core(s: Session) -> None:
    s.step("analysis on one core (encoder)")
    started = time.perf_counter()
    corpus = texts()
    rate = measure(corpus, "encoder", len(corpus), limit_s=s.limits["encoder_core"])
    s.found["encoder_per_s_per_core"] = round(rate, 1)
    s.found["phase_s"]["encoder_per_s_per_core"] = round(time.perf_counter() - started, 1)


async def run(n: argparse.Namespace, limits: dict[str, float], found: dict[str, Any]) -> None:
    session = Session(limits, found)
    try:
        await measure_platform(session, n)
    finally:
        await session.close()
    if "ingest" in n.phases:
        encoder_per_core(session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (small counts)")
    parser.add_argument("--profile", action="store_true", help="py-spy the services' drain")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help="after the bare pass-through and the lexicon drain, which of: %(default)s",
    )
    for key, value in FULL.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=type(value), default=None)
    args = parser.parse_args()
    args.phases = set(args.phases.split(","))
    mode = "quick" if args.quick else "full"
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    report: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        "n": {key: getattr(args, key) for key in FULL},
        "phases": sorted(args.phases & set(PHASES)),
        "limits_s": LIMITS_S[mode],
        "complete": False,
        "incomplete": {},
        "phase_s": {},
    }
    started = time.perf_counter()
    try:
        asyncio.run(run(args, LIMITS_S[mode], report))
    except BaseException as error:
        report["incomplete"]["run"] = f"stopped: {type(error).__name__}: {error}"[:500]
        raise
    finally:
        report["complete"] = not report["incomplete"]
        report["phase_s"]["total"] = round(time.perf_counter() - started, 1)
        save(report)
        print(json.dumps(report, indent=2))
        print(f"written to {RESULTS}\n")
        print(render(rows(report)))


if __name__ == "__main__":
    main()
