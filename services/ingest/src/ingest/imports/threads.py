"""Reply chains of one import become conversations: each mention's conversation_id is the id
of its chain's first tweet, whatever order the rows arrive in.

Rows are threaded in memory, from the file alone, holding ids only for the rows already seen:
``max_ids`` ids (oldest forgotten first; at ~150 bytes an id about 75 MB for the default) and at
most ``max_held`` whole rows. A row whose parent has not been seen yet is held back until the
parent arrives, then released with its chain's id. When the stream ends, or more than
``max_held`` rows wait, the oldest waiting chain is released under the nearest id it knows (the
missing parent's), and later rows of that chain follow it, so a conversation is never split
after the fact. Threading through the archive (a parent from an earlier import) is left to
responder, which also joins cases by in_reply_to.
"""

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TypeVar

from ingest.imports.rows import Parsed, Row

MAX_IDS = 500_000
MAX_HELD = 10_000
V = TypeVar("V")


class Threads:
    def __init__(self, *, max_ids: int = MAX_IDS, max_held: int = MAX_HELD) -> None:
        self._max_ids = max_ids
        self._max_held = max_held
        self._parent: dict[str, str | None] = {}
        self._conversation: dict[str, str] = {}
        self._waiting: dict[str, list[Row]] = {}
        self._held = 0

    def add(self, row: Row) -> list[Row]:
        """The rows that can go now, each with its conversation_id."""
        mention = row.mention
        self._bounded(self._parent, mention.external_id, mention.in_reply_to)
        ready = self._place([row])
        while self._held > self._max_held and (oldest := self.release(limit=1)):
            ready += oldest
        return ready

    def release(self, limit: int | None = None) -> list[Row]:
        """Let the oldest waiting chains go (all when no limit) under their missing parent's id."""
        ready: list[Row] = []
        missing = [tweet for tweet in self._waiting if tweet not in self._parent]
        for tweet in missing[:limit]:
            self._bounded(self._conversation, tweet, tweet)
            ready += self._place(self._unwait(tweet))
        return ready

    def _place(self, rows: list[Row]) -> list[Row]:
        ready: list[Row] = []
        while rows:
            row = rows.pop()
            found, conversation = self._resolve(row.mention.external_id)
            if not found:
                self._waiting.setdefault(conversation, []).append(row)
                self._held += 1
                continue
            mention = row.mention.model_copy(update={"conversation_id": conversation})
            ready.append(replace(row, mention=mention))
            rows += self._unwait(row.mention.external_id)
        return ready

    def _unwait(self, tweet: str) -> list[Row]:
        rows = self._waiting.pop(tweet, [])
        self._held -= len(rows)
        return rows

    def _resolve(self, tweet: str) -> tuple[bool, str]:
        """(True, its conversation) or (False, its nearest ancestor not seen yet)."""
        path: list[str] = []
        current = tweet
        while current not in self._conversation:
            if current not in self._parent:
                return False, current
            path.append(current)
            parent = self._parent[current]
            if parent is None or parent in path:  # a first tweet, or a cycle cut short
                conversation = current
                break
            current = parent
        else:
            conversation = self._conversation[current]
        for seen in path:
            self._bounded(self._conversation, seen, conversation)
        return True, conversation

    def _bounded(self, ids: dict[str, V], key: str, value: V) -> None:
        ids[key] = value
        if len(ids) > self._max_ids:
            del ids[next(iter(ids))]


async def threaded(parsed: AsyncIterator[Parsed]) -> AsyncIterator[Parsed]:
    """``parsed`` with conversation ids, rejections passed straight on."""
    threads = Threads()
    async for item in parsed:
        if isinstance(item, Row):
            for row in threads.add(item):
                yield row
        else:
            yield item
    for row in threads.release():
        yield row
