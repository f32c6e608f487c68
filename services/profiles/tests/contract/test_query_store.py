"""``ProfileQueries``' contract, on the fake and on MongoDB: look-ups, pages of live profiles,
history newest first, look-alike candidates and rejected suggestions."""

from uuid import uuid4

import pytest

from profiles.ports import Action, profile_id_for
from profiles.use_cases.announcer import Announcer
from rapport.events import RelationshipStage

from .conftest import Backend

pytestmark = pytest.mark.integration
ANN, BOB, CY = (profile_id_for(f"x:{name}") for name in ("ann", "bob", "cy"))


async def test_a_profile_is_found_by_identity_and_by_handle_in_any_case(backend: Backend) -> None:
    await backend.mention(1, "ann", handle="Coffee_Ann")
    queries = backend.ports.queries

    found = await queries.by_identity("x:ann")
    assert found is not None
    assert found.id == ANN
    by_handle = await queries.by_handle("x:COFFEE_ann")
    assert by_handle is not None
    assert by_handle.id == ANN
    assert await queries.by_identity("x:nobody") is None
    assert await queries.by_handle("x:nobody") is None


async def test_pages_hold_live_profiles_in_id_order_by_stage(backend: Backend) -> None:
    for n, name in enumerate(("ann", "bob", "cy"), start=1):
        await backend.mention(n, name, score=0.0)
    announcer = Announcer(backend.ports.rules, backend.clock(), "merge")
    action = Action(uuid4(), "supervisor-1", "same person", backend.clock())
    await backend.ports.merges.merge(ANN, [CY], announcer.merge, action)
    queries, stage = backend.ports.queries, RelationshipStage.CASUAL_COMMENTER.value

    everyone = await queries.page(stage=None, segment=None, after=None, limit=10)
    first = await queries.page(stage=stage, segment=None, after=None, limit=1)
    rest = await queries.page(stage=stage, segment=None, after=first[0].id, limit=10)

    assert [p.id for p in everyone] == sorted([ANN, BOB])
    assert [p.id for p in [*first, *rest]] == sorted([ANN, BOB])
    assert await queries.page(stage="evangelist", segment=None, after=None, limit=10) == []


async def test_history_is_newest_first_up_to_the_limit(backend: Backend) -> None:
    for n in (1, 3, 2):
        await backend.mention(n, "ann")
    queries = backend.ports.queries
    ann = await queries.by_identity("x:ann")
    assert ann is not None

    latest = await queries.history(ann, 2)

    assert [h["mention"]["external_id"] for h in latest] == ["ext-3", "ext-2"]


async def test_look_alikes_are_candidates_until_rejected(backend: Backend) -> None:
    await backend.mention(1, "ann", handle="coffee_jo")
    await backend.mention(2, "bob", handle="CoffeeJo88")
    await backend.mention(3, "cy", handle="tea_time")
    queries = backend.ports.queries
    ann = await queries.by_identity("x:ann")
    assert ann is not None

    assert [p.id for p in await queries.lookalike_candidates(ann)] == [BOB]
    await queries.reject(ANN, BOB)

    ann, _ = await backend.ports.profiles.get(ANN)
    bob, _ = await backend.ports.profiles.get(BOB)
    assert ann is not None
    assert bob is not None
    assert (ann.rejected_suggestions, bob.rejected_suggestions) == ([BOB], [ANN])
