"""Enriched mentions a batch at a time, against the real database: the same cases, timeline,
facts, crisis counts, alerts and outbox rows as one by one; a batch delivered again changes
nothing; a key's mentions apply in their order."""

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from rapport.events import CaseState, MentionEnriched, RelationshipStage
from rapport.mongo import Database
from rapport.testing import MongoCommands, unique
from responder.adapters.alert_store import MongoAlerts
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.domain.case import PR
from responder.handlers import on_mention_enriched, on_mentions_enriched
from responder.ports import Ports
from responder.use_cases.case_actions import set_state
from responder.use_cases.crisis_alerts import to_pr

from .conftest import Clock, enriched, events_of, ports_on

pytestmark = pytest.mark.integration
STATE = ["cases", "timeline", "mention_facts", "negatives", "negative_counts", "alerts"]


def of(n: int, name: str, **mention: Any) -> MentionEnriched:
    """Mention ``n`` of the customer ``name`` (their own profile and author id)."""
    return enriched(n, profile_id=uuid5(NAMESPACE_URL, name), author=name, **mention)


def brand(n: int, **mention: Any) -> MentionEnriched:
    return enriched(n, author="brand", from_brand=True, score=0.3, **mention)


async def before_the_batch(ports: Ports, alerts: MongoAlerts, health: MongoBrandHealth) -> None:
    """bob and dave have an open case, carol one resolved an hour ago (within the window)."""
    for event in (
        of(1, "bob", intents=["complaint"]),
        of(2, "carol", intents=["complaint"]),
        of(3, "dave", intents=["question"], score=0.0),
    ):
        await on_mention_enriched(event, ports=ports, alerts=alerts, health=health)
    carols = await ports.cases.active_of(of(2, "carol").payload.profile.profile_id)
    assert carols is not None
    await set_state(ports, carols.id, CaseState.RESOLVED, None)


def the_batch() -> list[MentionEnriched]:
    return [
        brand(15, in_reply_to="ext-11"),  # answers erin's complaint, further down the batch
        of(10, "bob", intents=["question"]),  # joins bob's case
        of(11, "erin", intents=["complaint"], conversation_id="ce"),  # opens a case
        of(12, "erin", intents=["other"], score=0.0, conversation_id="ce"),  # follows it up
        of(13, "carol", intents=["complaint"]),  # reopens carol's case
        brand(14, in_reply_to="ext-3"),  # answers dave's case
        of(16, "frank", intents=["praise"], score=0.8),  # no case
        of(17, "gina", intents=["other"], score=0.0),  # no case
        of(18, "hank", intents=["praise"], score=0.9, stage=RelationshipStage.FAN),  # community
        of(19, "ivan", intents=["spam"]),  # negative spam: counted, no case
        of(20, "ivy", intents=["complaint"], engagement={"shares": 500}),  # viral: PR
        of(21, "erin", intents=["question"], conversation_id="ce"),  # erin's third
    ]


class Responder:
    """responder's stores on one database."""

    def __init__(self, db: Database, ports: Ports) -> None:
        self.db, self.ports = db, ports
        self.alerts, self.health = MongoAlerts(db), MongoBrandHealth(db)

    async def one_by_one(self, events: list[MentionEnriched]) -> None:
        for event in events:
            await on_mention_enriched(
                event, ports=self.ports, alerts=self.alerts, health=self.health
            )

    async def batch(self, events: list[MentionEnriched]) -> None:
        await on_mentions_enriched(events, ports=self.ports, alerts=self.alerts, health=self.health)

    async def state(self) -> dict[str, list[Any]]:
        found = {name: await self.db[name].find().sort("_id").to_list() for name in STATE}
        found["outbox"] = sorted(
            (_outbox_row(doc) for doc in await self.db["outbox"].find().to_list()),
            key=lambda row: row["_id"],
        )
        return found


def _outbox_row(doc: dict[str, Any]) -> dict[str, Any]:
    value = json.loads(bytes(doc["value"]))
    value.pop("occurred_at")  # when it was made: the only field that is not the effect's
    return {"_id": doc["_id"], "topic": doc["topic"], "key": doc["key"], "value": value}


@pytest.fixture
async def twins(
    mongo_db: Database, ports: Ports, clock: Clock
) -> AsyncIterator[tuple[Responder, Responder]]:
    """Two responders on two databases in the same state, at the same time."""
    other: Database = mongo_db.client[unique("test").replace("-", "_")]
    twin = await ports_on(other, clock)
    pair = Responder(mongo_db, ports), Responder(other, twin)
    for responder in pair:
        await before_the_batch(responder.ports, responder.alerts, responder.health)
    try:
        yield pair
    finally:
        await mongo_db.client.drop_database(other.name)


async def test_a_batch_leaves_the_state_and_outbox_of_one_by_one(
    twins: tuple[Responder, Responder],
) -> None:
    single, batched = twins
    await single.one_by_one(the_batch())
    await batched.batch(the_batch())
    expected = await single.state()
    assert await batched.state() == expected
    assert len(expected["cases"]) == 6  # bob, carol, dave, erin, hank, ivy
    assert {a["kind"] for a in expected["alerts"]} == {"viral_negative_post"}
    erins = await batched.ports.cases.active_of(of(11, "erin").payload.profile.profile_id)
    assert erins is not None
    assert erins.first_response_at is not None  # the brand's reply, earlier in the batch
    assert len(erins.mention_ids) == 3


