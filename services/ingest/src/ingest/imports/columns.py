"""The generic CSV layout: one mention per row, columns named after MentionIn's fields.

| column | MentionIn field | | column | MentionIn field |
|---|---|---|---|---|
| platform | platform (or ``?platform=``) | | created_at | created_at (ISO 8601, with offset) |
| external_id | external_id | | conversation_id | conversation_id |
| author_id | author.id | | in_reply_to | in_reply_to |
| author_handle | author.handle | | quote_of | quote_of |
| author_name | author.display_name | | url | url |
| followers | author.followers | | likes | engagement.likes |
| verified | author.verified (true/false/1/0/yes/no) | | shares | engagement.shares |
| text | text | | replies | engagement.replies |
| language | language (ISO 639) | | quotes | engagement.quotes |

external_id, author_id, text and created_at are required; an empty cell is an absent value.
"""

from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from ingest.imports.lines import Record, csv_records, is_text
from ingest.imports.rows import ImportRefused, Parsed, Rejected, validated
from rapport.events import Platform

COLUMNS: dict[str, tuple[str, ...]] = {
    "platform": ("platform",),
    "external_id": ("external_id",),
    "author_id": ("author", "id"),
    "author_handle": ("author", "handle"),
    "author_name": ("author", "display_name"),
    "followers": ("author", "followers"),
    "verified": ("author", "verified"),
    "text": ("text",),
    "language": ("language",),
    "created_at": ("created_at",),
    "conversation_id": ("conversation_id",),
    "in_reply_to": ("in_reply_to",),
    "quote_of": ("quote_of",),
    "url": ("url",),
    "likes": ("engagement", "likes"),
    "shares": ("engagement", "shares"),
    "replies": ("engagement", "replies"),
    "quotes": ("engagement", "quotes"),
}
REQUIRED = ("external_id", "author_id", "text", "created_at")
NAMES = {path: column for column, path in COLUMNS.items()}


class Header:
    """A file's header row, checked against the columns a layout knows and needs."""

    def __init__(self, record: Record | None, *, known: set[str], required: set[str]) -> None:
        if record is None or record.fields is None:
            raise ImportRefused("the first line must be a CSV header")
        self.names = [name.strip() for name in record.fields]
        if not all(is_text(name) and "\x00" not in name for name in self.names):
            raise ImportRefused("the header is not UTF-8 text (send the file as UTF-8)")
        if unknown := sorted(set(self.names) - known):
            raise ImportRefused(f"unknown columns: {', '.join(unknown)}")
        if missing := sorted(required - set(self.names)):
            raise ImportRefused(f"missing columns: {', '.join(missing)}")
        if len(set(self.names)) != len(self.names):
            raise ImportRefused("a column is named twice")

    def values(self, record: Record) -> dict[str, str] | str:
        """The row's non-empty cells by column, or why the row cannot be read."""
        if record.fields is None:
            return record.error or "unreadable"
        if len(record.fields) != len(self.names):
            return f"expected {len(self.names)} fields, found {len(record.fields)}"
        if garbled := [n for n, v in zip(self.names, record.fields, strict=True) if not is_text(v)]:
            return f"{', '.join(garbled)}: not valid UTF-8"
        return {n: v for n, v in zip(self.names, record.fields, strict=True) if v.strip()}


async def numbered(
    chunks: AsyncIterable[bytes], known: set[str], required: set[str]
) -> tuple[Header, AsyncIterator[tuple[int, Record]]]:
    """The header, then ``(row number, record)`` for each data row."""
    records = aiter(csv_records(chunks))
    header = Header(await anext(records, None), known=known, required=required)
    return header, _count(records)


async def _count(records: AsyncIterator[Record]) -> AsyncIterator[tuple[int, Record]]:
    number = 0
    async for record in records:
        number += 1
        yield number, record


async def generic_rows(
    chunks: AsyncIterable[bytes], platform: Platform | None
) -> AsyncIterator[Parsed]:
    required = set(REQUIRED) | (set() if platform else {"platform"})
    header, records = await numbered(chunks, set(COLUMNS), required)
    async for number, record in records:
        values = header.values(record)
        if isinstance(values, str):
            yield Rejected(number, record.line, values)
            continue
        document: dict[str, Any] = {"platform": platform} if platform else {}
        for column, value in values.items():
            *parents, leaf = COLUMNS[column]
            target = document
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value.strip() if column != "text" else value
        yield validated(number, record.line, document, names=NAMES)
