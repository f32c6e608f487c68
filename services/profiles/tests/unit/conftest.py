"""Unit tests' collaborators: every port in memory (``profiles.fakes``), on a clock tests move."""

from datetime import timedelta

import pytest

from profiles.domain.rules import Rules
from profiles.fakes import Fakes
from profiles.ports import Ports, profile_id_for
from profiles.use_cases.mentions import record_mention
from profiles.use_cases.merges import merge
from rapport.events.factories import BASE_TIME, ingested
from rapport.testing import MovableClock

ANN, BOB = profile_id_for("x:ann"), profile_id_for("x:bob")


class World(Fakes):
    clock: MovableClock

    async def mention(self, n: int, author: str, **fields: object) -> None:
        """``author`` said something (their profile is made on the first mention)."""
        event = ingested(n, author=author, **fields)
        await record_mention(event, profiles=self.profiles, rules=self.rules, clock=self.clock)

    async def authors(self, *names: str) -> Ports:
        """Each of ``names`` said something, in order; the ports."""
        for n, name in enumerate(names, start=1):
            await self.mention(n, name)
        return self.ports()

    async def ann_absorbed_bob(self) -> Ports:
        """ann and bob said something, and bob's profile was merged into ann's; the ports."""
        ports = await self.authors("ann", "bob")
        await merge(ports, ANN, [BOB], actor="sue", reason="same person")
        return ports


@pytest.fixture
def world() -> World:
    return World(MovableClock(BASE_TIME + timedelta(days=1)), Rules())
