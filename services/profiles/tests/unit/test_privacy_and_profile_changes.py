"""Privacy requests (``use_cases.privacy_requests``), the CRM's profiles and consent
(``use_cases.profile_changes``) and what an id names (``use_cases.queries``), against the fakes."""

from uuid import UUID

import pytest

from profiles.domain.identities import identity
from profiles.errors import IdentityTaken, UnknownProfile
from profiles.handlers import on_privacy_completed
from profiles.ports import profile_id_for
from profiles.use_cases.privacy_requests import request_privacy
from profiles.use_cases.profile_changes import change_consent, create_profile
from profiles.use_cases.queries import history, live
from rapport.events import PrivacyAnswer, PrivacyCompleted, PrivacyRequested, SocialIdentity
from rapport.privacy import PRIVACY_TOPIC

from .conftest import World

ANN, BOB = profile_id_for("x:ann"), profile_id_for("x:bob")


class TestRequestPrivacy:
    async def test_asks_every_service_about_every_id_and_account_of_the_person(
        self, world: World
    ) -> None:
        ports = await world.ann_absorbed_bob()

        request_id = await request_privacy(ports, BOB, "erase", ["profiles", "loyalty"])

        [(topic, key, announced)] = world.privacy.outbox
        assert isinstance(announced, PrivacyRequested)
        request = announced.payload
        assert (topic, key, request.request_id) == (PRIVACY_TOPIC, str(ANN), request_id)
        assert (request.profile_id, request.profile_ids) == (ANN, [ANN, BOB])
        assert request.identities == [
            SocialIdentity(platform="x", author_id="ann"),
            SocialIdentity(platform="x", author_id="bob"),
        ]
        assert await world.privacy.pending() == {"profiles": 1, "loyalty": 1}
        assert world.relayed == 1

    async def test_an_unknown_profile_is_asked_about_by_nobody(self, world: World) -> None:
        with pytest.raises(UnknownProfile):
            await request_privacy(world.ports(), UUID(int=9), "export", ["profiles"])
        assert world.privacy.outbox == []

    async def test_each_service_answer_is_recorded_once(self, world: World) -> None:
        await world.mention(1, "ann")
        ports = world.ports()
        request_id = await request_privacy(ports, ANN, "erase", ["profiles"])
        answer = PrivacyAnswer(
            request_id=request_id,
            kind="erase",
            profile_id=ANN,
            service="profiles",
            completed_at=world.clock(),
            documents=2,
        )

        for _ in range(2):
            await on_privacy_completed(PrivacyCompleted.of(answer), requests=world.privacy)

        record = await world.privacy.request(request_id)
        assert record is not None
        assert (len(record["confirmations"]), record["open"]) == (1, False)


class TestCreateProfile:
    async def test_makes_a_silent_observer_once(self, world: World) -> None:
        ports = world.ports()
        crm = [identity("crm", "C-1", at=world.clock(), source="api")]

        made, created = await create_profile(ports, crm, marketing_consent=True)
        again, created_again = await create_profile(ports, crm, marketing_consent=False)

        assert (created, created_again) == (True, False)
        assert again.profile == made.profile
        assert made.profile.consent.marketing is True
        assert [e.payload.change for e in made.events] == ["created"]

    async def test_refuses_an_identity_another_profile_holds(self, world: World) -> None:
        await world.mention(1, "ann")
        ann_account = identity("social", "ann", at=world.clock(), source="api", platform="x")
        crm = identity("crm", "C-1", at=world.clock(), source="api")

        with pytest.raises(IdentityTaken):
            await create_profile(world.ports(), [crm, ann_account], marketing_consent=False)
        assert profile_id_for("crm:C-1") not in world.profiles.profiles


class TestChangeConsent:
    async def test_changes_consent_through_a_merged_id_and_announces_it_once(
        self, world: World
    ) -> None:
        ports = await world.ann_absorbed_bob()

        applied, resolved_from = await change_consent(ports, BOB, marketing=True, source="app")
        same, _ = await change_consent(ports, ANN, marketing=True, source="app")

        assert applied.profile is not None
        assert (applied.profile.id, resolved_from) == (ANN, BOB)
        assert applied.profile.consent.marketing is True
        assert [e.payload.change for e in applied.events] == ["consent_changed"]
        assert same.events == []


class TestQueries:
    async def test_an_id_names_its_live_profile_and_its_history(self, world: World) -> None:
        ports = await world.ann_absorbed_bob()

        found, resolved_from = await live(ports.profiles, BOB)
        entries = await history(ports, BOB, 10)

        assert (found.id, resolved_from) == (ANN, BOB)
        assert [e["identity"] for e in entries] == ["x:bob", "x:ann"]
        with pytest.raises(UnknownProfile):
            await history(ports, UUID(int=9), 10)
