"""Merging and unmerging (``use_cases.merges``) and look-alike suggestions
(``use_cases.queries``) against the fakes."""

from uuid import UUID

import pytest

from profiles.errors import MergeRefused, UnknownProfile
from profiles.ports import PROFILES_TOPIC, profile_id_for
from profiles.use_cases import merges, queries
from profiles.use_cases.profile_changes import change_consent
from rapport.events import ProfileChanged

from .conftest import World

ANN, BOB, CY = (profile_id_for(f"x:{name}") for name in ("ann", "bob", "cy"))


def announced(world: World, profile_id: UUID) -> list[str]:
    return [
        e.payload.change
        for t, k, e in world.profiles.outbox
        if t == PROFILES_TOPIC and k == str(profile_id) and isinstance(e, ProfileChanged)
    ]


class TestMerge:
    async def test_absorbs_each_profile_once_and_the_most_restrictive_consent_wins(
        self, world: World
    ) -> None:
        ports = await world.authors("ann", "bob")
        await change_consent(ports, ANN, marketing=True, source="crm")

        change = await merges.merge(ports, ANN, [BOB, BOB], actor="sue", reason="same person")

        assert [i.key for i in change.profile.identities] == ["x:ann", "x:bob"]
        assert change.profile.absorbed == [BOB]
        assert change.profile.consent.marketing is False
        changes = [e.payload.change for e in change.events]
        assert (changes[0], "consent_changed" in changes) == ("merged", True)
        assert announced(world, ANN)[-len(changes) :] == changes
        [entry] = world.profiles.audit
        assert (entry["actor"], entry["reason"], entry["absorbed"]) == ("sue", "same person", [BOB])

    async def test_refuses_a_profile_already_part_of_the_survivor_and_changes_nothing(
        self, world: World
    ) -> None:
        ports = await world.authors("ann", "bob", "cy")
        await merges.merge(ports, ANN, [BOB], actor="sue", reason="same person")
        before = list(world.profiles.outbox)

        with pytest.raises(MergeRefused):
            await merges.merge(ports, ANN, [CY, BOB], actor="sue", reason="again")
        with pytest.raises(UnknownProfile):
            await merges.merge(ports, ANN, [UUID(int=9)], actor="sue", reason="nobody")

        assert world.profiles.outbox == before
        cy, _ = await world.profiles.get(CY)
        assert cy is not None
        assert cy.merged_into is None


class TestUnmerge:
    async def test_gives_back_what_the_absorbed_profile_brought(self, world: World) -> None:
        ports = await world.ann_absorbed_bob()

        kept, restored = await merges.unmerge(ports, ANN, BOB, actor="sue", reason="two people")

        assert ([i.key for i in kept.profile.identities], kept.profile.absorbed) == (["x:ann"], [])
        assert [i.key for i in restored.profile.identities] == ["x:bob"]
        assert announced(world, BOB)[-1] == "unmerged"
        with pytest.raises(MergeRefused):
            await merges.unmerge(ports, ANN, BOB, actor="sue", reason="again")


class TestSuggestions:
    async def test_offers_look_alikes_until_rejected(self, world: World) -> None:
        await world.mention(1, "coffee_jo")
        await world.mention(2, "CoffeeJo88")
        await world.mention(3, "tea_time")
        jo, other = profile_id_for("x:coffee_jo"), profile_id_for("x:CoffeeJo88")
        ports = world.ports()

        [(found, alike)] = await queries.suggestions(ports, jo)
        assert (found.id, alike.similarity) == (other, 1.0)

        await queries.reject_suggestion(ports, jo, other)
        assert await queries.suggestions(ports, jo) == []
        assert await queries.suggestions(ports, other) == []

    async def test_a_profile_is_not_its_own_look_alike(self, world: World) -> None:
        ports = await world.ann_absorbed_bob()

        with pytest.raises(MergeRefused):
            await queries.reject_suggestion(ports, ANN, BOB)