async def test_a_batch_delivered_again_in_whole_or_in_part_changes_nothing(
    twins: tuple[Responder, Responder],
) -> None:
    single, batched = twins
    await single.one_by_one(the_batch())
    expected = await single.state()
    await batched.batch(the_batch()[:5])  # a crash after these: the batch comes again
    await batched.batch(the_batch())
    assert await batched.state() == expected
    await batched.batch(the_batch())
    await batched.batch(the_batch()[3:7])
    assert await batched.state() == expected


async def test_a_keys_mentions_in_one_batch_apply_in_their_order(
    ports: Ports, mongo_db: Database
) -> None:
    """The follow-up joins only the case the complaint before it opens; each event carries the
    case as that mention left it."""
    complaint = of(1, "zoe", intents=["complaint"], conversation_id="cz")
    follow_up = of(2, "zoe", intents=["other"], score=0.0, conversation_id="cz")
    question = of(3, "zoe", intents=["question"], conversation_id="cz")
    await Responder(mongo_db, ports).batch([complaint, follow_up, question])
    case = await ports.cases.active_of(complaint.payload.profile.profile_id)
    assert case is not None
    ids = [e.payload.mention_event_id for e in (complaint, follow_up, question)]
    assert case.mention_ids == ids
    events = await events_of(mongo_db, case.id)
    assert [(e["change"], e["sequence"]) for e in events] == [
        ("opened", 1),
        ("mention_added", 2),
        ("mention_added", 3),
    ]
    assert [e["mention_ids"] for e in events] == [ids[:1], ids[:2], ids]


async def test_a_brand_reply_kept_while_the_batch_runs_still_answers_its_case(
    ports: Ports, mongo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race ``intake.late_answers`` closes: the reply is kept (by another lane) after the
    batch looked for answers, before it stored the case."""
    complaint = of(1, "yan", intents=["complaint"])
    reply = brand(5, in_reply_to="ext-1")
    responder = Responder(mongo_db, ports)
    looked = ports.timeline.unattached_posts
    calls = 0

    async def before_the_reply_was_kept(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            await responder.one_by_one([reply])  # finds no case yet
            return []
        return await looked(*args)

    monkeypatch.setattr(ports.timeline, "unattached_posts", before_the_reply_was_kept)
    await responder.batch([complaint])
    case = await ports.cases.active_of(complaint.payload.profile.profile_id)
    assert case is not None
    assert case.first_response_at is not None
    assert [e["change"] for e in await events_of(mongo_db, case.id)] == ["opened", "replied"]


async def test_a_case_changed_while_the_batch_runs_stores_nothing_of_it_then_each_mention_once(
    ports: Ports, mongo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent escalates bob's case after the batch read it: the batch's transaction stores
    nothing, and each mention is taken in again from the stored cases."""
    responder = Responder(mongo_db, ports)
    await responder.one_by_one([of(1, "bob", intents=["complaint"])])
    bobs = await ports.cases.active_of(of(1, "bob").payload.profile.profile_id)
    assert bobs is not None
    read = ports.cases.takings

    async def then_an_agent_escalates(*args: Any) -> Any:
        found = await read(*args)
        await to_pr(ports, bobs.id)
        return found

    monkeypatch.setattr(ports.cases, "takings", then_an_agent_escalates)
    batch = [of(2, "bob", intents=["question"]), of(3, "erin", intents=["complaint"])]
    await responder.batch(batch)
    stored = await ports.cases.get(bobs.id)
    assert stored is not None
    assert stored.queue == PR
    assert [e["change"] for e in await events_of(mongo_db, bobs.id)] == [
        "opened",
        "escalated",
        "mention_added",
    ]
    erins = await ports.cases.active_of(of(3, "erin").payload.profile.profile_id)
    assert erins is not None
    assert [e["change"] for e in await events_of(mongo_db, erins.id)] == ["opened"]


async def test_a_batch_of_complaints_is_a_handful_of_round_trips_and_two_transactions(
    clock: Clock, counted: tuple[Database, MongoCommands]
) -> None:
    db, counter = counted
    responder = Responder(db, await ports_on(db, clock))
    await responder.batch([of(0, "warm", intents=["complaint"])])  # reads the configuration
    # Two minutes apart: five authors a bucket, below a spike (which moves cases to PR).
    complaints = [of(2 * n, f"c{n}", intents=["complaint"]) for n in range(1, 41)]
    with counter.counting() as sent:
        await responder.batch(complaints)
    commits = sum(n for name, n in sent.items() if name.startswith("commitTransaction"))
    assert commits == 2  # the cases, their messages and events; the crisis counts
    assert sum(sent.values()) <= 15  # whatever the batch's size
    assert len(await db["cases"].find().to_list()) == 41


async def test_a_spike_within_one_batch_raises_its_alert_once_and_moves_each_case_once(
    ports: Ports, mongo_db: Database
) -> None:
    """Ten authors complain within one bucket (the tests' spike is ten): one alert per subject,
    and every case of the bucket escalated once."""
    complaints = [of(1, f"s{n}", intents=["complaint"], external_id=f"s{n}") for n in range(10)]
    responder = Responder(mongo_db, ports)
    await responder.batch(complaints)
    await responder.batch(complaints)  # delivered again
    alerts = await mongo_db["alerts"].find().to_list()
    spiked = sorted((a["kind"], a["subject"]) for a in alerts)
    assert spiked == [("negative_spike", "all"), ("negative_spike", "intent:complaint")]
    cases = await ports.cases.find({}, [("_id", 1)], 0, 100)
    assert len(cases) == 10
    assert {case.queue for case in cases} == {PR}
    for case in cases:
        assert [e["change"] for e in await events_of(mongo_db, case.id)] == ["opened", "escalated"]
