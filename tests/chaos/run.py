"""``make chaos``: replay 5,000 mentions from 500 authors while, in turn, the Kafka broker,
mongod and each service are SIGKILLed and restarted; only the killed process is restarted.

After each fault it waits (bounded) until the pipeline is idle, then checks every mention
accepted so far: exactly one profile-history entry, negative ones threaded into exactly one
case, each positive one exactly one ledger entry; no event id twice on any topic; no dead
letter. The last line is ``chaos: <F> faults, <N> mentions, lost L, duplicated D,
dead-lettered X``; any non-zero count exits 1.

    .venv/bin/python -m tests.chaos.run [--mentions 5000] [--authors 500] [--down-s 12]
"""

import argparse
import asyncio
import json
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from rapport.testing import reference, token_keys
from tests.chaos.census import Census, Planned, Tally
from tests.chaos.processes import INFRA, PROFILE, REPO, SERVICES, ChaosPlatform

FAULTS = (*INFRA, *SERVICES)
BATCH = 50
IDLE_TIMEOUT_S = 900.0
OUTPUT = REPO / "test-output" / "chaos"


@dataclass
class FaultRow:
    fault: str
    down_s: float
    recovery_s: float
    lost: int
    duplicated: int
    dead_lettered: int


def plan_mentions(count: int, authors: int) -> list[Planned]:
    run = reference().lower()
    return [
        Planned(f"chaos-{run}-{i}", f"chaos{run}a{i % authors}", (i // authors) % 2 == 0)
        for i in range(count)
    ]


def as_json(mention: Planned) -> dict[str, Any]:
    mood = (
        f"Love my Brightloop, the espresso is amazing, thanks! Batch {reference()}"
        if mention.positive
        else f"My Brightloop machine is broken again, worst purchase ever. Ticket {reference()}"
    )
    return {
        "platform": "x",
        "external_id": mention.external_id,
        "author": {"id": mention.author, "handle": f"h_{mention.author}", "followers": 250},
        "text": mood,
        "created_at": datetime.now(UTC).isoformat(),
    }


async def post_all(http: httpx.AsyncClient, mentions: list[Planned], posted: list[Planned]) -> None:
    """Post in batches, retrying each until ingest answers 202, as an integration would."""
    url = f"{PROFILE.service_url('ingest')}/v1/mentions"
    headers = {"Authorization": f"Bearer {token_keys().token('integration', subject='chaos')}"}
    for i in range(0, len(mentions), BATCH):
        batch = mentions[i : i + BATCH]
        body = {"mentions": [as_json(m) for m in batch]}
        backoff = 0.2
        while True:
            try:
                answer = await http.post(url, json=body, headers=headers, timeout=30)
                if answer.status_code == 202:
                    break
                if answer.status_code < 500:
                    raise SystemExit(f"ingest refused a batch: {answer.status_code} {answer.text}")
            except httpx.HTTPError:
                pass
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)
        posted.extend(batch)


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if await check():
                return True
        except Exception:  # the platform is recovering: ask again
            pass
        await asyncio.sleep(0.5)
    return False


async def settled(census: Census, timeout_s: float) -> bool:
    """Idle twice in a row, a second apart (a record can sit between two hops for a moment)."""

    async def twice() -> bool:
        if not await census.idle():
            return False
        await asyncio.sleep(1.0)
        return await census.idle()

    return await until(twice, timeout_s)


async def inject(
    platform: ChaosPlatform,
    census: Census,
    http: httpx.AsyncClient,
    fault: str,
    chunk: list[Planned],
    posted: list[Planned],
    down_s: float,
) -> float:
    """Kill ``fault`` half-way through posting ``chunk``, restart it after ``down_s``; returns
    seconds from the restart until the pipeline is idle again."""
    before = len(posted)
    poster = asyncio.create_task(post_all(http, chunk, posted))
    await until(lambda: _true(len(posted) - before >= len(chunk) // 2), 300)
    platform.kill(fault)
    await asyncio.sleep(down_s)  # the outage itself, not a synchronisation
    await asyncio.to_thread(platform.start, fault)
    restarted = time.monotonic()
    await poster
    if not await settled(census, IDLE_TIMEOUT_S):
        print(f"  {fault}: pipeline not idle after {IDLE_TIMEOUT_S:.0f} s", file=sys.stderr)
    return time.monotonic() - restarted


async def _true(value: bool) -> bool:
    return value


async def run(mentions: int, authors: int, down_s: float) -> int:
    platform = ChaosPlatform()
    shutil.rmtree(PROFILE.state_dir, ignore_errors=True)
    plan = plan_mentions(mentions, authors)
    chunks = [plan[i :: len(FAULTS)] for i in range(len(FAULTS))]
    rows: list[FaultRow] = []
    posted: list[Planned] = []
    try:
        for name in INFRA:
            platform.start(name)
        await platform.prepare()
        for name in SERVICES:
            platform.start(name)
        databases = {name: f"rapport_{name}" for name in SERVICES}
        census = Census(PROFILE.kafka_bootstrap, PROFILE.mongo_url, databases)
        await census.start()
        tally = Tally()
        async with httpx.AsyncClient() as http:
            for fault, chunk in zip(FAULTS, chunks, strict=True):
                print(f"chaos: {fault} killed half-way through {len(chunk)} mentions", flush=True)
                recovery = await inject(platform, census, http, fault, chunk, posted, down_s)
                tally = await census.count(posted)
                row = FaultRow(
                    fault,
                    down_s,
                    round(recovery, 1),
                    len(tally.lost),
                    len(tally.duplicated),
                    tally.dead_lettered,
                )
                rows.append(row)
                print(f"  recovered in {row.recovery_s} s; so far {tally.summary()}", flush=True)
        await census.close()
    finally:
        platform.stop_all()
    report(rows, tally, len(posted))
    line = f"chaos: {len(rows)} faults, {len(posted)} mentions, {tally.summary()}"
    print(line)
    failed = tally.lost or tally.duplicated or tally.dead_lettered or len(posted) != mentions
    return 1 if failed else 0


def report(rows: list[FaultRow], tally: Tally, mentions: int) -> None:
    print(f"\n{'fault':<10} {'down s':>7} {'recovery s':>11} {'lost':>5} {'dup':>5} {'dlq':>5}")
    for r in rows:
        print(
            f"{r.fault:<10} {r.down_s:>7} {r.recovery_s:>11} "
            f"{r.lost:>5} {r.duplicated:>5} {r.dead_lettered:>5}"
        )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "latest.json").write_text(
        json.dumps(
            {
                "mentions": mentions,
                "faults": [asdict(r) for r in rows],
                "lost": tally.lost[:100],
                "duplicated": tally.duplicated[:100],
                "dead_lettered": tally.dead_lettered,
            },
            indent=2,
        )
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=5000)
    parser.add_argument("--authors", type=int, default=500)
    parser.add_argument("--down-s", type=float, default=12.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.mentions, args.authors, args.down_s)))


if __name__ == "__main__":
    main()
