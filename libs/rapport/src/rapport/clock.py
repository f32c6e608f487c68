"""Where every service reads the time: ``system_clock`` in production, a ``ManualClock`` in tests.

Code that decides by the time takes a ``Clock`` (``clock.now()``), so caps, windows, deadlines
and expiry are tested by setting the clock, never by waiting.
"""

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


system_clock = SystemClock()


class ManualClock:
    """A clock that moves only when told: ``set`` or ``advance``."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, by: timedelta) -> datetime:
        self._at += by
        return self._at
