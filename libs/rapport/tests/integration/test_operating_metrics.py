"""The metrics an operator alerts on, read from a service's ``GET /metrics`` while the real
broker and database do the work: consumer lag, dead letters by kind, the outbox's backlog."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from rapport import outbox
from rapport.events import Event, MentionIngested
from rapport.kafka.admin import ensure_topics
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, ensure_indexes
from rapport.retry import RetryPolicy
from rapport.service import service_app
from rapport.settings import Environment, RapportSettings
from rapport.testing import eventually, example_mention, no_run, sample, token_keys, unique
from rapport.topics import Topic, dead_letter_topic

pytestmark = pytest.mark.integration
NewTopic = Callable[..., Awaitable[str]]
Scrape = Callable[..., Awaitable[float | None]]


@pytest.fixture
async def scrape(kafka_bootstrap: str, mongo_url: str) -> AsyncIterator[Scrape]:
    """A sample of a service app's ``GET /metrics`` (None while it has none)."""
    settings = RapportSettings(
        service_name="test",
        environment=Environment.TEST,
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        auth_jwks=token_keys().auth_jwks,
    )
    app = service_app(settings, title="t", routers=[], run=no_run)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

        async def read(name: str, **labels: str) -> float | None:
            response = await http.get("/metrics")
            response.raise_for_status()
            return sample(response.text, name, **labels)

        yield read


async def consumer_of(
    kafka_bootstrap: str,
    new_topic: NewTopic,
    producer: EventProducer,
    handle: Callable[..., Awaitable[None]],
) -> tuple[ConsumerLoop, Topic]:
    name = await new_topic(2)
    topic = Topic(name, "test", "author", 2, 3_600_000, (MentionIngested,), ("test",), ())
    group = unique("group")
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(name, group), 1, 3_600_000)])
    loop = ConsumerLoop(
        bootstrap=kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=handle,
        producer=producer,
        retry=RetryPolicy(attempts=2, first_delay_s=0.01, max_delay_s=0.02),
        lag_every_s=0.2,
    )
    return loop, topic


async def test_lag_counts_the_records_a_stalled_consumer_has_not_committed_then_falls_to_zero(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer, scrape: Scrape
) -> None:
    stalled = asyncio.Event()
    go_on = asyncio.Event()

    async def handle(event: Event) -> None:
        stalled.set()
        await go_on.wait()

    loop, topic = await consumer_of(kafka_bootstrap, new_topic, producer, handle)
    for n in range(6):
        await producer.publish(topic.name, f"author-{n}", example_mention(f"lag{n}"))

    async def lag() -> float:
        found = [
            await scrape("rapport_consumer_lag", group=loop.group, topic=topic.name, partition=p)
            for p in ("0", "1")
        ]
        return -1 if None in found else sum(v for v in found if v is not None)

    running = asyncio.create_task(loop.run())
    try:
        await eventually(stalled.is_set, timeout_s=60)
        await eventually(lambda: _equals(lag, 6), timeout_s=60)
        go_on.set()
        await eventually(lambda: _equals(lag, 0), timeout_s=60)
    finally:
        go_on.set()
        loop.stop()
        await running
    gone = await scrape("rapport_consumer_lag", group=loop.group, topic=topic.name)
    assert gone is None  # a stopped consumer holds no partition: its series go
    alive = await scrape(
        "rapport_worker_last_step_timestamp_seconds", worker=f"consumer:{loop.group}"
    )
    assert alive is not None
    assert alive > 0


async def _equals(probe: Callable[[], Awaitable[float]], wanted: float) -> bool:
    return await probe() == wanted


async def test_dead_letters_are_counted_by_kind(
    kafka_bootstrap: str, new_topic: NewTopic, producer: EventProducer, scrape: Scrape
) -> None:
    async def handle(event: Event) -> None:
        if event.event_id == example_mention("refused").event_id:
            raise ValueError("refused for good")

    loop, topic = await consumer_of(kafka_bootstrap, new_topic, producer, handle)
    await producer.send_headers(topic.name, b"k", b"{not an event", [])
    await producer.publish(topic.name, "k", example_mention("refused"))
    await producer.publish(topic.name, "k", example_mention("fine"))
    labels = {"topic": topic.name, "group": loop.group}

    async def counted() -> bool:
        undecodable = await scrape("rapport_dead_lettered_total", kind="undecodable", **labels)
        failed = await scrape("rapport_dead_lettered_total", kind="handler_failed", **labels)
        return undecodable == 1 and failed == 1

    running = asyncio.create_task(loop.run())
    try:
        await eventually(counted, timeout_s=60)
    finally:
        loop.stop()
        await running


async def test_outbox_backlog_ages_while_no_relay_publishes_and_empties_once_one_does(
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    producer: EventProducer,
    scrape: Scrape,
) -> None:
    topic = await new_topic()
    await ensure_indexes(mongo_db, {outbox.COLLECTION: outbox.INDEXES})
    await outbox.add(mongo_db, None, [(topic, "k", example_mention(f"ob{n}")) for n in range(3)])
    holder = outbox.OutboxRelay(mongo_db, producer)
    assert await holder.lease.hold() is not None  # another replica holds the lease, and stalls
    standby = outbox.OutboxRelay(mongo_db, producer, poll_s=0.05, measure_every_s=0.05)
    database = mongo_db.name

    async def age() -> float:
        return await scrape("rapport_outbox_oldest_pending_age_seconds", database=database) or 0

    relaying = asyncio.create_task(standby.run())
    try:
        first = await eventually(age, timeout_s=60)
        assert await scrape("rapport_outbox_pending", database=database) == 3
        await eventually(lambda: _above(age, first), timeout_s=60)
        await holder.lease.release()
        await eventually(lambda: _equals(lambda: _pending(scrape, database), 0), timeout_s=60)
        assert await age() == 0
    finally:
        standby.stop()
        await relaying


async def _above(probe: Callable[[], Awaitable[float]], floor: float) -> bool:
    return await probe() > floor


async def _pending(scrape: Scrape, database: str) -> float:
    found = await scrape("rapport_outbox_pending", database=database)
    return -1 if found is None else found
