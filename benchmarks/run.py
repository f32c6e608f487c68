"""`make bench`: measures the running local platform (`make run` starts it if needed).

Prints, as measured on this machine:
- resident memory of every process of the stack (Kafka, MongoDB, four services), idle;
- end-to-end latency of one mention: ingest's 202 until its points are visible in loyalty;
- ingest acceptance throughput (batches of 100) and the pipeline's drain rate to loyalty.
Bench mentions use fresh authors, so they never touch the demo data's profiles. The throughput
run lifts loyalty's caps on positive mentions while it runs (one author posts them all) and
puts the rule back afterwards.
"""

import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy" / "local"))

from local_procs import running_pid
from local_profile import PROFILES, SERVICES
from local_services import auth_secret

from profiles.repository import profile_id_for
from rapport.auth import issue_token
from rapport.testing import reference

PROFILE = PROFILES["run"]
POSITIVE = "Love my Brightloop, the espresso is amazing, thanks! Batch {reference}"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory() -> dict[str, float]:
    found = {}
    for name in ("kafka", "mongod", *SERVICES):
        pid = running_pid(PROFILE.pid_file(name))
        if pid is None:
            sys.exit(f"{name} is not running: start the platform with `make run`")
        found[name] = rss_mib(pid)
    return found


def mention(author: str) -> dict[str, Any]:
    return {
        "platform": "x",
        "external_id": uuid.uuid4().hex,
        "author": {"id": author},
        "text": POSITIVE.format(reference=reference()),
        "created_at": "2026-11-20T09:00:00Z",
    }


async def balance_visible(http: httpx.AsyncClient, author: str) -> bool:
    url = f"{PROFILE.service_url('loyalty')}/v1/members/{profile_id_for(f'x:{author}')}"
    return (await http.get(url)).status_code == 200


async def latency(http: httpx.AsyncClient, samples: int) -> list[float]:
    results = []
    for _ in range(samples):
        author = f"bench-{uuid.uuid4().hex[:12]}"
        response = await http.post(
            f"{PROFILE.service_url('ingest')}/v1/mentions", json=mention(author)
        )
        accepted = time.perf_counter()
        assert response.status_code == 202, response.text
        deadline = accepted + 30
        while not await balance_visible(http, author):
            if time.perf_counter() > deadline:
                sys.exit("a bench mention did not reach loyalty within 30 s")
            await asyncio.sleep(0.002)
        results.append((time.perf_counter() - accepted) * 1000)
    return results


async def throughput(http: httpx.AsyncClient, batches: int, size: int) -> tuple[float, float]:
    author = f"bench-{uuid.uuid4().hex[:12]}"
    started = time.perf_counter()
    for _ in range(batches):
        body = {"mentions": [mention(author) for _ in range(size)]}
        response = await http.post(f"{PROFILE.service_url('ingest')}/v1/mentions", json=body)
        assert response.status_code == 202, response.text
    accepted = time.perf_counter() - started
    url = f"{PROFILE.service_url('loyalty')}/v1/members/{profile_id_for(f'x:{author}')}"
    total = batches * size
    while True:
        response = await http.get(url)
        if response.status_code == 200 and response.json()["lifetime_points"] >= 10 * total:
            break
        if time.perf_counter() - started > 600:
            sys.exit("the throughput run did not drain within 600 s")
        await asyncio.sleep(0.05)
    drained = time.perf_counter() - started
    return total / accepted, total / drained


@asynccontextmanager
async def uncapped_positive_mentions(http: httpx.AsyncClient) -> AsyncIterator[None]:
    rules = f"{PROFILE.service_url('loyalty')}/v1/rules"
    response = await http.get(rules)
    response.raise_for_status()
    (rule,) = [r for r in response.json() if r["kind"] == "positive_mention"]
    terms = {k: v for k, v in rule.items() if k != "kind"}
    (
        await http.put(f"{rules}/positive_mention", json={"points": rule["points"]})
    ).raise_for_status()
    try:
        yield
    finally:
        (await http.put(f"{rules}/positive_mention", json=terms)).raise_for_status()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    idle = memory()
    token = issue_token(auth_secret(PROFILE), "bench", ["admin"])
    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
        samples = await latency(http, 30)
        async with uncapped_positive_mentions(http):
            accept_rate, drain_rate = await throughput(http, batches=5, size=100)
    print("Resident memory, idle (MiB):")
    for name, mib in idle.items():
        print(f"  {name:<10} {mib:8.1f}")
    print(f"  {'total':<10} {sum(idle.values()):8.1f}")
    print("End-to-end latency, ingest 202 -> points visible in loyalty (30 mentions, ms):")
    print(
        f"  median {statistics.median(samples):.1f}  p90 {percentile(samples, 0.9):.1f}"
        f"  max {max(samples):.1f}"
    )
    print("Throughput, 500 mentions in batches of 100 (one author, so one partition):")
    print(
        f"  ingest accepted {accept_rate:,.0f}/s; pipeline drained to loyalty {drain_rate:,.0f}/s"
    )


if __name__ == "__main__":
    asyncio.run(main())
