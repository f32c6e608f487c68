"""The kept profile snapshots on the fake and on MongoDB."""

import pytest

from rapport.events import RelationshipStage

from .conftest import Backend, a_case, a_snapshot

pytestmark = pytest.mark.integration
CASUAL, FAN, EVANGELIST = (
    RelationshipStage.CASUAL_COMMENTER,
    RelationshipStage.FAN,
    RelationshipStage.EVANGELIST,
)


class TestProfileStore:
    async def test_a_later_snapshot_replaces_the_kept_one_an_earlier_does_not(
        self, backend: Backend
    ) -> None:
        profiles = backend.ports.profiles
        assert await profiles.remember(a_snapshot(1, CASUAL, 10)) == {CASUAL}
        assert await profiles.remember(a_snapshot(1, FAN, 20)) == {CASUAL, FAN}
        assert await profiles.remember(a_snapshot(1, EVANGELIST, 5)) == set()
        kept = await profiles.get(a_case(1).profile_id)
        assert kept is not None
        assert kept.stage is FAN

    async def test_remember_all_applies_in_order_and_counts_the_fans(
        self, backend: Backend
    ) -> None:
        profiles = backend.ports.profiles
        await profiles.remember(a_snapshot(1, FAN, 10))
        moved = await profiles.remember_all(
            [a_snapshot(1, EVANGELIST, 20), a_snapshot(2, FAN, 5), a_snapshot(1, CASUAL, 15)]
        )
        assert moved == {FAN, EVANGELIST}
        assert await profiles.fans_and_evangelists() == (1, 1)
        assert await profiles.forget([a_case(1).profile_id, a_case(3).profile_id]) == 1
        assert await profiles.fans_and_evangelists() == (1, 0)
