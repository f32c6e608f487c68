"""ingest alone on the bench platform (fresh, downstream services not started), with each
sentiment engine: ``ingest_accept_per_s`` (the POSTs of ``benchmarks.load``) and
``import_rows_per_s`` (``benchmarks.imports``: until every row is processed). Between the two,
it waits until the analysis stage has no pending mention left, so each rate is its own.

    .venv/bin/python -m benchmarks.ingest [--accept N] [--import-rows N] [--engines lexicon,...]
"""

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from benchmarks.imports import import_rows
from benchmarks.load import accept_per_s, client, plan
from benchmarks.platform import PROFILE, BenchPlatform
from rapport.testing import token_keys


def drained(timeout_s: float = 3600) -> float:
    """Seconds until no mention waits for analysis."""
    started = time.perf_counter()
    with MongoClient(PROFILE.mongo_url) as mongo:
        while mongo["rapport_ingest"]["mentions"].count_documents({"pending": True}):
            if time.perf_counter() - started > timeout_s:
                raise TimeoutError("mentions still pending analysis")
            time.sleep(0.2)
    return time.perf_counter() - started


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
            with tempfile.TemporaryDirectory() as workdir:
                rows = await import_rows(token, args.import_rows, Path(workdir), 3600)
            found[engine] = {
                "ingest_accept_per_s": round(accepted, 1),
                "analysed_per_s_after_accept": round(
                    args.accept / (args.accept / accepted + analysed_after_s), 1
                ),
                "import_rows_per_s": round(rows.per_s, 1),
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
