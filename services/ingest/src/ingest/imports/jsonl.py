"""JSON Lines: one MentionIn object per line (blank lines are skipped)."""

import json
from collections.abc import AsyncIterable, AsyncIterator

from ingest.imports.lines import is_text, lines
from ingest.imports.rows import Parsed, Rejected, validated
from rapport.events import Platform


def parse_line(number: int, line: int, text: str, platform: Platform | None) -> Parsed:
    if not is_text(text):
        return Rejected(number, line, "not valid UTF-8")
    try:
        document = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        return Rejected(number, line, f"not valid JSON: {error.msg} at column {error.colno}")
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
