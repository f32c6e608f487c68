"""Retrying: how long to wait between tries, and trying until something starts.

Every backoff in Rapport doubles from a first wait up to a cap (``backoff_s``); ``RetryPolicy``
adds jitter for loops that retry in step across replicas (the consumer loop, the workers).
"""

import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

MAX_DOUBLINGS = 62
"""More doublings than any cap needs; keeps ``2 ** n`` a small number."""


def backoff_s(attempt: int, *, first_s: float, max_s: float) -> float:
    """The wait after the ``attempt``-th failed try (from 1): ``first_s``, doubling, at most
    ``max_s``."""
    return min(first_s * 2.0 ** min(max(attempt - 1, 0), MAX_DOUBLINGS), max_s)


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all for a permanent failure (a transient one is retried for as long
    as it takes). The waits double from ``first_delay_s`` up to ``max_delay_s``; each is
    shortened by a random share of up to ``jitter`` so that replicas do not retry in step."""

    attempts: int = 5
    first_delay_s: float = 0.2
    max_delay_s: float = 5.0
    jitter: float = 0.2

    def delays(self) -> Iterator[float]:
        """The waits between the ``attempts`` tries."""
        return itertools.islice(self.waits(), self.attempts - 1)

    def waits(self) -> Iterator[float]:
        """Endless waits, for retrying until it works."""
        for attempt in itertools.count(1):
            wait = backoff_s(attempt, first_s=self.first_delay_s, max_s=self.max_delay_s)
            yield wait * (1 - self.jitter * random.random())


async def retry_until(
    attempt: Callable[[], Awaitable[T]],
    *,
    retry_on: type[BaseException] | tuple[type[BaseException], ...],
    timeout_s: float,
    wait_s: float = 0.5,
) -> T:
    """``attempt()``'s result, trying again every ``wait_s`` while it raises ``retry_on``; the
    last error once ``timeout_s`` has passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        try:
            return await attempt()
        except retry_on:
            if loop.time() >= deadline:
                raise
        await asyncio.sleep(wait_s)
