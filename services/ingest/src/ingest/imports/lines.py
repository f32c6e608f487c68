"""Incremental reading: bytes as they arrive -> lines -> CSV records, without holding the file.

Text is UTF-8 (a leading byte-order mark is dropped). Bytes that are not UTF-8 are kept as
surrogate escapes so that only their row is rejected (``is_text``), not the whole file.
"""

import codecs
import csv
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from dataclasses import dataclass

MAX_RECORD_CHARS = 1_000_000
"""A record longer than this (usually a quote that is never closed) is rejected and dropped."""


async def lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[str]:
    """Each line with its ending, however the chunks cut the bytes."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
    partial = ""
    async for chunk in chunks:
        partial += decoder.decode(chunk)
        *complete, partial = partial.split("\n")
        for line in complete:
            yield line + "\n"
        if len(partial) > MAX_RECORD_CHARS:
            yield partial
            partial = ""
    partial += decoder.decode(b"", final=True)
    if partial:
        yield partial


def is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Record:
    line: int
    fields: list[str] | None
    error: str | None = None


class _Feed:
    """The lines csv.reader reads: only ever handed complete records, so it never waits."""

    def __init__(self) -> None:
        self.pending: deque[str] = deque()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        return self.pending.popleft()


async def csv_records(chunks: AsyncIterable[bytes]) -> AsyncIterator[Record]:
    """RFC 4180 records; a quoted field may span lines (a record ends where its quotes balance)."""
    feed = _Feed()
    reader = csv.reader(feed, strict=True)
    parts: list[str] = []
    quotes = size = start = 0
    number = 0
    async for line in lines(chunks):
        number += 1
        if not parts:
            start = number
        parts.append(line)
        quotes += line.count('"')
        size += len(line)
        if quotes % 2 == 0:
            feed.pending.append("".join(parts))
            try:
                fields = next(reader)
            except csv.Error as error:
                yield Record(start, None, f"not valid CSV: {error}")
            else:
                if fields:
                    yield Record(start, fields)
        elif size > MAX_RECORD_CHARS:
            yield Record(start, None, f"a quoted field runs past {MAX_RECORD_CHARS} characters")
        else:
            continue
        parts, quotes, size = [], 0, 0
    if parts:
        yield Record(start, None, "the file ends inside a quoted field")
