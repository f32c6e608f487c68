"""Backoff for handler retries, and the limit that stops dead-lettering a broken deploy."""

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; the waits between them double from ``first_delay_s``."""

    attempts: int = 5
    first_delay_s: float = 0.2
    max_delay_s: float = 5.0

    def delays(self) -> Iterator[float]:
        delay = self.first_delay_s
        for _ in range(self.attempts - 1):
            yield delay
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
