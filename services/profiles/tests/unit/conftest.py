"""Unit tests' collaborators: every port in memory (``profiles.fakes``), on a clock tests move."""

from datetime import timedelta

import pytest

from profiles.domain.rules import Rules
from profiles.fakes import Fakes
from profiles.use_cases.mentions import record_mention
from rapport.events.factories import BASE_TIME, ingested
from rapport.testing import MovableClock


class World(Fakes):
    clock: MovableClock

    async def mention(self, n: int, author: str, **fields: object) -> None:
        """``author`` said something (their profile is made on the first mention)."""
        event = ingested(n, author=author, **fields)
        await record_mention(event, profiles=self.profiles, rules=self.rules, clock=self.clock)


@pytest.fixture
def world() -> World:
    return World(MovableClock(BASE_TIME + timedelta(days=1)), Rules())
