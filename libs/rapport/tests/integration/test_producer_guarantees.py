"""The broker grants rapport's producer an idempotent producer id and it waits for all replicas."""

import pytest

from rapport.kafka.producer import EventProducer

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
