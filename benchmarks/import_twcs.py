"""Import rate of ../shared/data/twcs_sample.csv into a running ingest, in rows per second.

    .venv/bin/python benchmarks/import_twcs.py [URL]      (default: `make run`'s ingest)

The token is signed with $RAPPORT_AUTH_PRIVATE_KEY, else `make run`'s .state/run/auth/private.pem.
Tweet ids get a fresh prefix each run, so every run imports new mentions, not duplicates.
"""

import csv
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from rapport.import_cli import summary, upload
from rapport.token_cli import mint

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "data" / "twcs_sample.csv"
ID_COLUMNS = ("tweet_id", "in_response_to_tweet_id")


def fresh_copy(source: Path, prefix: str) -> bytes:
    """The sample with every tweet id prefixed (author ids, the brand's handles, kept)."""
    out = io.StringIO()
    with source.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            for column in ID_COLUMNS:
                row[column] = f"{prefix}{row[column]}" if row[column] else ""
            writer.writerow(row)
    return out.getvalue().encode()


def private_key() -> str:
    found = os.environ.get("RAPPORT_AUTH_PRIVATE_KEY")
    path = ROOT / ".state" / "run" / "auth" / "private.pem"
    if not found and not path.exists():
        sys.exit("no RAPPORT_AUTH_PRIVATE_KEY and no .state/run/auth/private.pem: `make run` first")
    return found or str(path)


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8001"
    if not SAMPLE.exists():
        sys.exit(f"{SAMPLE} is absent: nothing to measure")
    token = mint("bench", ["integration"], ["ingest"], key_path=private_key())
    with tempfile.NamedTemporaryFile(suffix=".csv") as copy:
        copy.write(fresh_copy(SAMPLE, f"b{uuid.uuid4().hex[:8]}-"))
        copy.flush()
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
            started = time.perf_counter()
            response = upload(http, Path(copy.name), format="twcs", platform=None, bar=None)
            elapsed = time.perf_counter() - started
    if response.status_code != 201:
        sys.exit(f"import refused: {response.status_code} {response.text}")
    body = response.json()
    print(summary(body))
    print(f"{body['read']} rows in {elapsed:.2f} s: {body['read'] / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
