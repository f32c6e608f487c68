"""The transactional outbox against the real database and broker."""

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport import outbox
from rapport.events import MentionIngested
from rapport.events.codec import decode
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database, ensure_indexes
from rapport.testing import example_mention, read_topic

pytestmark = pytest.mark.integration


def mention(n: int) -> MentionIngested:
    return example_mention(f"o{n}")


class Abort(Exception):
    pass


async def test_committed_events_are_published_in_order_and_aborted_ones_never(
    mongo_db: Database, kafka_bootstrap: str, new_topic: object
) -> None:
    topic = await new_topic()  # type: ignore[operator]
    await ensure_indexes(mongo_db, {outbox.COLLECTION: outbox.INDEXES})

    async def add(session: AsyncClientSession, n: int) -> None:
        await outbox.add(mongo_db, session, [(topic, "k", mention(n))])

    async def add_then_fail(s: AsyncClientSession) -> None:
        await add(s, 2)
        raise Abort

    async with mongo_db.client.start_session() as session:
        await session.with_transaction(lambda s: add(s, 1))
        with pytest.raises(Abort):
            await session.with_transaction(add_then_fail)
        await session.with_transaction(lambda s: add(s, 3))

    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    try:
        relay = outbox.OutboxRelay(mongo_db, producer)
        assert await relay.publish_pending() == 2
        assert await relay.publish_pending() == 0
    finally:
        await producer.stop()

    records = await read_topic(kafka_bootstrap, topic, until=lambda r: len(r) >= 2)
    published = [decode(r.value, (MentionIngested,)).event_id for r in records]
    assert published == [mention(1).event_id, mention(3).event_id]
    assert all(dict(r.headers)["event_type"] == b"mention.ingested" for r in records)
    assert await mongo_db[outbox.COLLECTION].count_documents({"published_at": None}) == 0
