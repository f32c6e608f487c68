"""Mentions earned in batches against the real MongoDB: the same state and outbox as one by one,
a redelivered batch stores nothing more, a member's mentions apply in their order, and a whole
batch costs a handful of commands."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from pymongo import AsyncMongoClient

from loyalty.consumers import batch_handlers, event_handlers
from loyalty.domain.rules import Rule, RuleKind
from loyalty.main import build_parts
from loyalty.migrations import MIGRATIONS
from loyalty.parts import Parts
from rapport import outbox
from rapport.events import ALL_EVENTS, Event, MentionEnriched, RelationshipStage
from rapport.events.codec import decode
from rapport.kafka.consumer import dispatch
from rapport.mongo import Database, Document, ensure_indexes
from rapport.testing import MongoCommands, MovableClock, unique
from services.loyalty.tests.integration.builders import mention_by, paid_referrals
from services.loyalty.tests.integration.conftest import settings

pytestmark = pytest.mark.integration
EVANGELIST = RelationshipStage.EVANGELIST
VELOCITY_LIMITED_SHARES = Rule(kind=RuleKind.SHARE, points=5, velocity_limit=1)


@dataclass
class Loyalty:
    """loyalty's parts over one database, fed one event at a time or in batches."""

    services: Parts
    db: Database

    async def one_by_one(self, events: list[Event]) -> None:
        handle = dispatch(event_handlers(self.services, settings()))
        for event in events:
            await handle(event)

    async def in_a_batch(self, events: list[MentionEnriched]) -> None:
        await batch_handlers(self.services)[MentionEnriched](events)

    async def stored(self) -> dict[str, Any]:
        """Every document the events changed; the outbox's events in their order (their ids and
        payloads: ``occurred_at`` is the wall clock)."""
        found: dict[str, Any] = {
            name: await self.db[name].find().sort("_id").to_list()
            for name in ("members", "ledger", "questions")
        }
        rows = await self.db[outbox.COLLECTION].find().sort("seq").to_list()
        events = [decode(bytes(row["value"]), ALL_EVENTS) for row in rows]
        found["outbox"] = [
            (row["_id"], row["topic"], row["key"], e.event_id, e.payload)
            for row, e in zip(rows, events, strict=True)
        ]
        return found


async def loyalty_over(db: Database, clock: MovableClock) -> Loyalty:
    await ensure_indexes(db, MIGRATIONS.indexes(settings()))
    services = build_parts(db, settings(), clock)
    await services.rules.put(VELOCITY_LIMITED_SHARES)
    return Loyalty(services, db)


@pytest.fixture
async def twins(mongo_db: Database, clock: MovableClock) -> AsyncIterator[tuple[Loyalty, Loyalty]]:
    """Two loyalties over two fresh databases, on one clock."""
    other = mongo_db.client[unique("test").replace("-", "_")]
    try:
        yield await loyalty_over(mongo_db, clock), await loyalty_over(other, clock)
    finally:
        await mongo_db.client.drop_database(other.name)


@dataclass
class Mix:
    history: list[Event]
    """What happened before the batch."""
    batch: list[MentionEnriched]


def a_realistic_mix() -> Mix:
    """Known members and new ones; a tier crossed, a daily cap reached, shares held by the
    velocity limit, a spammer, questions asked before and inside the batch and answered inside
    it, a member's stage and consent observed, brand posts, an event twice and one already
    applied before."""
    ann, bea, bot, cat, dan, eve, fay, gus, hal, ivy = (uuid4() for _ in range(10))
    anns_earlier = [mention_by(ann) for _ in range(4)]
    dans_question = mention_by(dan, score=0.0, intents=["question"])
    history: list[Event] = [
        *paid_referrals(ann, 4),  # 200 points: 50 short of silver with 4 posts
        *anns_earlier,
        *[mention_by(bea) for _ in range(9)],  # one short of the daily cap
        dans_question,
        mention_by(gus, score=-0.8),
        mention_by(gus),
    ]
    eves_question = mention_by(eve, score=0.0, intents=["question"])
    cats_first = mention_by(cat, url="https://example.com/1.jpg")
    replying: dict[str, Any] = {"score": 0.0, "stage": EVANGELIST}
    batch = [
        mention_by(ann, url="https://example.com/ann.jpg"),  # crosses into silver
        anns_earlier[0],  # applied before the batch
        mention_by(bea),
        mention_by(bea),  # over the daily cap
        mention_by(bot, intents=["spam"]),
        mention_by(bot),  # refused: flagged a moment ago
        cats_first,
        mention_by(cat, url="https://example.com/2.jpg"),
        cats_first,  # twice in the batch
        mention_by(cat, url="https://example.com/3.jpg"),  # ugc over its daily cap
        eves_question,
        mention_by(fay, **replying, in_reply_to=dans_question.payload.mention.external_id),
        mention_by(fay, **replying, in_reply_to=eves_question.payload.mention.external_id),
        mention_by(eve, **replying, in_reply_to=eves_question.payload.mention.external_id),
        mention_by(gus, -0.8, RelationshipStage.FAN, consent=True),  # observed, earns nothing
        mention_by(hal, score=-0.8),  # not a member: nothing
        mention_by(hal, from_brand=True),
        mention_by(ivy, score=0.0, quote_of="brand-post-1"),
        mention_by(ivy, score=0.0, quote_of="brand-post-2"),  # held: velocity
    ]
    return Mix(history, batch)


