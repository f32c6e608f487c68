"""One contract for ``ProfileStore``, run against the in-memory fake and MongoDB, so the fake
the unit tests use cannot drift from the adapter profiles runs on."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from profiles.adapters.mongo_store import INDEXES
from profiles.adapters.profile_store import MongoProfiles
from profiles.domain.model import Identity, Profile
from profiles.domain.recording import record_mention
from profiles.domain.rules import Rules
from profiles.errors import IdentityTaken, UnknownProfile
from profiles.fakes import FakeProfiles
from profiles.ports import (
    PROFILES_TOPIC,
    Applied,
    Change,
    Decide,
    Planned,
    PlannedCase,
    ProfileStore,
    profile_id_for,
)
from profiles.use_cases.announcer import Announcer
from rapport.events import MentionIngested
from rapport.events.factories import BASE_TIME, ingested
from rapport.mongo import Database, ensure_indexes
from rapport.outbox import COLLECTION as OUTBOX

from .conftest import complaint

pytestmark = pytest.mark.integration
RULES = Rules()
NOW = BASE_TIME + timedelta(days=1)
ANN, BOB = profile_id_for("x:ann"), profile_id_for("x:bob")
Published = list[tuple[str, str, str]]
"""(topic, key, event id) of each event stored for publication, in order."""


def mentioned(event: MentionIngested) -> Decide:
    def decide(before: Profile | None) -> Change:
        key = event.payload.author_key
        after = record_mention(
            before, event.payload, new_id=profile_id_for(key), now=NOW, rules=RULES
        )
        return Announcer(RULES, NOW, str(event.event_id)).change(before, after)

    return decide


def history(event: MentionIngested) -> dict[str, Any]:
    mention = event.payload
    return {"_id": str(event.event_id), "identity": mention.author_key, "created_at": NOW}


def new_profile(profile_id: UUID, *keys: str, **fields: Any) -> Change:
    identities = [
        Identity(key=k, kind="social", value=k.split(":")[1], platform="x", linked_at=NOW)
        for k in keys
    ]
    profile = Profile(id=profile_id, identities=identities, created_at=NOW, **fields)
    return Announcer(RULES, NOW, f"create-{profile_id}").change(None, profile)


def complaints_counted(cause: str) -> Any:
    def decide(before: Profile, open_complaints: int) -> Change:
        after = before.model_copy(update={"open_complaints": open_complaints})
        return Announcer(RULES, NOW, cause).change(before, after)

    return decide


def mentions_of(profile: Profile | None) -> int:
    assert profile is not None
    return sum(a.mentions for a in profile.activities())


class ProfileStoreContract:
    """What every ``ProfileStore`` does; a subclass gives the store and what it published."""

    async def published(self, store: Any) -> Published:
        raise NotImplementedError

    async def apply(self, store: ProfileStore, event: MentionIngested) -> Applied:
        key = event.payload.author_key
        return await store.apply(
            str(event.event_id), mentioned(event), identity=key, history=history(event)
        )

    async def test_a_cause_is_applied_once_and_answers_what_it_did_when_repeated(
        self, store: ProfileStore
    ) -> None:
        first = await self.apply(store, ingested(1, author="ann"))
        again = await self.apply(store, ingested(1, author="ann"))

        assert (first.first_time, again.first_time) == (True, False)
        assert [e.event_id for e in again.events] == [e.event_id for e in first.events]
        assert mentions_of(again.profile) == 1
        found, merged_from = await store.get(ANN)
        assert (mentions_of(found), merged_from) == (1, None)
        published = await self.published(store)
        assert [(t, k) for t, k, _ in published] == [(PROFILES_TOPIC, str(ANN))]

    async def test_a_cause_deciding_nothing_changes_nothing_and_is_not_decided_again(
        self, store: ProfileStore
    ) -> None:
        nothing = await store.apply("c-1", lambda before: None, profile_id=ANN)
        again = await store.apply("c-1", mentioned(ingested(1, author="ann")), profile_id=ANN)

        assert (nothing.profile, nothing.first_time) == (None, True)
        assert (again.profile, again.events, again.first_time) == (None, [], False)
        assert await store.get(ANN) == (None, None)
        assert await self.published(store) == []

    async def test_a_merged_id_resolves_to_the_profile_it_was_merged_into(
        self, store: ProfileStore
    ) -> None:
        await store.create(new_profile(ANN, "x:ann"))
        stub = UUID(int=7)
        await store.create(new_profile(stub, merged_into=ANN))
        seen: list[UUID | None] = []

        def decide(before: Profile | None) -> None:
            seen.append(before.id if before else None)

        await store.apply("c-2", decide, profile_id=stub)

        assert seen == [ANN]
        found, merged_from = await store.get(stub)
        assert (found.id if found else None, merged_from) == (ANN, stub)

    async def test_a_batch_is_applied_in_order_as_one_by_one_skipping_causes_applied_before(
        self, store: ProfileStore
    ) -> None:
        await self.apply(store, ingested(1, author="ann"))
        events = [
            ingested(n, author=a) for n, a in ((1, "ann"), (2, "ann"), (3, "bob"), (2, "ann"))
        ]
        planned = [
            Planned(str(e.event_id), e.payload.author_key, mentioned(e), history(e)) for e in events
        ]

        await store.apply_many(planned)

        ann, _ = await store.get(ANN)
        bob, _ = await store.get(BOB)
        assert (mentions_of(ann), mentions_of(bob)) == (2, 1)
        published = await self.published(store)
        assert {k for _, k, _ in published} == {str(ANN), str(BOB)}
        assert len({i for _, _, i in published}) == len(published)

    async def test_a_case_keeps_its_latest_change_and_counts_the_owners_open_complaints(
        self, store: ProfileStore
    ) -> None:
        await store.create(new_profile(ANN, "x:ann"))
        opened = await store.apply_case("k-1", complaint(1, 1, ANN), complaints_counted("k-1"))
        other = await store.apply_case("k-2", complaint(2, 1, ANN), complaints_counted("k-2"))
        stale = await store.apply_case(
            "k-3", complaint(1, 1, ANN, "resolved"), complaints_counted("k-3")
        )
        resolved = await store.apply_case(
            "k-4", complaint(1, 2, ANN, "resolved"), complaints_counted("k-4")
        )
        repeated = await store.apply_case("k-1", complaint(1, 1, ANN), complaints_counted("k-1"))

        counts = [a.profile.open_complaints if a.profile else None for a in (opened, other)]
        assert counts == [1, 2]
        assert (stale.events, stale.profile and stale.profile.open_complaints) == ([], 2)
        assert resolved.profile is not None
        assert resolved.profile.open_complaints == 1
        assert repeated.first_time is False
        found, _ = await store.get(ANN)
        assert found is not None
        assert found.open_complaints == 1

    async def test_a_case_of_an_unknown_profile_changes_nothing(self, store: ProfileStore) -> None:
        applied = await store.apply_case("k-1", complaint(1, 1, BOB), complaints_counted("k-1"))

        assert (applied.profile, applied.events) == (None, [])
        assert await store.get(BOB) == (None, None)

    async def test_a_case_batch_is_applied_in_order_as_one_by_one(
        self, store: ProfileStore
    ) -> None:
        await store.create(new_profile(ANN, "x:ann"))
        changes = [complaint(1, 1, ANN), complaint(2, 1, ANN), complaint(1, 2, ANN, "resolved")]
        planned = [
            PlannedCase(f"k-{n}", c, complaints_counted(f"k-{n}")) for n, c in enumerate(changes)
        ]

        await store.apply_cases([*planned, planned[0]])

        found, _ = await store.get(ANN)
        assert found is not None
        assert found.open_complaints == 1

    async def test_creating_keeps_the_profile_stored_under_its_id_and_refuses_a_held_identity(
        self, store: ProfileStore
    ) -> None:
        first = await store.create(new_profile(ANN, "x:ann"))
        again = await store.create(new_profile(ANN, "x:other"))

        assert [i.key for i in again.identities] == [i.key for i in first.identities]
        with pytest.raises(IdentityTaken):
            await store.create(new_profile(BOB, "x:ann"))
        assert await store.get(BOB) == (None, None)

    async def test_linking_adds_an_identity_only_no_other_profile_holds(
        self, store: ProfileStore
    ) -> None:
        await store.create(new_profile(ANN, "x:ann"))
        await store.create(new_profile(BOB, "x:bob"))

        def adding(key: str) -> Decide:
            def decide(before: Profile | None) -> Change:
                assert before is not None
                linked = new_profile(before.id, key).profile.identities
                after = before.model_copy(update={"identities": [*before.identities, *linked]})
                return Change(after)

            return decide

        linked = await store.link(ANN, "x:ann2", "social", adding("x:ann2"))
        again = await store.link(ANN, "x:ann2", "social", adding("x:ann2"))

        assert (linked.first_time, again.first_time) == (True, False)
        found, _ = await store.get(ANN)
        assert found is not None
        assert [i.key for i in found.identities] == ["x:ann", "x:ann2"]
        with pytest.raises(IdentityTaken):
            await store.link(ANN, "x:bob", "social", adding("x:bob"))
        with pytest.raises(UnknownProfile):
            await store.link(UUID(int=9), "x:cy", "social", adding("x:cy"))


class TestFakeProfiles(ProfileStoreContract):
    @pytest.fixture
    def store(self) -> FakeProfiles:
        return FakeProfiles()

    async def published(self, store: FakeProfiles) -> Published:
        return [(t, k, str(e.event_id)) for t, k, e in store.outbox]


class TestMongoProfiles(ProfileStoreContract):
    @pytest.fixture
    async def store(self, mongo_db: Database) -> MongoProfiles:
        await ensure_indexes(mongo_db, INDEXES)
        self.db = mongo_db
        return MongoProfiles(mongo_db)

    async def published(self, store: MongoProfiles) -> Published:
        rows = await self.db[OUTBOX].find().sort("seq", 1).to_list()
        return [(row["topic"], row["key"], row["_id"]) for row in rows]
