"""A sum whose parts fade with age: each halves every ``half_life``.

Stored as the sum as it stood at ``at``; adding a part dated before ``at`` fades the part
instead, so the order in which parts arrive does not matter.
"""

from datetime import datetime, timedelta

from pydantic import BaseModel


def fade(age: timedelta, half_life: timedelta) -> float:
    """The weight left after ``age``: 1 now (or in the future), 1/2 after one half-life."""
    return float(0.5 ** (max(age, timedelta(0)) / half_life))


class Decayed(BaseModel):
    value: float = 0.0
    at: datetime | None = None

    def add(self, weight: float, when: datetime, half_life: timedelta) -> "Decayed":
        if self.at is None:
            return Decayed(value=weight, at=when)
        latest = max(self.at, when)
        value = self.value * fade(latest - self.at, half_life) + weight * fade(
            latest - when, half_life
        )
        return Decayed(value=value, at=latest)

    def at_time(self, now: datetime, half_life: timedelta) -> float:
        if self.at is None:
            return 0.0
        return self.value * fade(now - self.at, half_life)