@pytest.fixture
async def batch(twins: tuple[Loyalty, Loyalty]) -> list[MentionEnriched]:
    """The realistic mix's batch, its history applied to both twins."""
    mix = a_realistic_mix()
    for loyalty in twins:
        await loyalty.one_by_one(mix.history)
    return mix.batch


async def test_a_batch_stores_what_its_events_store_one_by_one(
    twins: tuple[Loyalty, Loyalty], batch: list[MentionEnriched]
) -> None:
    one_by_one, batched = twins
    await one_by_one.one_by_one(list(batch))
    await batched.in_a_batch(batch)

    expected, found = await one_by_one.stored(), await batched.stored()
    assert found == expected
    assert [e["status"] for e in expected["ledger"]].count("held") == 1
    assert {e["rule"] for e in expected["ledger"]} >= {"helping", "ugc", "share", "referral"}
    assert [p.tier for *_, p in expected["outbox"] if hasattr(p, "tier")] == ["silver"]
    gus = next(m for m in expected["members"] if m.get("stage") == "fan")
    assert gus["marketing_consent"] is True


async def test_a_redelivered_batch_changes_nothing_and_stores_nothing_more(
    twins: tuple[Loyalty, Loyalty], batch: list[MentionEnriched]
) -> None:
    once, twice = twins
    await once.in_a_batch(batch)
    await twice.in_a_batch(batch[:7])  # some applied before a crash
    await twice.in_a_batch(batch)
    applied = await twice.stored()
    await twice.in_a_batch(batch)  # all applied

    assert await twice.stored() == applied == await once.stored()


async def test_a_members_mentions_in_one_batch_apply_in_their_order(
    twins: tuple[Loyalty, Loyalty],
) -> None:
    loyalty, _ = twins
    await loyalty.services.rules.put(Rule(kind=RuleKind.POSITIVE_MENTION, points=10, daily_cap=2))
    ann = uuid4()
    posts = [mention_by(ann) for _ in range(4)]
    await loyalty.in_a_batch(posts)

    entries = await loyalty.db["ledger"].find({"profile_id": ann}).sort("balance").to_list()
    causes = [str(p.payload.mention_event_id) for p in posts]
    assert [(e["cause_event_id"], e["balance"]) for e in entries] == [
        (posts[0].payload.mention_event_id, 10),
        (posts[1].payload.mention_event_id, 20),
    ]
    awarded = [p for *_, p in (await loyalty.stored())["outbox"]]
    assert [a.entry_id for a in awarded] == [f"positive_mention:{c}" for c in causes[:2]]


@pytest.fixture
async def counted(
    mongo_url: str, mongo_db: Database, clock: MovableClock
) -> AsyncIterator[tuple[Loyalty, MongoCommands]]:
    """loyalty over the test's database through a client whose commands are counted."""
    commands = MongoCommands()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        mongo_url, tz_aware=True, uuidRepresentation="standard", event_listeners=[commands]
    )
    yield await loyalty_over(client[mongo_db.name], clock), commands
    await client.close()


async def test_a_batch_costs_a_handful_of_commands_whatever_its_size(
    counted: tuple[Loyalty, MongoCommands],
) -> None:
    loyalty, commands = counted
    members = [uuid4() for _ in range(40)]
    await loyalty.one_by_one([mention_by(m) for m in members[:20]])  # known members, rules read
    question = mention_by(members[0], score=0.0, intents=["question"])
    batch = [
        *(mention_by(members[n % 40], url=f"https://example.com/{n}") for n in range(200)),
        question,
        mention_by(members[1], 0.0, EVANGELIST, in_reply_to=question.payload.mention.external_id),
    ]
    commands.reset()
    await loyalty.in_a_batch(batch)
    assert commands.reset() == {
        "aggregate": 1,  # entries, members, caps, tier windows, questions
        "findAndModify": 1,  # the events' outbox seqs
        "insert": 2,  # the entries, their events
        "update": 2,  # the members, the questions
        "commitTransaction": 1,
    }
    await loyalty.in_a_batch(batch)  # redelivered: no entry, no event
    assert commands.reset() == {
        "aggregate": 1,
        "update": 2,  # the asker's stage and the question set again, to the same values
        "commitTransaction": 1,
    }


async def test_earning_nothing_writes_nothing_but_what_one_by_one_would(
    twins: tuple[Loyalty, Loyalty],
) -> None:
    one_by_one, batched = twins
    stranger: UUID = uuid4()
    batch = [mention_by(stranger, score=-0.8), mention_by(stranger, from_brand=True)]
    await one_by_one.one_by_one(list(batch))
    await batched.in_a_batch(batch)
    assert (
        await batched.stored()
        == await one_by_one.stored()
        == {
            "members": [],
            "ledger": [],
            "questions": [],
            "outbox": [],
        }
    )
