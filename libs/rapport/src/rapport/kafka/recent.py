"""Which events reached some topics lately: the event ids on every partition since a time.

The outbox relay asks this after taking over from a replica that may have died between the
broker's acknowledgement and marking its rows, so that it does not publish them a second time.
"""

import asyncio
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition

from rapport.kafka.connection import ClientSecurity
from rapport.kafka.producer import EventProducer


class RecentEvents(Protocol):
    async def __call__(self, topics: Iterable[str], since: datetime) -> set[str]:
        """The ``event_id``s of the records on ``topics`` written at or after ``since``."""
        ...


class KafkaRecentEvents:
    def __init__(
        self, bootstrap: Any, security: ClientSecurity | None = None, *, timeout_s: float = 30.0
    ) -> None:
        self._bootstrap = bootstrap
        self._security = security or ClientSecurity()
        self._timeout_s = timeout_s

    @classmethod
    def like(cls, producer: EventProducer) -> "KafkaRecentEvents":
        """Read from the cluster ``producer`` writes to, with its TLS and SASL options."""
        client = producer._producer.client  # aiokafka keeps its options there
        security = ClientSecurity(security_protocol=client._security_protocol)
        if client._ssl_context is not None:
            security["ssl_context"] = client._ssl_context
        if client._sasl_mechanism is not None:
            security["sasl_mechanism"] = client._sasl_mechanism
            security["sasl_plain_username"] = client._sasl_plain_username
            security["sasl_plain_password"] = client._sasl_plain_password
        return cls(client._bootstrap_servers, security)

    async def __call__(self, topics: Iterable[str], since: datetime) -> set[str]:
        consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            client_id="outbox-check",
            **self._security,
        )
        await consumer.start()
        try:
            return await asyncio.wait_for(self._read(consumer, since), self._timeout_s)
        finally:
            await consumer.stop()

    async def _read(self, consumer: AIOKafkaConsumer, since: datetime) -> set[str]:
        partitions = every_partition(consumer)
        starts = await consumer.offsets_for_times(
            {tp: int(since.timestamp() * 1000) for tp in partitions}
        )
        ends = await consumer.end_offsets(partitions)
        wanted = {tp: found.offset for tp, found in starts.items() if found is not None}
        for tp, offset in wanted.items():
            consumer.seek(tp, offset)
        ids: set[str] = set()
        while [tp for tp in wanted if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(*wanted, timeout_ms=500)
            for records in batches.values():
                ids.update(_event_id(record.value) for record in records)
        ids.discard("")
        return ids


def every_partition(consumer: AIOKafkaConsumer) -> set[TopicPartition]:
    """The partitions of the topics a started ``consumer`` subscribed to without a group: it
    is given all of them with the metadata it loads when it starts."""
    return set(consumer.assignment())


def _event_id(value: bytes | None) -> str:
    try:
        found = json.loads(value or b"{}").get("event_id", "")
    except (ValueError, AttributeError):
        return ""
    return str(found)
