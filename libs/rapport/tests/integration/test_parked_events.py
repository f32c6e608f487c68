"""Parked outbox events through the admin API every service mounts, against the real Kafka and
MongoDB: an event over its topic's size limit is parked by the relay; an operator lists it,
raises the limit and republishes it (published once), or discards it (never published); every
action audited; bad input refused and changing nothing; the CLI over the same API."""

import asyncio
import json
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport import outbox
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, ensure_indexes, in_transaction
from rapport.outbox_parked import ACTIONS
from rapport.service import service_app
from rapport.testing import (
    dlq_command,
    eventually,
    example_mention,
    no_run,
    read_topic,
    service_settings,
    set_topic_limit,
    token_keys,
    topic_with_limit,
    unique,
)

pytestmark = pytest.mark.integration
PREFIX = "/v1/admin/parked-events"
LIMIT = 4_000
"""The topic's ``max.message.bytes``: an ordinary event fits, a padded one does not."""


@dataclass
class Parked:
    http: httpx.AsyncClient
    app: FastAPI
    db: Database
    bootstrap: str
    topic: str
    service: str

    async def store(self, *names: str, oversized: Collection[str] = ()) -> list[str]:
        """Events in the outbox, as a service's transaction stores them (``oversized`` ones
        padded past the topic's limit in the same transaction); their ids."""
        events = {name: example_mention(f"parked-{name}") for name in names}
        rows = self.db[outbox.COLLECTION]

        async def add(session: AsyncClientSession) -> None:
            messages = [(self.topic, "author-1", event) for event in events.values()]
            await outbox.add(self.db, session, messages)
            for name in oversized:
                event_id = str(events[name].event_id)
                row = await rows.find_one({"_id": event_id}, session=session)
                assert row is not None
                padded = json.loads(row["value"]) | {"padding": "x" * (2 * LIMIT)}
                value = {"$set": {"value": json.dumps(padded).encode()}}
                await rows.update_one({"_id": event_id}, value, session=session)

        await in_transaction(self.db, add)
        return [str(event.event_id) for event in events.values()]

    async def listed(self) -> list[dict[str, Any]]:
        response = await self.http.get(PREFIX)
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()["events"]
        return events

    async def published(self, count: int) -> list[str]:
        records = await read_topic(self.bootstrap, self.topic, until=lambda r: len(r) >= count)
        return [json.loads(r.value)["event_id"] for r in records]

    async def raise_limit(self) -> None:
        await set_topic_limit(self.bootstrap, self.topic, 1_000_000)


@pytest.fixture
async def parked(kafka_bootstrap: str, mongo_url: str, mongo_db: Database) -> AsyncIterator[Parked]:
    """A service's admin API, and a relay publishing its outbox to a topic with a small limit."""
    service = unique("svc")
    topic = await topic_with_limit(kafka_bootstrap, LIMIT)
    await ensure_indexes(mongo_db, {outbox.COLLECTION: outbox.INDEXES})
    settings = service_settings(
        service, kafka_bootstrap=kafka_bootstrap, mongo_url=mongo_url, mongo_db=mongo_db.name
    )

    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    relay = outbox.OutboxRelay(mongo_db, producer, poll_s=0.05, measure_every_s=0.05)
    relaying = asyncio.create_task(relay.run())
    app = service_app(settings, title="t", routers=[], run=no_run)
    headers = token_keys().bearer("operations", subject="ops-anna", audience=[service])
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://svc", headers=headers
            ) as http:
                yield Parked(http, app, mongo_db, kafka_bootstrap, topic, service)
    finally:
        relay.stop()
        await relaying
        await producer.stop()


async def parked_ids(parked: Parked) -> list[str]:
    return [event["event_id"] for event in await parked.listed()]


async def test_an_event_over_the_limit_is_listed_without_its_value(parked: Parked) -> None:
    ok, big, after = await parked.store("ok", "big", "after", oversized={"big"})

    await eventually(lambda: parked_ids(parked), timeout_s=30)
    response = await parked.http.get(PREFIX)

    (event,) = response.json()["events"]
    assert event["event_id"] == big
    assert (event["topic"], event["event_type"]) == (parked.topic, "mention.ingested")
    assert event["error"].endswith("MessageSizeTooLargeError")
    assert event["parked_at"]
    assert "xxxx" not in response.text
    assert "parked-big" not in response.text  # the mention's external id: no content
    assert await parked.published(2) == [ok, after]  # the next one on the partition goes on


