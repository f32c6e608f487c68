"""Case changes applied in batches against the real MongoDB and Kafka: the same profiles, cases,
outbox rows and markers as one by one, in one transaction, nothing more on a redelivery; behind
the real consumer loop, a change MongoDB refuses is dead-lettered alone and its neighbours
apply once."""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

import pytest
from bson import Binary
from pymongo import AsyncMongoClient

from profiles.handlers import on_case_changed, on_cases_changed
from profiles.ports import profile_id_for
from rapport.events import CaseChange, CaseChanged, Event
from rapport.events.codec import decode
from rapport.events.factories import BASE_TIME, ingested
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop, dispatch
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, Document
from rapport.outbox import COLLECTION as OUTBOX
from rapport.retry import RetryPolicy
from rapport.testing import MongoCommands, eventually, read_topic, unique
from rapport.topics import Topic, dead_letter_topic

from .test_mention_batches import RULES, Profiles, other_db, ready

__all__ = ["other_db"]  # the fixture

pytestmark = pytest.mark.integration
AUTHORS = ("ann", "bob", "cat")


def case_changed(
    author: str, case: int, sequence: int, state: str = "open", intents: Sequence[str] = ()
) -> CaseChanged:
    return CaseChanged.of(
        CaseChange.model_validate(
            {
                "case_id": UUID(int=case),
                "sequence": sequence,
                "change": "resolved" if state == "resolved" else "opened",
                "state": state,
                "profile_id": profile_id_for(f"x:{author}"),
                "queue": "support",
                "priority": "normal",
                "intents": list(intents or ["complaint"]),
                "opened_at": BASE_TIME,
                "changed_at": BASE_TIME,
            }
        )
    )


MIX = [
    case_changed("ann", 1, 1),
    case_changed("ann", 2, 1),
    case_changed("bob", 3, 1, intents=["question"]),
    case_changed("ann", 1, 2, "resolved"),
    case_changed("ann", 1, 1),  # delivered again after its resolution: no effect
    case_changed("cat", 4, 1),
    case_changed("nobody", 5, 1),  # no such profile
    case_changed("cat", 4, 3, "resolved"),
    case_changed("cat", 4, 2),  # earlier than the one before it
    case_changed("ann", 2, 1),  # the same event again
]


async def with_profiles(db: Database) -> Profiles:
    profiles = await ready(db)
    await profiles.one_by_one([ingested(n, author=a) for n, a in enumerate(AUTHORS, 1)])
    return profiles


async def cases_of(db: Database) -> list[Document]:
    return await db["cases"].find().sort("_id", 1).to_list()


async def test_a_batch_gives_the_same_state_and_outbox_as_one_by_one(
    mongo_db: Database, other_db: Database
) -> None:
    alone, batched = await with_profiles(mongo_db), await with_profiles(other_db)
    for event in MIX:
        await on_case_changed(event, profiles=alone.repo, rules=RULES, clock=alone.clock)
    await on_cases_changed(MIX, profiles=batched.repo, rules=RULES, clock=batched.clock)

    assert await batched.state() == await alone.state()
    assert await cases_of(other_db) == await cases_of(mongo_db)
    open_complaints = {
        doc["_id"]: doc["open_complaints"] for doc in await other_db["profiles"].find().to_list()
    }
    expected = {"ann": 1, "bob": 0, "cat": 0}
    assert open_complaints == {profile_id_for(f"x:{a}"): n for a, n in expected.items()}


async def test_a_batch_is_one_transaction_and_a_redelivered_one_changes_nothing(
    mongo_db: Database, mongo_url: str
) -> None:
    await with_profiles(mongo_db)
    commands = MongoCommands()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        mongo_url, tz_aware=True, uuidRepresentation="standard", event_listeners=[commands]
    )
    try:
        counted = Profiles(client[mongo_db.name])
        with commands.counting() as sent:
            await on_cases_changed(MIX, profiles=counted.repo, rules=RULES, clock=counted.clock)
        assert sent["commitTransaction"] == 1
        assert sent["find"] == 4  # markers, cases, owners, their open complaints
        state, rows = await counted.state(), await mongo_db[OUTBOX].count_documents({})
        await on_cases_changed(MIX, profiles=counted.repo, rules=RULES, clock=counted.clock)
        assert await counted.state() == state
        assert await mongo_db[OUTBOX].count_documents({}) == rows
    finally:
        await client.close()


async def test_a_refused_case_change_is_dead_lettered_and_its_neighbours_apply_once(
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: Callable[..., Awaitable[str]],
    producer: EventProducer,
) -> None:
    profiles = await with_profiles(mongo_db)
    name = await new_topic(2)
    topic = Topic(name, "test", "profile", 2, 3_600_000, (CaseChanged,), ("test",), ())
    group = unique("profiles")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(name, group), 1, 3_600_000)])
    events = [case_changed(a, 10 * n + i, 1) for n, a in enumerate(AUTHORS) for i in range(4)]
    bad = events[5]
    # MongoDB refuses the bad change's case document, in a batch or alone
    refused = Binary.from_uuid(bad.payload.case_id)
    await mongo_db.command("collMod", "cases", validator={"_id": {"$ne": refused}})
    calls: Counter[str] = Counter()
    deps: dict[str, Any] = {"profiles": profiles.repo, "rules": RULES, "clock": profiles.clock}

    async def batch(events: list[Event]) -> None:
        try:
            await on_cases_changed(events, **deps)  # type: ignore[arg-type]
        except Exception:
            calls["failed batches"] += 1
            raise
        calls["batches"] += 1

    async def single(event: Event) -> None:
        await on_case_changed(event, **deps)  # type: ignore[arg-type]

    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=dispatch({CaseChanged: single}),
        batch_handlers={CaseChanged: batch},
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.05),
    )
    running = asyncio.create_task(loop.run())
    await producer.publish_all([(name, str(e.payload.profile_id), e) for e in events])
    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(name, group), until=lambda r: len(r) >= 1
    )

    async def all_applied() -> bool:
        return await mongo_db["cases"].count_documents({}) == len(events) - 1

    await eventually(all_applied, timeout_s=60)
    loop.stop()
    await running

    assert [decode(r.value, topic.events).event_id for r in dead] == [bad.event_id]
    assert calls["failed batches"] >= 1
    causes = [str(e.event_id) for e in events]
    markers = await mongo_db["processed"].find({"_id": {"$in": causes}}).to_list()
    assert sorted(m["_id"] for m in markers) == sorted(
        str(e.event_id) for e in events if e is not bad
    )
    counts = {d["_id"]: d["open_complaints"] for d in await mongo_db["profiles"].find().to_list()}
    assert counts == {profile_id_for(f"x:{a}"): 4 - (a == "bob") for a in AUTHORS}
