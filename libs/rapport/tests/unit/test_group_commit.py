"""Group commit: a lone call is written at once; calls made during a write go together into
the next one, each getting its own results or the write's error."""

import asyncio

import pytest

from rapport.group_commit import GroupCommit


class Writes:
    """Records each write's items; holds every write until ``release()`` while ``held``."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.started = asyncio.Event()
        self._go_on = asyncio.Event()
        self._go_on.set()
        self.failing: set[str] = set()

    def hold(self) -> None:
        self._go_on.clear()

    def release(self) -> None:
        self._go_on.set()

    async def __call__(self, items: list[str]) -> list[str]:
        self.batches.append(items)
        self.started.set()
        await self._go_on.wait()
        if self.failing & set(items):
            raise ValueError(f"refused {sorted(self.failing & set(items))}")
        return [item.upper() for item in items]


async def settled() -> None:
    """Let every ready task run up to its next wait (no time passes)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_lone_call_is_written_at_once_with_its_own_items() -> None:
    writes = Writes()
    assert await GroupCommit(writes)(["a", "b"]) == ["A", "B"]
    assert writes.batches == [["a", "b"]]


async def test_calls_made_during_a_write_go_together_into_the_next_in_arrival_order() -> None:
    writes = Writes()
    together = GroupCommit(writes)
    writes.hold()
    first = asyncio.create_task(together(["a"]))
    await writes.started.wait()
    later = [asyncio.create_task(together(items)) for items in (["b", "c"], ["d"], ["e"])]
    await asyncio.sleep(0)  # let the later callers queue up
    writes.release()

    assert await first == ["A"]
    assert [await call for call in later] == [["B", "C"], ["D"], ["E"]]
    assert writes.batches == [["a"], ["b", "c", "d", "e"]]


async def test_a_write_takes_whole_calls_up_to_most_items() -> None:
    writes = Writes()
    together = GroupCommit(writes, most=3)
    writes.hold()
    first = asyncio.create_task(together(["a"]))
    await writes.started.wait()
    later = [asyncio.create_task(together(items)) for items in (["b", "c"], ["d", "e"], ["f"])]
    await asyncio.sleep(0)
    writes.release()
    await asyncio.gather(first, *later)

    assert writes.batches == [["a"], ["b", "c"], ["d", "e", "f"]]


async def test_a_failed_write_fails_its_callers_only_and_the_next_write_goes_on() -> None:
    writes = Writes()
    writes.failing = {"c"}
    together = GroupCommit(writes, most=2)
    writes.hold()
    first = asyncio.create_task(together(["a"]))
    await writes.started.wait()
    failed = [asyncio.create_task(together(items)) for items in (["b"], ["c"])]
    fine = asyncio.create_task(together(["d"]))
    await asyncio.sleep(0)
    writes.release()

    assert await first == ["A"]
    for call in failed:
        with pytest.raises(ValueError, match="refused"):
            await call
    assert await fine == ["D"]
    assert writes.batches == [["a"], ["b", "c"], ["d"]]


async def test_a_cancelled_caller_does_not_cancel_the_write_of_its_items() -> None:
    writes = Writes()
    together = GroupCommit(writes)
    writes.hold()
    call = asyncio.create_task(together(["a"]))
    await writes.started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    writes.release()

    assert await together(["b"]) == ["B"]
    assert writes.batches == [["a"], ["b"]]


async def test_up_to_concurrency_writes_overlap_and_the_rest_wait_together() -> None:
    writes = Writes()
    together = GroupCommit(writes, concurrency=2)
    writes.hold()
    first = []
    for item in ("a", "b"):
        first.append(asyncio.create_task(together([item])))
        await settled()  # its write has begun
    later = [asyncio.create_task(together([item])) for item in ("c", "d")]
    await settled()
    assert writes.batches == [["a"], ["b"]]
    writes.release()

    assert [await call for call in (*first, *later)] == [["A"], ["B"], ["C"], ["D"]]
    assert writes.batches == [["a"], ["b"], ["c", "d"]]


async def test_a_call_after_every_write_ended_starts_a_write_of_its_own() -> None:
    writes = Writes()
    together = GroupCommit(writes, concurrency=2)
    assert await together(["a"]) == ["A"]
    assert await together(["b"]) == ["B"]
    assert writes.batches == [["a"], ["b"]]
