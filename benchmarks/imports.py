"""Import throughput: a generated *Customer Support on Twitter* CSV through ``POST /v1/imports``,
rows per second as the import's own progress reports them."""

import asyncio
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from benchmarks.measures import Through
from benchmarks.platform import PROFILE
from rapport.import_cli import upload

TWCS_COLUMNS = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]
COMPLAINT = "@BrightloopCare my espresso machine broke again, third time this month #{n}"
REPLY = "@{author} We're sorry to hear that. Please DM us your order number and we'll help. #{n}"


def twcs_csv(rows: int, authors: int = 1000) -> bytes:
    """``rows`` tweets, every other one the brand's reply to the customer's tweet before it."""
    run = uuid.uuid4().int % 10**9
    start = datetime(2017, 10, 31, 22, 0, tzinfo=UTC)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TWCS_COLUMNS)
    for n in range(rows):
        tweet_id, author = f"{run}{n:07d}", f"{run}{n // 2 % authors}"
        when = (start + timedelta(seconds=n)).strftime("%a %b %d %H:%M:%S %z %Y")
        if n % 2 == 0:
            writer.writerow([tweet_id, author, "True", when, COMPLAINT.format(n=n), "", ""])
        else:
            text = REPLY.format(author=author, n=n)
            parent = f"{run}{n - 1:07d}"
            writer.writerow([tweet_id, "BrightloopCare", "False", when, text, "", parent])
    return out.getvalue().encode()


async def import_rows(token: str, rows: int, workdir: Path, limit_s: float) -> Through:
    """Upload ``rows`` TWCS rows and follow the import's progress document (in ingest's
    database, so progress shows also while the upload is still streaming) until it completes,
    for at most ``limit_s``: rows processed per second of the import's own clock."""
    path = workdir / "twcs.csv"
    path.write_bytes(twcs_csv(rows))
    since = datetime.now(UTC) - timedelta(seconds=1)
    uploading = asyncio.create_task(asyncio.to_thread(_upload, token, path))
    uploading.add_done_callback(lambda task: task.cancelled() or task.exception())
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(PROFILE.mongo_url, tz_aware=True)
    imports = mongo["rapport_ingest"]["imports"]
    progress: dict[str, Any] | None = None
    try:
        async with asyncio.timeout(limit_s):
            while not (finished(progress) and uploading.done()):
                await asyncio.sleep(0.2)
                progress = await imports.find_one({"created_at": {"$gte": since}})
    except TimeoutError:
        pass
    finally:
        await mongo.close()
    if uploading.done():
        uploading.result()  # a refused upload says why
    if progress is None:
        return Through(rows, 0, limit_s, "rows processed")
    if progress["state"] == "failed":
        raise RuntimeError(f"import failed: {progress['reason']}")
    if progress["rejected"]:
        raise RuntimeError(
            f"ingest rejected rows of the benchmark's file: {progress['errors'][:3]}"
        )
    done = progress.get("processed", progress["read"])
    ended = progress["updated_at"] if progress["state"] != "running" else datetime.now(UTC)
    took = (ended - progress["created_at"]).total_seconds()
    return Through(rows, done, took, "rows processed")


def finished(progress: dict[str, Any] | None) -> bool:
    """Failed, or read to the end with every row read processed (analysed, in the outbox)."""
    if progress is None or progress["state"] == "running":
        return False
    return bool(progress["state"] == "failed" or progress.get("processed", 0) >= progress["read"])


def _upload(token: str, path: Path) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(
        base_url=PROFILE.service_url("ingest"), headers=headers, timeout=1800
    ) as http:
        answer = upload(http, path, format="twcs", platform="x", bar=None)
    if answer.status_code != 201:
        raise RuntimeError(f"import refused: {answer.status_code} {answer.text[:300]}")
