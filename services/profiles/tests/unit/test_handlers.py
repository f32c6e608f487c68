from uuid import UUID

from profiles.handlers import ENRICHED_TOPIC, PROFILES_TOPIC, on_mention_ingested
from profiles.repository import Recorded, profile_id_for
from rapport.events import MentionIngested, ProfileSnapshot, RelationshipStage
from rapport.events.factories import BASE_TIME, ingested
from rapport.mongo import Document
from rapport.testing import Published


class FakeProfiles:
    def __init__(self) -> None:
        self.mentions: dict[UUID, set[UUID]] = {}
        self.created_by: dict[UUID, UUID] = {}

    async def record(self, event: MentionIngested) -> Recorded:
        profile_id = profile_id_for(event.payload.author_key)
        seen = self.mentions.setdefault(profile_id, set())
        first_time = event.event_id not in seen
        seen.add(event.event_id)
        self.created_by.setdefault(profile_id, event.event_id)
        snapshot = ProfileSnapshot(
            profile_id=profile_id,
            stage=RelationshipStage.CASUAL_COMMENTER,
            mention_count=len(seen),
            first_seen=BASE_TIME,
            last_seen=BASE_TIME,
        )
        return Recorded(snapshot, first_time, self.created_by[profile_id] == event.event_id)

    async def get(self, profile_id: UUID) -> Document | None:
        return None


class TestOnMentionIngested:
    async def test_the_first_mention_creates_the_profile_and_is_enriched(self) -> None:
        profiles, published = FakeProfiles(), Published()
        await on_mention_ingested(ingested(1), profiles=profiles, publish=published)
        (enriched,) = published.events(ENRICHED_TOPIC)
        (created,) = published.events(PROFILES_TOPIC)
        assert enriched.payload.mention_event_id == ingested(1).event_id
        assert enriched.payload.profile.mention_count == 1
        assert created.payload.change == "created"
        assert created.payload.profile.profile_id == profile_id_for("x:u1")

    async def test_enriched_mentions_are_keyed_by_author(self) -> None:
        profiles, published = FakeProfiles(), Published()
        await on_mention_ingested(ingested(1), profiles=profiles, publish=published)
        assert {key for topic, key, _ in published.messages if topic == ENRICHED_TOPIC} == {"x:u1"}

    async def test_later_mentions_announce_no_new_profile(self) -> None:
        profiles, published = FakeProfiles(), Published()
        await on_mention_ingested(ingested(1), profiles=profiles, publish=published)
        await on_mention_ingested(ingested(2), profiles=profiles, publish=published)
        assert len(published.events(PROFILES_TOPIC)) == 1
        assert [e.payload.profile.mention_count for e in published.events(ENRICHED_TOPIC)] == [1, 2]

    async def test_redelivery_republishes_the_same_events(self) -> None:
        profiles, published = FakeProfiles(), Published()
        await on_mention_ingested(ingested(1), profiles=profiles, publish=published)
        await on_mention_ingested(ingested(1), profiles=profiles, publish=published)
        first, again = published.events(ENRICHED_TOPIC)
        assert first.event_id == again.event_id
        created, created_again = published.events(PROFILES_TOPIC)
        assert created.event_id == created_again.event_id


def test_an_author_always_maps_to_the_same_profile() -> None:
    assert profile_id_for("x:u1") == profile_id_for("x:u1") != profile_id_for("x:u2")
