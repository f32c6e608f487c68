"""JSON Lines: one MentionIn object per line (blank lines are skipped); a line outside the
JSON bounds (``rapport.bounds.load_json``: nesting, number length, text that is not UTF-8)
is a rejected row whose reason names the field."""

import json
from collections.abc import AsyncIterable, AsyncIterator

from ingest.imports.lines import lines
from ingest.imports.rows import Parsed, Rejected, validated
from rapport.bounds import OutOfBounds, load_json
from rapport.events import Platform


def parse_line(number: int, line: int, text: str, platform: Platform | None) -> Parsed:
    try:
        document = load_json(text.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        return Rejected(number, line, f"not valid JSON: {error.msg} at column {error.colno}")
    except OutOfBounds as error:
        where = ".".join(str(part) for part in error.loc) or "line"
        return Rejected(number, line, f"{where}: {error}")
    if not isinstance(document, dict):
        return Rejected(number, line, "expected a JSON object")
    if platform:
        document.setdefault("platform", platform)
    return validated(number, line, document)


async def jsonl_rows(
    chunks: AsyncIterable[bytes], platform: Platform | None
) -> AsyncIterator[Parsed]:
    number = 0
    line = 0
    async for text in lines(chunks):
        line += 1
        if text.strip():
            number += 1
            yield parse_line(number, line, text, platform)
