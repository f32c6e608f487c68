"""What responder does with each consumed event (``handlers``), on the fakes."""

from datetime import timedelta

from rapport.events import ProfileChange, ProfileChanged, ProfileSnapshot, RelationshipStage
from rapport.events.factories import BASE_TIME
from responder.domain.brand_health import truncate
from responder.fakes import Fakes
from responder.handlers import (
    on_mention_enriched,
    on_mentions_enriched,
    on_profile_changed,
    on_profiles_changed,
)
from responder.ports import Ports

from .conftest import ALICE, BOB, event

FAN = RelationshipStage.FAN


def changed(
    profile: ProfileSnapshot, kind: str = "stage_changed", **more: object
) -> ProfileChanged:
    change = ProfileChange.model_validate({"change": kind, "profile": profile, **more})
    return ProfileChanged.of(change, cause=f"{kind}:{profile.profile_id}:{profile.last_seen}")


def snapshot(profile_id: object, stage: RelationshipStage, minutes: int) -> ProfileSnapshot:
    return ProfileSnapshot.model_validate(
        {
            "profile_id": profile_id,
            "stage": stage,
            "mention_count": 1,
            "first_seen": BASE_TIME,
            "last_seen": BASE_TIME + timedelta(minutes=minutes),
        }
    )


async def test_a_mention_opens_its_case_is_watched_and_counted(ports: Ports, fakes: Fakes) -> None:
    complaint = event(1, intents=["complaint"])
    for _ in range(2):
        await on_mention_enriched(complaint, ports=ports, alerts=fakes.alerts, health=fakes.facts)
    assert len(fakes.cases.cases) == 1
    assert list(fakes.facts.facts) == [complaint.payload.mention_event_id]
    assert list(fakes.alerts.negatives) == [complaint.payload.mention_event_id]


async def test_a_batch_of_mentions_does_the_same(ports: Ports, fakes: Fakes) -> None:
    batch = [event(1, intents=["complaint"]), event(2, profile_id=BOB, author="b", score=0.5)]
    await on_mentions_enriched(batch, ports=ports, alerts=fakes.alerts, health=fakes.facts)
    assert len(fakes.cases.cases) == 1
    assert len(fakes.facts.facts) == 2
    assert len(fakes.alerts.negatives) == 1


async def test_a_merge_moves_cases_forgets_the_absorbed_and_samples_the_fans(
    ports: Ports, fakes: Fakes
) -> None:
    await on_mention_enriched(
        event(1, profile_id=BOB, intents=["complaint"]),
        ports=ports,
        alerts=fakes.alerts,
        health=fakes.facts,
    )
    await on_profile_changed(changed(snapshot(BOB, FAN, 1)), ports=ports, health=fakes.facts)
    merge = changed(snapshot(ALICE, FAN, 2), "merged", related_profile_ids=[BOB])
    await on_profile_changed(merge, ports=ports, health=fakes.facts)
    (case,) = fakes.cases.cases.values()
    assert case.profile_id == ALICE
    assert list(fakes.profiles.kept) == [ALICE]
    assert fakes.facts.samples == {truncate(fakes.clock(), "day"): (1, 0)}


async def test_stage_changes_in_a_batch_are_kept_latest_first_and_sampled_once(
    ports: Ports, fakes: Fakes
) -> None:
    events = [
        changed(snapshot(ALICE, FAN, 5)),
        changed(snapshot(ALICE, RelationshipStage.EVANGELIST, 3)),
    ]
    await on_profiles_changed(events, ports=ports, health=fakes.facts)
    kept = await fakes.profiles.get(ALICE)
    assert kept is not None
    assert kept.stage is FAN
    assert list(fakes.facts.samples.values()) == [(1, 0)]
    quiet = [changed(snapshot(BOB, RelationshipStage.CASUAL_COMMENTER, 1))]
    fakes.facts.samples.clear()
    await on_profiles_changed(quiet, ports=ports, health=fakes.facts)
    assert fakes.facts.samples == {}