async def test_republished_after_the_limit_is_raised_it_is_published_once(
    parked: Parked,
) -> None:
    ok, big, after = await parked.store("ok", "big", "after", oversized={"big"})
    await eventually(lambda: parked_ids(parked), timeout_s=30)

    await parked.raise_limit()
    response = await parked.http.post(f"{PREFIX}/{big}/republish", json={"note": "limit raised"})

    assert response.status_code == 200, response.text
    assert response.json()["action"] == "republish"
    assert response.json()["by"] == "ops-anna"
    published = await parked.published(3)
    assert sorted(published) == sorted([ok, big, after])
    assert published.count(big) == 1
    assert await parked.listed() == []
    audit = await parked.db[ACTIONS].find_one({"event_id": big})
    assert audit is not None
    assert (audit["action"], audit["by"]) == ("republish", "ops-anna")
    assert audit["note"] == "limit raised"


async def test_a_discarded_event_is_gone_for_good_and_audited(parked: Parked) -> None:
    (big,) = await parked.store("big", oversized={"big"})
    await eventually(lambda: parked_ids(parked), timeout_s=30)

    first = await parked.http.post(f"{PREFIX}/{big}/discard", json={"note": "test data"})
    again = await parked.http.post(f"{PREFIX}/{big}/discard", json={"note": "twice"})

    assert first.status_code == 200, first.text
    assert again.status_code == 404
    assert again.json()["detail"] == f"no parked event {big}"
    assert await parked.db[outbox.COLLECTION].find_one({"_id": big}) is None
    audits = await parked.db[ACTIONS].find({"event_id": big}).to_list()
    assert [(a["action"], a["note"]) for a in audits] == [("discard", "test data")]


async def test_bad_requests_are_refused_and_change_nothing(parked: Parked) -> None:
    (big,) = await parked.store("big", oversized={"big"})
    await eventually(lambda: parked_ids(parked), timeout_s=30)
    agent = token_keys().bearer("agent", subject="agent-bo", audience=[parked.service])

    unknown = await parked.http.post(f"{PREFIX}/no-such-event/republish", json={"note": ""})
    too_long_id = await parked.http.post(f"{PREFIX}/{'e' * 101}/discard", json={"note": ""})
    long_note = await parked.http.post(f"{PREFIX}/{big}/discard", json={"note": "n" * 1001})
    extra = await parked.http.post(f"{PREFIX}/{big}/discard", json={"note": "", "force": True})
    not_json = await parked.http.post(
        f"{PREFIX}/{big}/republish", content=b"{", headers={"content-type": "application/json"}
    )
    as_agent = await parked.http.post(f"{PREFIX}/{big}/discard", json={}, headers=agent)
    listing_as_agent = await parked.http.get(PREFIX, headers=agent)
    bad_page = await parked.http.get(PREFIX, params={"limit": 0})
    bad_after = await parked.http.get(PREFIX, params={"after": "no-such-event"})

    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "no parked event no-such-event",
    )
    assert too_long_id.status_code == 422
    assert long_note.status_code == 422
    assert extra.status_code == 422
    assert not_json.status_code in {400, 422}
    assert as_agent.status_code == listing_as_agent.status_code == 403
    assert bad_page.status_code == 422
    assert bad_after.status_code == 404
    assert await parked_ids(parked) == [big]
    assert await parked.db[ACTIONS].count_documents({}) == 0


async def test_listing_pages_in_the_order_events_were_parked(parked: Parked) -> None:
    ids = await parked.store("a", "b", "c", oversized={"a", "b", "c"})
    await eventually(lambda: len_is(parked, 3), timeout_s=30)

    first = (await parked.http.get(PREFIX, params={"limit": 2})).json()
    rest = (await parked.http.get(PREFIX, params={"limit": 2, "after": first["next"]})).json()

    paged = [e["event_id"] for e in first["events"] + rest["events"]]
    assert sorted(paged) == sorted(ids)
    assert len(first["events"]) == 2
    assert rest["next"] is None


async def len_is(parked: Parked, count: int) -> bool:
    return len(await parked.listed()) == count


async def test_cli_lists_republishes_and_discards_through_the_api(parked: Parked) -> None:
    keep, drop = await parked.store("keep", "drop", oversized={"keep", "drop"})
    await eventually(lambda: len_is(parked, 2), timeout_s=30)
    await parked.raise_limit()

    listed = await cli(parked, "parked")
    republished = await cli(parked, "republish", "--event", keep, "--note", "limit raised")
    discarded = await cli(parked, "discard", "--event", drop)
    with pytest.raises(ValueError, match="name the parked event"):
        await cli(parked, "discard")
    after = await cli(parked, "parked")

    header, *rows = listed.splitlines()
    assert header.split()[:3] == ["EVENT", "TOPIC", "TYPE"]
    assert sorted(row.split()[0] for row in rows) == sorted([keep, drop])
    assert republished == f"republish: {keep} (mention.ingested on {parked.topic})\n"
    assert discarded == f"discard: {drop} (mention.ingested on {parked.topic})\n"
    assert after == "no parked events\n"
    assert await parked.published(1) == [keep]


async def cli(parked: Parked, *argv: str) -> str:
    return await dlq_command(parked.app, parked.service, *argv)
