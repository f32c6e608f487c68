"""Import throughput: a generated *Customer Support on Twitter* CSV through ``POST /v1/imports``,
rows per second as the import's own progress reports them (``GET /v1/imports/{id}``): from its
creation until every row is processed (analysed, its event in the outbox). The rate at which
the rows were stored (the upload's answer) is printed too."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.platform import PROFILE
from rapport.import_cli import follow, upload

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


def import_rows_per_s(token: str, rows: int, workdir: Path) -> float:
    path = workdir / "twcs.csv"
    path.write_bytes(twcs_csv(rows))
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(
        base_url=PROFILE.service_url("ingest"), headers=headers, timeout=1800
    ) as http:
        answer = upload(http, path, format="twcs", platform="x", bar=None)
        if answer.status_code != 201:
            raise RuntimeError(f"import refused: {answer.status_code} {answer.text[:300]}")
        stored = answer.json()
        progress = follow(http, stored, None, timeout_s=1800, poll_s=0.2)
    if progress["state"] != "completed" or progress["read"] != rows or progress["rejected"]:
        raise RuntimeError(f"import incomplete: {progress}")
    if progress["processed"] != rows:
        raise RuntimeError(f"import not processed within 30 minutes: {progress}")
    print(f"  stored at {rows / _seconds(stored):,.0f} rows/s (the upload's answer)")
    return rows / _seconds(progress)


def _seconds(progress: dict[str, Any]) -> float:
    took = datetime.fromisoformat(progress["updated_at"]) - datetime.fromisoformat(
        progress["created_at"]
    )
    return took.total_seconds()
