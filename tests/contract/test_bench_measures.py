"""The benchmark runner's pure parts: percentiles, CPU and memory read from /proc, and the
TWCS file it imports (every row must be one ingest accepts, or the rate measures rejections)."""

import os
from collections.abc import AsyncIterator

import pytest

from benchmarks.hops import hop_percentiles
from benchmarks.imports import twcs_csv
from benchmarks.measures import cpu_s_per_1k, cpu_ticks, percentile, rss_mib
from ingest.imports.formats import Format, parse
from ingest.imports.rows import Rejected
from rapport.events import Platform

STAT = "4242 (uvicorn (worker) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 567 0 0 20 0 9 0"


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_hops_split_each_mention_between_consecutive_stages_over_mentions_seen_by_all() -> None:
    accepted = {"a": 10.0, "b": 20.0, "lost": 30.0}
    published = {"a": 10.5, "b": 21.0}
    cased = {"a": 12.5, "b": 21.5, "stray": 1.0}
    hops = hop_percentiles([accepted, published, cased], ["ingest", "responder"])
    assert hops["mentions"] == 2
    assert hops["ingest"] == {"p50": 500.0, "p99": 1000.0}  # a: 0.5 s, b: 1 s
    assert hops["responder"] == {"p50": 500.0, "p99": 2000.0}  # a: 2 s, b: 0.5 s
    assert hop_percentiles([accepted, {}], ["ingest"]) == {}


def test_cpu_ticks_add_utime_and_stime_also_when_the_name_has_spaces_and_parentheses() -> None:
    assert cpu_ticks(STAT) == 1234 + 567


def test_cpu_ticks_of_this_process_grow_with_work() -> None:
    def mine() -> int:
        with open(f"/proc/{os.getpid()}/stat") as stat:
            return cpu_ticks(stat.read())

    before = mine()
    for _ in range(100_000):  # a tick is 10 ms of CPU; this is seconds of work at most
        if mine() > before:
            break
        sum(i * i for i in range(1000))
    assert mine() > before


def test_cpu_s_per_1k_scales_each_process_delta_to_a_thousand_items() -> None:
    found = cpu_s_per_1k({"ingest": 10.0, "kafka": 2.0}, {"ingest": 14.0, "kafka": 3.0}, 2000)
    assert found == {"ingest": 2.0, "kafka": 0.5}


def test_rss_mib_reads_vmrss() -> None:
    status = "Name:\tpython\nVmPeak:\t  999999 kB\nVmRSS:\t  204800 kB\nThreads:\t9\n"
    assert rss_mib(status) == 200.0


async def test_the_generated_twcs_file_is_all_rows_ingest_accepts() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield twcs_csv(200, authors=10)

    rows = [row async for row in parse(Format.TWCS, chunks(), Platform.X)]
    assert len(rows) == 200
    assert not [row for row in rows if isinstance(row, Rejected)]
