"""``rapport import FILE``: streams a CSV or JSONL file to ingest's ``POST /v1/imports``, then
follows the import until every accepted row is processed (analysed and bound for Kafka), with
a progress bar on stderr (bytes while sending, then rows processed), and prints its counts."""

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx

from rapport.token_cli import mint

CHUNK = 64 * 1024
CONTENT_TYPES = {"csv": "text/csv", "twcs": "text/csv", "jsonl": "application/x-ndjson"}
SHOWN_ERRORS = 10
POLL_S = 0.5


def mib(done: int, total: int) -> str:
    return f"{done / 2**20:.1f}/{total / 2**20:.1f} MiB"


def rows(done: int, total: int) -> str:
    return f"{done:,}/{total:,} rows processed"


class ProgressBar:
    """``[#####.....]  45%  1.2/2.7 MiB`` redrawn in place, at most ten times a second."""

    def __init__(
        self,
        total: int,
        out: IO[str],
        width: int = 30,
        amount: Callable[[int, int], str] = mib,
    ) -> None:
        self.total, self.out, self.width, self.amount = total, out, width, amount
        self.done = self._shown = 0
        self._drawn = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        if time.monotonic() - self._drawn >= 0.1 or self.done >= self.total:
            self.draw()

    def draw(self) -> None:
        self._drawn, self._shown = time.monotonic(), self.done
        share = self.done / self.total if self.total else 1.0
        filled = round(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        self.out.write(f"\r[{bar}] {share:4.0%}  {self.amount(self.done, self.total)}")
        self.out.flush()

    def close(self) -> None:
        if self._shown != self.done or not self._drawn:
            self.draw()
        self.out.write("\n")


def _sent(file: IO[bytes], bar: ProgressBar | None) -> Iterator[bytes]:
    while chunk := file.read(CHUNK):
        if bar:
            bar.advance(len(chunk))
        yield chunk


def upload(
    http: httpx.Client, path: Path, *, format: str, platform: str | None, bar: ProgressBar | None
) -> httpx.Response:
    """POST the file, streamed, with its size announced (so an oversized file is refused first)."""
    params = {"format": format, **({"platform": platform} if platform else {})}
    headers = {
        "Content-Type": CONTENT_TYPES[format],
        "Content-Length": str(path.stat().st_size),
    }
    with path.open("rb") as file:
        return http.post("/v1/imports", params=params, content=_sent(file, bar), headers=headers)


def follow(
    http: httpx.Client,
    body: dict[str, Any],
    bar: ProgressBar | None,
    *,
    timeout_s: float,
    poll_s: float = POLL_S,
) -> dict[str, Any]:
    """The import's progress, polled until every accepted row is processed."""
    deadline = time.monotonic() + timeout_s
    while True:
        if bar:
            bar.advance(body["processed"] - bar.done)
        if body["processed"] >= body["accepted"] or time.monotonic() > deadline:
            return body
        time.sleep(poll_s)
        answer = http.get(f"/v1/imports/{body['id']}")
        answer.raise_for_status()
        body = answer.json()


def summary(body: dict[str, Any]) -> str:
    lines = [
        f"import {body['id']} {body['state']}: read {body['read']}, accepted {body['accepted']},"
        f" duplicate {body['duplicate']}, rejected {body['rejected']},"
        + (f" suppressed {body['suppressed']}," if body.get("suppressed") else "")
        + f" processed {body['processed']}"
        + (f" ({body['unanalysed']} unanalysed)" if body.get("unanalysed") else "")
    ]
    if body.get("reason"):
        lines.append(f"  reason: {body['reason']}")
    for error in body["errors"][:SHOWN_ERRORS]:
        lines.append(f"  row {error['row']} (line {error['line']}): {error['reason']}")
    if (more := body["rejected"] - min(len(body["errors"]), SHOWN_ERRORS)) > 0:
        lines.append(f"  ... {more} more rejected rows: GET /v1/imports/{body['id']}")
    return "\n".join(lines)


def guess_format(path: Path) -> str:
    return "jsonl" if path.suffix.lower() in {".jsonl", ".ndjson"} else "csv"


def token(args: argparse.Namespace) -> str:
    if args.token or os.environ.get("RAPPORT_TOKEN"):
        return str(args.token or os.environ["RAPPORT_TOKEN"])
    return mint("rapport-import", ["integration"], ["ingest"], ttl_s=3600)


def run(args: argparse.Namespace) -> None:
    path = Path(args.file)
    if not path.is_file():
        sys.exit(f"rapport import: no such file: {path}")
    bar = ProgressBar(path.stat().st_size, sys.stderr)
    headers = {"Authorization": f"Bearer {token(args)}"}
    timeout = httpx.Timeout(30.0, read=args.timeout)
    try:
        with httpx.Client(base_url=args.url, headers=headers, timeout=timeout) as http:
            response = upload(
                http,
                path,
                format=args.format or guess_format(path),
                platform=args.platform,
                bar=bar,
            )
            bar.close()
            if response.status_code != 201:
                sys.exit(f"rapport import: {response.status_code} {response.text}")
            body = response.json()
            processed = ProgressBar(body["accepted"], sys.stderr, amount=rows)
            body = follow(http, body, processed, timeout_s=args.timeout)
            processed.close()
    except httpx.HTTPError as error:
        sys.exit(f"\nrapport import: {args.url}: {error}")
    print(summary(body))
    if body["state"] != "completed" or body["processed"] < body["accepted"]:
        sys.exit(1)


def register(commands: Any) -> None:
    """Adds ``import`` to the ``rapport`` command's subcommands."""
    command = commands.add_parser("import", help="import a CSV or JSONL file into ingest")
    command.add_argument("file")
    command.add_argument(
        "--format", choices=sorted(CONTENT_TYPES), help="default: from the file's extension"
    )
    command.add_argument("--platform", help="for rows that do not name one (x, facebook, ...)")
    command.add_argument(
        "--url", default=os.environ.get("RAPPORT_INGEST_URL", "http://127.0.0.1:8001")
    )
    command.add_argument(
        "--token", help="default: $RAPPORT_TOKEN, else minted with $RAPPORT_AUTH_PRIVATE_KEY"
    )
    command.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds to await the answer, and then the processing of the rows",
    )
    command.set_defaults(run=run)
