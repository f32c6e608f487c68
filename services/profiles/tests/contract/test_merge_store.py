"""``MergeStore``'s contract, on the fake and on MongoDB: a merge or unmerge happens at once,
with its audit entry, its history moved and its events, or not at all."""

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from profiles.domain.model import Profile
from profiles.errors import MergeRefused, UnknownProfile
from profiles.ports import PROFILES_TOPIC, Action, Change, profile_id_for
from profiles.use_cases.announcer import Announcer
from rapport.events import ProfileChanged

from .conftest import Backend, complaint

pytestmark = pytest.mark.integration
ANN, BOB = profile_id_for("x:ann"), profile_id_for("x:bob")


def acting(backend: Backend, reason: str = "same person") -> tuple[Announcer, Action]:
    action = Action(uuid4(), "supervisor-1", reason, backend.clock())
    return Announcer(backend.ports.rules, action.at, str(action.id)), action


async def merge(backend: Backend, absorbed: UUID) -> Change:
    announcer, action = acting(backend)
    return await backend.ports.merges.merge(ANN, [absorbed], announcer.merge, action)


async def unmerge(backend: Backend, reason: str) -> tuple[Change, Change]:
    announcer, action = acting(backend, reason)
    return await backend.ports.merges.unmerge(ANN, BOB, announcer.unmerge, action)


async def ann_and_bob(backend: Backend) -> None:
    await backend.mention(1, "ann")
    await backend.mention(2, "bob")


def counted(backend: Backend) -> Callable[[Profile, int], Change]:
    def decide(profile: Profile, open_complaints: int) -> Change:
        after = profile.model_copy(update={"open_complaints": open_complaints})
        return Announcer(backend.ports.rules, backend.clock(), "case").change(profile, after)

    return decide


async def test_a_merge_moves_identities_history_and_complaints_onto_the_survivor(
    backend: Backend,
) -> None:
    await ann_and_bob(backend)
    profiles = backend.ports.profiles
    await profiles.apply_case("case-1", complaint(1, 1, BOB), counted(backend))

    change = await merge(backend, BOB)

    assert [i.key for i in change.profile.identities] == ["x:ann", "x:bob"]
    assert change.profile.open_complaints == 1
    found, resolved_from = await profiles.get(BOB)
    assert found is not None
    assert (found.id, resolved_from) == (ANN, BOB)
    history = await backend.ports.queries.history(found, 10)
    assert {(h["identity"], h["profile_id"]) for h in history} == {("x:ann", ANN), ("x:bob", ANN)}
    [entry] = await backend.ports.queries.audit_trail(found)
    assert (entry["action"], entry["actor"], entry["reason"]) == (
        "merged",
        "supervisor-1",
        "same person",
    )
    assert "snapshots" not in entry
    merged = [e for t, k, e in await backend.published() if t == PROFILES_TOPIC and k == str(ANN)]
    assert isinstance(merged[-1], ProfileChanged)
    assert "merged" in [e.payload.change for e in merged if isinstance(e, ProfileChanged)]


async def test_a_merge_refused_changes_nothing(backend: Backend) -> None:
    await ann_and_bob(backend)
    before = await backend.published()

    with pytest.raises(MergeRefused):
        await merge(backend, ANN)
    with pytest.raises(UnknownProfile):
        await merge(backend, UUID(int=9))

    found, _ = await backend.ports.profiles.get(BOB)
    assert found is not None
    assert found.id == BOB
    assert await backend.published() == before


async def test_an_unmerge_gives_back_what_the_absorbed_profile_brought_once(
    backend: Backend,
) -> None:
    await ann_and_bob(backend)
    queries = backend.ports.queries
    await merge(backend, BOB)
    await backend.mention(3, "bob")
    backend.clock.advance(minutes=1)

    kept, restored = await unmerge(backend, "two people")

    assert [i.key for i in kept.profile.identities] == ["x:ann"]
    assert [i.key for i in restored.profile.identities] == ["x:bob"]
    bob, resolved_from = await backend.ports.profiles.get(BOB)
    assert bob is not None
    assert (bob.id, resolved_from) == (BOB, None)
    history = await queries.history(bob, 10)
    assert [(h["mention"]["external_id"], h["profile_id"]) for h in history] == [
        ("ext-3", BOB),
        ("ext-2", BOB),
    ]
    trail = await queries.audit_trail(bob)
    assert [(e["action"], e["reason"]) for e in trail] == [
        ("unmerged", "two people"),
        ("merged", "same person"),
    ]
    with pytest.raises(MergeRefused):
        await unmerge(backend, "again")
