"""The *Customer Support on Twitter* layout (Kaggle's twcs.csv).

``tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id``:
``inbound`` is True for a customer's tweet and False for the brand's support account, whose
``author_id`` is its handle (``AppleSupport``); ``created_at`` reads "Tue Oct 31 22:10:47 +0000
2017". Replies name their parent in ``in_response_to_tweet_id``; ``response_tweet_id`` (the
children) is implied by the parents and not used. Reply chains become conversations through
:mod:`ingest.imports.threads`.
"""

from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from typing import Any

from ingest.imports.columns import numbered
from ingest.imports.rows import Parsed, Rejected, validated
from ingest.imports.threads import threaded
from rapport.events import Platform

COLUMNS = {
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
}
NAMES = {
    ("external_id",): "tweet_id",
    ("author", "id"): "author_id",
    ("author", "handle"): "author_id",
    ("in_reply_to",): "in_response_to_tweet_id",
}
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
INBOUND = {"true": True, "false": False}


def tweet_id(value: str | None) -> str | None:
    """Ids as the dataset writes them, also when a spreadsheet made them floats ("119237.0")."""
    if value is None:
        return None
    value = value.strip()
    return value.removesuffix(".0") if value.removesuffix(".0").isdigit() else value


def mention(values: dict[str, str], platform: Platform) -> tuple[dict[str, Any], bool] | str:
    """The row as a MentionIn document and whether the brand wrote it, or why not."""
    inbound = INBOUND.get(values.get("inbound", "").strip().lower())
    if inbound is None:
        return "inbound: must be True or False"
    try:
        created_at = datetime.strptime(values.get("created_at", "").strip(), TIME_FORMAT)
    except ValueError:
        return "created_at: expected like 'Tue Oct 31 22:10:47 +0000 2017'"
    author = values.get("author_id", "").strip()
    document: dict[str, Any] = {
        "platform": platform,
        "external_id": tweet_id(values.get("tweet_id")),
        "author": {"id": author} if inbound else {"id": author, "handle": author},
        "text": values.get("text"),
        "created_at": created_at,
        "in_reply_to": tweet_id(values.get("in_response_to_tweet_id")),
    }
    return {key: value for key, value in document.items() if value is not None}, not inbound


async def _rows(chunks: AsyncIterable[bytes], platform: Platform) -> AsyncIterator[Parsed]:
    header, records = await numbered(chunks, COLUMNS, COLUMNS)
    async for number, record in records:
        values = header.values(record)
        found = values if isinstance(values, str) else mention(values, platform)
        if isinstance(found, str):
            yield Rejected(number, record.line, found)
        else:
            document, brand = found
            yield validated(number, record.line, document, names=NAMES, from_brand=brand)


def twcs_rows(chunks: AsyncIterable[bytes], platform: Platform | None) -> AsyncIterator[Parsed]:
    return threaded(_rows(chunks, platform or Platform.X))
