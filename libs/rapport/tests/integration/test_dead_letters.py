"""Dead letters through the admin API every service mounts, against the real Kafka and MongoDB:
list, show, replay (exactly one effect), drop (audited), bad input, scopes, metrics, CLI."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from rapport.dlq import cli as dlq_cli
from rapport.dlq.api import refresh_every
from rapport.dlq.audit import Action, ActionLog, AlreadyHandled
from rapport.dlq.letters import Position
from rapport.events import Event, MentionIngested
from rapport.events.codec import encode
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.service import service_app
from rapport.testing import (
    dlq_command,
    eventually,
    example_mention,
    no_run,
    read_topic,
    service_settings,
    token_keys,
    unique,
)
from rapport.topics import CATALOGUE, Topic, dead_letter_topic

pytestmark = pytest.mark.integration
PREFIX = "/v1/admin/dead-letters"


def mention(n: int) -> MentionIngested:
    return example_mention(f"dlq{n}")


def bearer(group: str, *scopes: str, subject: str = "ops-anna") -> dict[str, str]:
    """A token for the service whose consumer group is ``group``."""
    return token_keys().bearer(*scopes, subject=subject, audience=[group])


@dataclass
class Admin:
    http: httpx.AsyncClient
    app: FastAPI
    group: str
    topic: str
    dlq: str
    producer: EventProducer
    bootstrap: str
    written: int = 0

    async def dead_letter(
        self, value: bytes, *, reason: str = "handler failed", offset: int = 0, full: bool = True
    ) -> int:
        """Writes a letter shaped as the consumer loop writes it; returns its offset."""
        headers = [
            ("event_type", b"mention.ingested"),
            ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ("dlq.original.topic", self.topic.encode()),
            ("dlq.original.partition", b"0"),
            ("dlq.original.offset", str(offset).encode()),
            ("dlq.group", self.group.encode()),
            ("dlq.reason", reason.encode()),
        ]
        if full:
            headers += [
                ("dlq.error.type", b"OverflowError"),
                ("dlq.error.traceback", b'Traceback (most recent call last):\n  File "h.py"'),
                ("dlq.failed_at", b"2026-12-01T05:00:00+00:00"),
                ("dlq.attempts", b"3"),
            ]
        await self.producer.send_headers(self.dlq, b"author-1", value, headers)
        self.written += 1
        return self.written - 1  # a fresh single-partition topic: offsets count from 0


@pytest.fixture
async def admin(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: Database,
    new_topic: Callable[[], Awaitable[str]],
    producer: EventProducer,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Admin]:
    """A service whose group consumes one fresh topic, with that topic's dead-letter topic."""
    group = unique("svc")
    topic = await new_topic()
    catalogued = Topic(topic, "test", "author", 1, 3_600_000, (MentionIngested,), ("t",), (group,))
    monkeypatch.setitem(CATALOGUE, topic, catalogued)
    dlq = dead_letter_topic(topic, group)
    await ensure_topics(kafka_bootstrap, [(dlq, 1, 3_600_000)])
    settings = service_settings(
        group, kafka_bootstrap=kafka_bootstrap, mongo_url=mongo_url, mongo_db=mongo_db.name
    )

    app = service_app(settings, title="t", routers=[], run=no_run)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://svc", headers=bearer(group, "operations")
        ) as http:
            yield Admin(http, app, group, topic, dlq, producer, kafka_bootstrap)


