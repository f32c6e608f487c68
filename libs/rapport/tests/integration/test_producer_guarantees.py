"""The broker grants rapport's producer an idempotent producer id and it waits for all replicas;
a record the broker refuses does not poison the producer's numbering for the next ones."""

import pytest
from aiokafka.errors import MessageSizeTooLargeError

from rapport.kafka.producer import EventProducer, OutgoingRecord
from rapport.testing import read_topic, topic_with_limit

pytestmark = pytest.mark.integration


async def test_the_event_producer_is_idempotent_and_waits_for_all_in_sync_replicas(
    kafka_bootstrap: str,
) -> None:
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    try:
        # aiokafka has no public accessor: these are the values its sender works with.
        assert producer._producer._sender._acks == -1  # acks=all
        assert producer._producer._txn_manager.producer_id >= 0  # InitProducerId answered
    finally:
        await producer.stop()


async def test_a_record_the_broker_refuses_for_good_does_not_block_the_next_on_its_partition(
    kafka_bootstrap: str,
) -> None:
    topic = await topic_with_limit(kafka_bootstrap, 2_000)
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_headers(topic, b"k", b"first", [])  # the broker knows our numbering
        with pytest.raises(MessageSizeTooLargeError):
            await producer.send_headers(topic, b"k", b"x" * 4_000, [])
        await producer.publish_records([OutgoingRecord(topic, b"k", b"fits", "test")])
        with pytest.raises(MessageSizeTooLargeError):
            await producer.publish_records([OutgoingRecord(topic, b"k", b"x" * 4_000, "test")])
        await producer.send_headers(topic, b"k", b"fits too", [])
    finally:
        await producer.stop()

    records = await read_topic(kafka_bootstrap, topic, until=lambda records: len(records) == 3)
    assert [record.value for record in records] == [b"first", b"fits", b"fits too"]
