"""The file formats an import understands, and the content type each must be sent as."""

from collections.abc import AsyncIterable, AsyncIterator, Callable
from enum import StrEnum

from ingest.imports.columns import generic_rows
from ingest.imports.jsonl import jsonl_rows
from ingest.imports.rows import Parsed
from ingest.imports.twcs import twcs_rows
from rapport.events import Platform


class Format(StrEnum):
    CSV = "csv"
    """The generic layout of :mod:`ingest.imports.columns`."""
    JSONL = "jsonl"
    TWCS = "twcs"
    """Customer Support on Twitter (:mod:`ingest.imports.twcs`)."""


CONTENT_TYPES = {
    Format.CSV: ("text/csv",),
    Format.TWCS: ("text/csv",),
    Format.JSONL: ("application/x-ndjson", "application/jsonl"),
}
Parser = Callable[[AsyncIterable[bytes], Platform | None], AsyncIterator[Parsed]]
PARSERS: dict[Format, Parser] = {
    Format.CSV: generic_rows,
    Format.JSONL: jsonl_rows,
    Format.TWCS: twcs_rows,
}


def parse(
    format: Format, chunks: AsyncIterable[bytes], platform: Platform | None
) -> AsyncIterator[Parsed]:
    """The file's rows as they arrive; a file it cannot map raises ImportRefused on the first."""
    return PARSERS[format](chunks, platform)
