"""Backoff for retries, and the limit that stops dead-lettering a broken deploy."""

import itertools
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass


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
        delay = self.first_delay_s
        while True:
            yield delay * (1 - self.jitter * random.random())
            delay = min(delay * 2, self.max_delay_s)


class DlqLimitExceeded(RuntimeError):
    """Too many invalid messages in a row: more likely a bad deploy than bad data."""


class DlqLimit:
    """Allows at most ``max_invalid_ratio`` invalid messages among the last ``window`` seen."""

    def __init__(self, max_invalid_ratio: float = 0.5, window: int = 200) -> None:
        self.max_invalid_ratio = max_invalid_ratio
        self.window = window
        self._seen: deque[bool] = deque(maxlen=window)

    def record(self, *, valid: bool) -> None:
        self._seen.append(valid)
        invalid = self._seen.count(False)
        if len(self._seen) == self.window and invalid > self.max_invalid_ratio * self.window:
            raise DlqLimitExceeded(f"{invalid} of the last {self.window} messages were invalid")
