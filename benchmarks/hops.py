"""Where the end-to-end latency goes: for each mention of the latency phase, the time from
ingest's 202 to its ``MentionIngested`` record on ``social.mentions``, from there to its
``MentionEnriched`` record on ``social.mentions.enriched``, and from there to its case, read
from the records' Kafka timestamps (set by the producing service when it sent them). A mention's
acceptance is when its 202 reached the benchmark: on a busy machine that can come after ingest
published it, so the ingest hop's p50 can be a little below zero."""

import re
import time
from typing import Any

from aiokafka import AIOKafkaConsumer

from benchmarks.measures import percentile
from rapport.topics import ENRICHED_MENTIONS, MENTIONS

READ_LIMIT_S = 60.0
_EXTERNAL_ID = re.compile(rb'"external_id":"([^"]+)"')
HOPS = (
    ("ingest", MENTIONS.name),
    ("profiles", ENRICHED_MENTIONS.name),
)


async def first_records(bootstrap: str, topic: str, wanted: set[str]) -> dict[str, float]:
    """external id -> the wall-clock time (s) of the topic's first record of that mention."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: dict[str, float] = {}
    try:
        ends: dict[Any, int] | None = None
        deadline = time.monotonic() + READ_LIMIT_S
        while time.monotonic() < deadline and len(found) < len(wanted):
            if ends is None and consumer.assignment():
                ends = await consumer.end_offsets(list(consumer.assignment()))
            if ends is not None and all(
                [(await consumer.position(tp)) >= end for tp, end in ends.items()]
            ):
                break
            for records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                for record in records:
                    match = _EXTERNAL_ID.search(record.value or b"")
                    if match and (external_id := match.group(1).decode()) in wanted:
                        found.setdefault(external_id, record.timestamp / 1000)
    finally:
        await consumer.stop()
    return found


def hop_percentiles(stages: list[dict[str, float]], names: list[str]) -> dict[str, Any]:
    """p50/p99 (ms) of each hop between consecutive ``stages`` (key -> wall time), over the keys
    present in every stage; ``names[i]`` names the hop from stage i to stage i+1."""
    keys = set(stages[0]).intersection(*stages[1:])
    if not keys:
        return {}
    hops: dict[str, Any] = {"mentions": len(keys)}
    for name, before, after in zip(names, stages, stages[1:], strict=False):
        waits = [(after[k] - before[k]) * 1000 for k in keys]
        hops[name] = {
            "p50": round(percentile(waits, 0.5), 1),
            "p99": round(percentile(waits, 0.99), 1),
        }
    return hops
