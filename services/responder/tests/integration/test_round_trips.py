"""What the fewer round trips per event must keep, against the real database: the one read a
mention starts from, a change begun from a copy in hand, stage samples taken only when they
move, configuration read once per cache period."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from rapport.events import (
    CaseState,
    MentionEnriched,
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from rapport.testing import MongoCommands
from responder.adapters import config_store
from responder.adapters.alert_store import MongoAlerts
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.domain.case import PR
from responder.handlers import event_handlers, on_profile_changed
from responder.main import mongo_ports
from responder.ports import Ports
from responder.settings import ResponderSettings
from responder.use_cases.case_actions import set_state
from responder.use_cases.case_intake import take_mention
from responder.use_cases.crisis_alerts import to_pr

from .conftest import ALICE, Clock, enriched, events_of

pytestmark = pytest.mark.integration


async def test_a_mention_starts_from_its_case_the_profiles_current_case_and_the_kept_profile(
    ports: Ports, clock: Clock
) -> None:
    first = await take_mention(ports, enriched(1, intents=["complaint"]).payload)
    assert first is not None
    await set_state(ports, first.id, CaseState.RESOLVED, None)
    clock.advance(hours=73)  # past the reopen window: the next complaint opens a new case
    now = clock()  # posted now, not history
    second = await take_mention(ports, enriched(2, intents=["complaint"], created_at=now).payload)
    assert second is not None
    assert second.id != first.id
    taking = await ports.cases.taking(str(enriched(1).payload.mention_event_id), ALICE)
    assert taking.taken_by is not None
    assert taking.taken_by.id == first.id  # redelivered long after: still the case it joined
    assert taking.active is not None
    assert taking.active.id == second.id
    assert taking.kept is None
    await set_state(ports, second.id, CaseState.RESOLVED, None)
    taking = await ports.cases.taking("unseen", ALICE)
    assert taking.taken_by is None
    assert taking.active is None
    assert taking.current is not None
    assert taking.current.id == second.id  # the last resolved of the two


async def test_a_mention_redelivered_after_its_case_closed_changes_nothing(
    ports: Ports, clock: Clock, mongo_db: Database
) -> None:
    complaint = enriched(1, intents=["complaint"])
    first = await take_mention(ports, complaint.payload)
    assert first is not None
    await set_state(ports, first.id, CaseState.RESOLVED, None)
    clock.advance(hours=73)
    await take_mention(ports, enriched(2, intents=["complaint"]).payload)
    outbox = await mongo_db["outbox"].count_documents({})
    again = await take_mention(ports, complaint.payload)
    assert again is not None
    assert again.id == first.id
    assert again.state is CaseState.RESOLVED
    assert await mongo_db["outbox"].count_documents({}) == outbox


async def test_a_change_begun_from_an_old_copy_applies_to_the_stored_case(
    ports: Ports, mongo_db: Database
) -> None:
    opened = await take_mention(ports, enriched(1, intents=["complaint"]).payload)
    assert opened is not None
    joined = await take_mention(ports, enriched(2, intents=["complaint"]).payload)
    assert joined is not None
    assert joined.sequence > opened.sequence
    moved = await to_pr(ports, opened.id, opened)  # the copy in hand is one change behind
    assert (moved.queue, moved.sequence) == (PR, joined.sequence + 1)
    assert len(moved.mention_ids) == 2
    bob = await take_mention(ports, enriched(3, profile_id=UUID(int=2), author="bob").payload)
    assert bob is not None
    assert bob.queue != PR
    wrong = bob.model_copy(update={"queue": PR})  # a copy that says there is nothing to do
    assert (await to_pr(ports, bob.id, wrong)).queue == PR
    for case in (opened, bob):
        changes = [c["change"] for c in await events_of(mongo_db, case.id)]
        assert changes.count("escalated") == 1


def snapshot(stage: RelationshipStage, minutes: int, profile_id: UUID = ALICE) -> ProfileSnapshot:
    return ProfileSnapshot(
        profile_id=profile_id,
        stage=stage,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME + timedelta(minutes=minutes),
    )


async def samples(db: Database) -> list[tuple[int, int, Any]]:
    return [
        (d["fans"], d["evangelists"], d["taken_at"])
        for d in await db["stage_counts"].find().to_list()
    ]


async def test_fans_and_evangelists_are_sampled_when_they_move(
    ports: Ports, clock: Clock, mongo_db: Database
) -> None:
    health = MongoBrandHealth(mongo_db)

    async def changed(profile: ProfileSnapshot, kind: str = "stage_changed", **more: Any) -> None:
        change = ProfileChange(profile=profile, change=kind, **more)
        event = ProfileChanged.of(change, cause=f"{kind}{profile.last_seen}")
        await on_profile_changed(event, ports=ports, health=health)
        clock.advance(minutes=1)

    await changed(snapshot(RelationshipStage.CASUAL_COMMENTER, 1), "created")
    assert await samples(mongo_db) == []
    await changed(snapshot(RelationshipStage.FAN, 2))
    fan = await samples(mongo_db)
    assert [s[:2] for s in fan] == [(1, 0)]
    await changed(snapshot(RelationshipStage.FAN, 3), "segment_changed")
    await changed(snapshot(RelationshipStage.CASUAL_COMMENTER, 1))  # older: not kept
    assert await samples(mongo_db) == fan  # not even taken again
    assert (await ports.profiles.get(ALICE)).stage is RelationshipStage.FAN  # type: ignore[union-attr]
    await changed(snapshot(RelationshipStage.EVANGELIST, 4))
    assert [s[:2] for s in await samples(mongo_db)] == [(0, 1)]
    bob = UUID(int=2)
    await changed(snapshot(RelationshipStage.FAN, 5, bob), "created")
    assert [s[:2] for s in await samples(mongo_db)] == [(1, 1)]
    merged = {"related_profile_ids": [bob]}
    await changed(snapshot(RelationshipStage.EVANGELIST, 6), "merged", **merged)
    assert [s[:2] for s in await samples(mongo_db)] == [(0, 1)]  # bob is forgotten


async def test_each_event_reads_configuration_once_per_cache_period_and_itself_once(
    ports: Ports,
    clock: Clock,
    counted: tuple[Database, MongoCommands],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(config_store, "CACHE_S", 3600.0)  # however slow the machine
    db, counter = counted
    settings = ResponderSettings()
    handle = event_handlers(mongo_ports(db, settings, clock), MongoAlerts(db), MongoBrandHealth(db))
    on_mention = handle[MentionEnriched]
    complaints = [enriched(n, profile_id=UUID(int=100 + n), author=f"a{n}") for n in range(5)]
    with counter.counting() as sent:
        for complaint in complaints:
            await on_mention(complaint)
    assert sent["find routing_rules"] == 1
    assert sent["find sla_policies"] == 1
    assert sent["aggregate cases"] == 5  # one read per mention before it is taken in
    assert sent["find profiles"] + sent["find cases"] == 0
    praise = enriched(9, profile_id=UUID(int=9), author="fan", score=0.9, intents=["praise"])
    with counter.counting() as sent:
        await on_mention(praise)
    assert sent == {"aggregate cases": 1, "update mention_facts": 1}
