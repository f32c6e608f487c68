"""The limit that stops dead-lettering a broken deploy (arroyo's ``DlqLimit``)."""

from collections import deque


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
