"""What makes an earning cheap keeps it right: cached rules still change, the one read ahead of
the credit still counts the tier window exactly and within the transaction."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from pymongo import AsyncMongoClient

from loyalty.adapters.catalogue_store import MongoRules
from loyalty.domain.rules import Rule, RuleKind
from loyalty.main import build_parts
from loyalty.migrations import MIGRATIONS
from loyalty.parts import Parts
from rapport.mongo import Database, Document, ensure_indexes
from rapport.testing import MongoCommands, MovableClock
from services.loyalty.tests.integration.conftest import outboxed, settings

pytestmark = pytest.mark.integration
ANN = UUID(int=11)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def counted(
    mongo_url: str, mongo_db: Database
) -> AsyncIterator[tuple[Database, MongoCommands]]:
    """The test's database through a client whose commands are counted."""
    commands = MongoCommands()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        mongo_url, tz_aware=True, uuidRepresentation="standard", event_listeners=[commands]
    )
    yield client[mongo_db.name], commands
    await client.close()


async def earn(services: Parts, kind: RuleKind, cause: str) -> str:
    outcome = await services.earner.earn(kind, profile_id=ANN, cause=cause, cause_event_id=uuid4())
    assert outcome is not None
    return outcome.status


async def test_a_rule_saved_by_another_replica_applies_once_the_cache_expires(
    counted: tuple[Database, MongoCommands],
) -> None:
    db, commands = counted
    ticks = Ticks()
    here, there = MongoRules(db, ttl_s=5, monotonic=ticks), MongoRules(db)
    assert (await here.get(RuleKind.UGC)).points == 15
    commands.reset()
    await there.put(Rule(kind=RuleKind.UGC, points=99))
    ticks.now = 4.9
    assert (await here.get(RuleKind.UGC)).points == 15  # cached: no round trip
    assert commands.reset() == {"update": 1}  # the save only
    ticks.now = 5.0
    assert (await here.get(RuleKind.UGC)).points == 99


async def test_a_rule_saved_here_applies_at_once(mongo_db: Database) -> None:
    rules = MongoRules(mongo_db, ttl_s=3600)
    assert (await rules.get(RuleKind.SHARE)).active
    await rules.put(Rule(kind=RuleKind.SHARE, points=5, active=False))
    assert not (await rules.get(RuleKind.SHARE)).active
    assert [r.points for r in await rules.all() if r.kind is RuleKind.SHARE] == [5]


async def test_an_earning_is_one_read_one_credit_and_one_transaction(
    counted: tuple[Database, MongoCommands], clock: MovableClock
) -> None:
    db, commands = counted
    await ensure_indexes(db, MIGRATIONS.indexes(settings()))
    services = build_parts(db, settings(), clock)
    await earn(services, RuleKind.POSITIVE_MENTION, "warm-up")  # and the rules cached
    commands.reset()
    assert await earn(services, RuleKind.POSITIVE_MENTION, "post-2") == "credited"
    assert commands.reset() == {
        "aggregate": 1,  # the entry, the member, the caps' and the tier window's entries
        "findAndModify": 2,  # balance, tier and review date; the events' outbox seqs
        "insert": 2,  # the entry, its events
        "commitTransaction": 1,
    }
    assert await earn(services, RuleKind.POSITIVE_MENTION, "post-2") == "credited"
    assert commands.reset() == {"aggregate": 1, "commitTransaction": 1}  # a redelivery


async def test_the_tier_counts_only_the_points_credited_within_its_window(
    services: Parts, clock: MovableClock, mongo_db: Database
) -> None:
    await services.rules.put(Rule(kind=RuleKind.RECOVERY, points=150))
    await earn(services, RuleKind.RECOVERY, "case-1")
    clock.advance(days=365, seconds=1)  # case-1's points leave the window (no sweep ran)
    await earn(services, RuleKind.RECOVERY, "case-2")
    member = await services.members.get(ANN)
    assert member is not None
    assert (member["lifetime_points"], member["tier"]) == (300, "bronze")
    assert member["tier_review_at"] == clock() + timedelta(days=365)  # case-2's leave then
    assert [e.type for e in await outboxed(mongo_db)] == ["points.awarded", "points.awarded"]


async def test_concurrent_earnings_that_cross_a_threshold_together_lift_the_tier_once(
    services: Parts, mongo_db: Database
) -> None:
    await services.rules.put(Rule(kind=RuleKind.RECOVERY, points=150))
    causes = [f"case-{n}" for n in range(4)]
    await asyncio.gather(*(earn(services, RuleKind.RECOVERY, c) for c in causes + causes))
    member = await services.members.get(ANN)
    assert member is not None
    assert (member["balance"], member["tier"]) == (600, "silver")
    changed = [e.payload for e in await outboxed(mongo_db) if e.type == "tier.changed"]
    assert [(c.previous_tier, c.tier, c.window_points) for c in changed] == [
        ("bronze", "silver", 300)
    ]