async def letters(admin: Admin, **params: Any) -> list[dict[str, Any]]:
    response = await admin.http.get(PREFIX, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["letters"]
    return found


async def test_list_shows_reason_error_type_and_positions_without_the_text(admin: Admin) -> None:
    first = await admin.dead_letter(encode(mention(1)), reason="created_at out of range", offset=5)
    second = await admin.dead_letter(b"{not json at all", reason="invalid JSON", full=False)

    response = await admin.http.get(PREFIX)

    body = response.json()
    assert body["group"] == admin.group
    assert [(x["topic"], x["partition"], x["offset"]) for x in body["letters"]] == [
        (admin.dlq, 0, first),
        (admin.dlq, 0, second),
    ]
    one, two = body["letters"]
    assert one["original"] == {"topic": admin.topic, "partition": 0, "offset": 5}
    assert (one["reason"], one["error_type"], one["attempts"]) == (
        "created_at out of range",
        "OverflowError",
        3,
    )
    assert one["failed_at"] == "2026-12-01T05:00:00+00:00"
    assert one["event_id"] == str(mention(1).event_id)
    assert (two["reason"], two["error_type"], two["event_id"]) == ("invalid JSON", None, None)
    assert "not json" not in response.text
    assert "dlq1" not in response.text  # the mention's external id: no message content


async def test_list_pages_with_limit_and_after(admin: Admin) -> None:
    offsets = [await admin.dead_letter(b"x", reason=f"r{n}") for n in range(3)]

    first = (await admin.http.get(PREFIX, params={"limit": 2})).json()
    rest = (await admin.http.get(PREFIX, params={"limit": 2, "after": first["next"]})).json()

    assert [x["offset"] for x in first["letters"]] == offsets[:2]
    assert [x["offset"] for x in rest["letters"]] == offsets[2:]
    assert rest["next"] is None


async def test_show_gives_the_traceback_and_the_value_only_when_asked(admin: Admin) -> None:
    offset = await admin.dead_letter(b'{"text": "private words"}')

    plain = await admin.http.get(f"{PREFIX}/{admin.dlq}/0/{offset}")
    with_value = await admin.http.get(f"{PREFIX}/{admin.dlq}/0/{offset}", params={"value": True})
    by_original_topic = await admin.http.get(f"{PREFIX}/{admin.topic}/0/{offset}")

    assert plain.status_code == 200
    assert plain.json()["traceback"].startswith("Traceback (most recent call last):")
    assert plain.json()["headers"] == ["event_type", "traceparent"]
    assert "private words" not in plain.text
    assert with_value.json()["value"] == '{"text": "private words"}'
    assert with_value.json()["key"] == "author-1"
    assert by_original_topic.json()["offset"] == offset


class Effects:
    """A handler whose effect is an idempotent MongoDB write keyed by the event id; it also
    counts deliveries, so a second replay would show even though the write absorbs it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.deliveries: list[str] = []

    async def __call__(self, event: Event) -> None:
        self.deliveries.append(str(event.event_id))
        await self.db.effects.update_one(
            {"_id": str(event.event_id)}, {"$setOnInsert": {"type": event.type}}, upsert=True
        )


async def test_replay_yields_exactly_one_effect_and_a_second_replay_is_refused(
    admin: Admin, mongo_db: Database
) -> None:
    event, later = mention(1), mention(2)
    offset = await admin.dead_letter(encode(event))
    effects = Effects(mongo_db)
    loop = ConsumerLoop(
        bootstrap=admin.bootstrap,
        group=admin.group,
        topics=[CATALOGUE[admin.topic]],
        handle=effects,
        producer=admin.producer,
    )
    running = asyncio.create_task(loop.run())
    try:
        replayed = await admin.http.post(
            f"{PREFIX}/{admin.dlq}/0/{offset}/replay", json={"note": "fixed the parser"}
        )
        assert replayed.status_code == 200, replayed.text
        await eventually(lambda: str(event.event_id) in effects.deliveries)

        again = await admin.http.post(f"{PREFIX}/{admin.dlq}/0/{offset}/replay", json={})
        assert again.status_code == 409
        assert "already handled: replay by ops-anna" in again.json()["detail"]

        await admin.producer.publish(admin.topic, "author-2", later)  # everything before it is in
        await eventually(lambda: str(later.event_id) in effects.deliveries)
    finally:
        loop.stop()
        await running

    assert effects.deliveries.count(str(event.event_id)) == 1
    assert await mongo_db.effects.count_documents({"_id": str(event.event_id)}) == 1
    audit = await mongo_db.dead_letter_actions.find_one({"offset": offset, "topic": admin.dlq})
    assert audit is not None
    assert (audit["action"], audit["by"], audit["note"]) == (
        "replay",
        "ops-anna",
        "fixed the parser",
    )
    assert await letters(admin) == []


async def test_replay_sends_the_original_key_value_and_headers_back(admin: Admin) -> None:
    value = encode(mention(3))
    offset = await admin.dead_letter(value)

    await admin.http.post(f"{PREFIX}/{admin.dlq}/0/{offset}/replay", json={})

    [record] = await read_topic(admin.bootstrap, admin.topic, until=lambda r: len(r) >= 1)
    headers = dict(record.headers)
    assert (record.key, record.value) == (b"author-1", value)
    assert headers["event_type"] == b"mention.ingested"
    assert headers["traceparent"].startswith(b"00-0af7651916cd43dd")
    assert headers["dlq.replayed_from"] == f"{admin.dlq}/0/{offset}".encode()
    assert not any(k.startswith("dlq.") and k != "dlq.replayed_from" for k in headers)


async def test_drop_writes_the_audit_record_and_hides_the_letter(
    admin: Admin, mongo_db: Database
) -> None:
    dropped = await admin.dead_letter(b"junk", reason="spam")
    kept = await admin.dead_letter(b"junk", reason="spam")

    response = await admin.http.post(
        f"{PREFIX}/{admin.dlq}/0/{dropped}/drop", json={"note": "test junk"}
    )

    assert response.status_code == 200
    audit = await mongo_db.dead_letter_actions.find_one({"topic": admin.dlq, "offset": dropped})
    assert audit is not None
    assert (audit["action"], audit["by"], audit["note"]) == ("drop", "ops-anna", "test junk")
    assert [x["offset"] for x in await letters(admin)] == [kept]
    everything = await letters(admin, all=True)
    assert [(x["offset"], (x["handled"] or {}).get("action")) for x in everything] == [
        (dropped, "drop"),
        (kept, None),
    ]
    replay = await admin.http.post(f"{PREFIX}/{admin.dlq}/0/{dropped}/replay", json={})
    assert replay.status_code == 409


async def test_replay_all_and_drop_all_handle_every_pending_letter(admin: Admin) -> None:
    events = [mention(10), mention(11)]
    for event in events:
        await admin.dead_letter(encode(event))

    replayed = await admin.http.post(f"{PREFIX}/replay", json={"topic": admin.topic})
    junk = await admin.dead_letter(b"junk")
    dropped = await admin.http.post(f"{PREFIX}/drop", json={})

    assert replayed.json()["count"] == 2
    assert dropped.json()["letters"] == [f"{admin.dlq}/0/{junk}"]
    records = await read_topic(admin.bootstrap, admin.topic, until=lambda r: len(r) >= 2)
    assert sorted(r.value for r in records) == sorted(encode(e) for e in events)
    assert await letters(admin) == []


async def test_the_gauge_counts_letters_not_yet_handled(admin: Admin) -> None:
    def gauge() -> float | None:
        labels = {"topic": admin.topic, "group": admin.group}
        return REGISTRY.get_sample_value("rapport_dead_letters", labels)

    first = await admin.dead_letter(b"a")
    await admin.dead_letter(b"b")
    await letters(admin)
    assert gauge() == 2

    await admin.http.post(f"{PREFIX}/{admin.dlq}/0/{first}/drop", json={})

    assert gauge() == 1
    metrics = await admin.http.get("/metrics")
    expected = f'rapport_dead_letters{{group="{admin.group}",topic="{admin.topic}"}} 1.0'
    assert expected in metrics.text


async def test_the_gauge_is_also_refreshed_periodically(admin: Admin) -> None:
    labels = {"topic": admin.topic, "group": admin.group}
    await admin.dead_letter(b"a")
    refresher = asyncio.create_task(refresh_every(admin.app.state.dead_letters, 0.05))
    try:
        await eventually(lambda: REGISTRY.get_sample_value("rapport_dead_letters", labels) == 1)
    finally:
        refresher.cancel()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "reason"),
    [
        ("get", "/nope.dlq.x/0/0", None, 404, "consumes no topic 'nope.dlq.x'"),
        ("get", "/{dlq}/0/99", None, 404, "holds offsets 0 to 0"),
        ("get", "/{dlq}/3/0", None, 404, "has no partition 3"),
        ("get", "/{dlq}/-1/0", None, 422, "greater than or equal to 0"),
        ("get", "/{dlq}/0/-5", None, 422, "greater than or equal to 0"),
        ("get", "?topic=unknown", None, 404, "consumes no topic 'unknown'"),
        ("get", "?limit=0", None, 422, "greater than or equal to 1"),
        ("get", "?after=garbage", None, 422, "String should match pattern"),
        ("post", "/{dlq}/0/99/replay", {}, 404, "holds offsets 0 to 0"),
        ("post", "/{dlq}/0/0/drop", {"note": "x", "force": True}, 422, "Extra inputs"),
        ("post", "/replay", {"topic": "unknown"}, 404, "consumes no topic 'unknown'"),
    ],
)
async def test_bad_input_gets_a_4xx_with_a_reason_and_changes_nothing(
    admin: Admin,
    mongo_db: Database,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    reason: str,
) -> None:
    await admin.dead_letter(b"x")
    url = PREFIX + path.format(dlq=admin.dlq)

    response = await (admin.http.get(url) if method == "get" else admin.http.post(url, json=body))

    assert response.status_code == status, response.text
    assert reason in str(response.json()["detail"])
    assert await mongo_db.dead_letter_actions.count_documents({}) == 0
    assert len(await letters(admin)) == 1


async def test_the_api_needs_the_operations_scope(admin: Admin) -> None:
    offset = await admin.dead_letter(b"x")
    url = f"{PREFIX}/{admin.dlq}/0/{offset}/drop"

    anonymous = await admin.http.get(PREFIX, headers={"Authorization": ""})
    agent = await admin.http.get(PREFIX, headers=bearer(admin.group, "agent", "supervisor"))
    agent_drop = await admin.http.post(url, json={}, headers=bearer(admin.group, "agent"))
    administrator = await admin.http.get(PREFIX, headers=bearer(admin.group, "admin"))

    assert anonymous.status_code == 401
    assert agent.status_code == 403
    assert "needs the operations scope" in agent.json()["detail"]
    assert agent_drop.status_code == 403
    assert administrator.status_code == 200
    assert [x["offset"] for x in administrator.json()["letters"]] == [offset]


async def cli(admin: Admin, *argv: str) -> str:
    return await dlq_command(admin.app, admin.group, *argv)


async def test_cli_lists_shows_replays_and_drops_through_the_api(
    admin: Admin, mongo_db: Database
) -> None:
    replay = await admin.dead_letter(encode(mention(20)), reason="year 1 is out of range")
    drop = await admin.dead_letter(b"junk", reason="not an event")

    listed = await cli(admin, "list")
    shown = await cli(admin, "show", "--topic", admin.dlq, "--offset", str(replay))
    replayed = await cli(admin, "replay", "--topic", admin.dlq, "--offset", str(replay))
    dropped = await cli(admin, "drop", "--topic", admin.topic, "--offset", str(drop), "--note", "n")
    after = await cli(admin, "list")
    with pytest.raises(dlq_cli.ApiError, match="409"):
        await cli(admin, "replay", "--topic", admin.dlq, "--offset", str(replay))

    header, *rows = listed.splitlines()
    assert header.split()[:2] == ["POSITION", "FROM"]
    assert f"{admin.dlq}/0/{replay}" in rows[0]
    assert "year 1 is out of range" in rows[0]
    assert "OverflowError" in rows[0]
    assert f"{admin.dlq}/0/{drop}" in rows[1]
    assert "traceback:" in shown
    assert f"replay: {admin.dlq}/0/{replay}" in replayed
    assert f"drop: {admin.dlq}/0/{drop}" in dropped
    assert after == "no dead letters\n"
    audit = await mongo_db.dead_letter_actions.find_one({"offset": drop, "topic": admin.dlq})
    assert audit is not None
    assert (audit["by"], audit["note"]) == ("ops-cli", "n")


async def test_a_replay_claim_never_completed_can_be_taken_over_once_stale(
    mongo_db: Database,
) -> None:
    position = Position("t.dlq.g", 0, 4)
    patient, hasty = ActionLog(mongo_db), ActionLog(mongo_db, stale_after=timedelta(0))
    await patient.claim(position, Action.REPLAY, by="crashed", note="")

    with pytest.raises(AlreadyHandled):
        await patient.claim(position, Action.REPLAY, by="other", note="")
    assert await patient.handled(["t.dlq.g"]) == {}  # begun, not done: still listed

    await hasty.claim(position, Action.REPLAY, by="other", note="")
    await hasty.complete(position)

    with pytest.raises(AlreadyHandled, match="replay by other"):
        await hasty.claim(position, Action.DROP, by="third", note="")
    assert list(await patient.handled(["t.dlq.g"])) == [position]
