"""Group commit: concurrent callers' items written together.

A call made while fewer than ``concurrency`` writes are in flight starts one at once, with its
own items only (no waiting at light load). Calls made while that many writes are in flight wait
for one to end, and then go together, in their order of arrival, into the next write: under
load the round trips per item fall with the number of callers, while up to ``concurrency``
writes still overlap their round trips. Each caller gets its own items' results, or the error of the
write that held them. A caller that is cancelled does not cancel the write its items are in.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Write = Callable[[list[T]], Awaitable[Sequence[R]]]
Call = tuple[list[T], "asyncio.Future[list[R]]"]


class GroupCommit(Generic[T, R]):
    def __init__(self, write: Write[T, R], *, most: int = 1_000, concurrency: int = 1) -> None:
        """``write(items)`` returns one result per item, in order; a write takes the calls
        waiting, whole, up to ``most`` items (one call's items are never split)."""
        self._write = write
        self._most = most
        self._concurrency = concurrency
        self._waiting: list[Call[T, R]] = []
        self._writers: set[asyncio.Task[None]] = set()

    async def __call__(self, items: list[T]) -> list[R]:
        if not items:
            return []
        future: asyncio.Future[list[R]] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)  # a caller cancelled meanwhile leaves it unread
        self._waiting.append((items, future))
        if sum(not writer.done() for writer in self._writers) < self._concurrency:
            writer = asyncio.create_task(self._write_waiting())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await asyncio.shield(future)

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                calls: list[Call[T, R]] = []
                size = 0
                while self._waiting and (
                    not calls or size + len(self._waiting[0][0]) <= self._most
                ):
                    call = self._waiting.pop(0)
                    calls.append(call)
                    size += len(call[0])
                await self._write_calls(calls)
        except BaseException:  # cancelled (the process stops): nobody is left waiting for ever
            for _, future in self._waiting:
                future.cancel()
            self._waiting.clear()
            raise

    async def _write_calls(self, calls: list["Call[T, R]"]) -> None:
        try:
            results = list(await self._write([item for items, _ in calls for item in items]))
            if len(results) != sum(len(items) for items, _ in calls):
                raise RuntimeError("a group write returned a result count unlike its items'")
        except Exception as error:  # every caller of this write learns why
            for _, future in calls:
                if not future.done():
                    future.set_exception(error)
            return
        except BaseException:
            for _, future in calls:
                future.cancel()
            raise
        start = 0
        for items, future in calls:
            if not future.done():
                future.set_result(results[start : start + len(items)])
            start += len(items)


def _retrieved(future: "asyncio.Future[Any]") -> None:
    if not future.cancelled():
        future.exception()
