"""Mentions applied in batches against the real MongoDB: the same state and outbox rows as one by
one, nothing more on a redelivery, a key's mentions in order."""

import json
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest

from profiles.adapters.mongo_store import INDEXES
from profiles.adapters.profile_store import MongoProfiles
from profiles.domain.rules import Rules
from profiles.handlers import on_mention_ingested, on_mentions_ingested
from rapport.events import MentionIngested
from rapport.events.factories import BASE_TIME, ingested
from rapport.mongo import Database, ensure_indexes
from rapport.outbox import COLLECTION as OUTBOX
from rapport.testing import MovableClock, unique

pytestmark = pytest.mark.integration
RULES = Rules()
HISTORY_LIMIT = 3


@pytest.fixture
async def other_db(mongo_db: Database) -> AsyncIterator[Database]:
    name = unique("test").replace("-", "_")
    yield mongo_db.client[name]
    await mongo_db.client.drop_database(name)


class Profiles:
    """A database's profiles with a fixed clock, fed one by one or in batches."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.repo = MongoProfiles(db, history_limit=HISTORY_LIMIT)
        self.clock = MovableClock(BASE_TIME + timedelta(days=30, microseconds=654_321))

    async def one_by_one(self, events: Sequence[MentionIngested]) -> None:
        for event in events:
            await on_mention_ingested(event, profiles=self.repo, rules=RULES, clock=self.clock)

    async def batch(self, events: Sequence[MentionIngested]) -> None:
        await on_mentions_ingested(list(events), profiles=self.repo, rules=RULES, clock=self.clock)

    async def state(self) -> dict[str, list[Any]]:
        """Every profile, history entry, outbox row (in order) and marker, without the times
        events were made at."""

        async def every(collection: str, order: str = "_id") -> list[Any]:
            return await self.db[collection].find().sort(order, 1).to_list()

        rows = [
            {
                **_without(row, "seq", "stored_at", "headers"),
                "value": _event(json.loads(bytes(row["value"]))),
            }
            for row in await every(OUTBOX, "seq")
        ]
        markers = [
            {**_without(m, "at"), "events": [_event(e) for e in m["events"]]}
            for m in await every("processed")
        ]
        profiles, history = await every("profiles"), await every("history")
        return {"profiles": profiles, "history": history, "outbox": rows, "processed": markers}


def _without(doc: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in fields}


def _event(value: dict[str, Any]) -> dict[str, Any]:
    return _without(value, "occurred_at")


async def ready(db: Database) -> Profiles:
    await ensure_indexes(db, INDEXES)
    return Profiles(db)


def said(minute: int, **fields: Any) -> MentionIngested:
    """A mention at a time the database keeps only to the millisecond."""
    at = BASE_TIME + timedelta(minutes=minute, microseconds=123_456)
    return ingested(minute, created_at=at, **fields)


def mix() -> tuple[list[MentionIngested], list[MentionIngested]]:
    """Mentions stored before the batch, and a batch: known and new authors, several mentions
    of one author (over the history limit), praise that makes a fan, the brand's own post."""
    known, fan, new, brand = (unique(name) for name in ("known", "fan", "new", "brand"))
    praise = "the espresso from my machine is wonderful every morning"
    before = [
        said(1, author=known, score=-0.9),
        said(2, author=known, score=-0.9),
        said(24 * 60, author=fan, score=0.8, text=f"{praise} 1"),
        said(2 * 24 * 60, author=fan, score=0.8, text=f"{praise} 2"),
    ]
    batch = [
        said(3, author=known, score=-0.9),
        said(4, author=new, score=0.1),
        said(3 * 24 * 60, author=fan, score=0.8, text=f"{praise} 3"),
        said(5, author=known, score=0.5),
        said(6, author=new, score=-0.3),
        said(7, author=brand, score=0.9, from_brand=True),
        said(8, author=known, score=-0.9),
    ]
    return before, batch


async def test_a_batch_stores_what_one_by_one_stores(
    mongo_db: Database, other_db: Database
) -> None:
    single, batched = await ready(mongo_db), await ready(other_db)
    before, batch = mix()
    for profiles in (single, batched):
        await profiles.one_by_one(before)

    await single.one_by_one(batch)
    await batched.batch(batch)

    expected = await single.state()
    assert await batched.state() == expected
    changes = [r["value"]["payload"].get("change") for r in expected["outbox"]]
    assert "stage_changed" in changes  # the mix makes a fan, and the brand stays a commenter
    assert len(expected["history"]) < len(before) + len(batch)  # the history was trimmed


async def test_a_redelivered_batch_changes_nothing_and_stores_nothing_more(
    mongo_db: Database, other_db: Database
) -> None:
    single, batched = await ready(mongo_db), await ready(other_db)
    before, batch = mix()
    events = before + batch
    await single.one_by_one(events)
    await batched.batch(events[:6])
    applied = await batched.state()

    await batched.batch(events[:6])  # all applied before
    assert await batched.state() == applied
    await batched.batch(events[3:])  # some applied before, one twice in the batch
    await batched.batch([events[4], *events[3:], events[-1]])

    assert await batched.state() == await single.state()


async def test_a_keys_mentions_in_one_batch_are_applied_in_order(mongo_db: Database) -> None:
    profiles = await ready(mongo_db)
    ann, bob = unique("ann"), unique("bob")
    batch = [ingested(n, author=ann if n % 3 else bob) for n in range(1, 10)]

    await profiles.batch(batch)

    state = await profiles.state()
    enriched = [r["value"] for r in state["outbox"] if r["topic"] == "social.mentions.enriched"]
    anns = [e for e in enriched if e["payload"]["mention"]["author"]["id"] == ann]
    sent = [str(e.event_id) for e in batch if e.payload.author.id == ann]
    assert [e["payload"]["mention_event_id"] for e in anns] == sent
    assert [e["payload"]["profile"]["mention_count"] for e in anns] == [1, 2, 3, 4, 5, 6]


class ChangedMeanwhile(MongoProfiles):
    """Applies ``meanwhile`` one by one after the batch's first reads, before its transaction."""

    def __init__(self, db: Database, meanwhile: MentionIngested, clock: MovableClock) -> None:
        super().__init__(db, history_limit=HISTORY_LIMIT)
        self._meanwhile: MentionIngested | None = meanwhile
        self._clock = clock

    async def _batch_state(self, planned: Any, session: Any) -> Any:
        state = await super()._batch_state(planned, session)
        if session is None and self._meanwhile is not None:
            event, self._meanwhile = self._meanwhile, None
            await on_mention_ingested(event, profiles=self, rules=RULES, clock=self._clock)
        return state


async def test_a_profile_changed_before_the_batchs_transaction_is_worked_out_again(
    mongo_db: Database, other_db: Database
) -> None:
    single, batched = await ready(mongo_db), await ready(other_db)
    before, batch = mix()
    meanwhile = said(2, author=batch[0].payload.author.id, score=0.4, external_id=unique("m"))
    for profiles in (single, batched):
        await profiles.one_by_one(before)
    await single.one_by_one([meanwhile, *batch])

    batched.repo = ChangedMeanwhile(other_db, meanwhile, batched.clock)
    await batched.batch(batch)

    assert await batched.state() == await single.state()
