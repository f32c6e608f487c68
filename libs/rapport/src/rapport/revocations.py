"""Revoked tokens, checked on every request: each service holds the list in memory.

The list lives on the compacted topic ``auth.revocations`` (key: the token's jti). Each service
has its own MongoDB, so no database could be the one list; Kafka already reaches every service,
and a compacted topic keyed by jti costs one record per revocation, kept 31 days (longer than any
token lives, so no revocation is forgotten while its token could still be used). Every process
reads the topic from the start without a consumer group (each needs every record), then tails
it: a revocation reaches every replica of every service within a fetch (under a second). Until
a process has read up to where the topic ended when it started, it is not ready (``/readyz``),
so a replica that (re)starts admits no token revoked before it started. A topic that does not
exist (never created: ``python -m rapport.kafka.admin`` creates the catalogue's topics) keeps the
process unready with that reason on ``/readyz`` and in the log, until someone creates it.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from rapport.events import Revocation, TokenRevoked
from rapport.events.codec import DecodeError, decode
from rapport.failures import is_transient
from rapport.kafka.connection import client_security
from rapport.kafka.producer import EventProducer
from rapport.outages import Outage, current_outage
from rapport.settings import KafkaSettings

log = logging.getLogger(__name__)
RETRY_S = 1.0


class Revocations:
    """Token ids (jti) revoked, each until its token expires anyway."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._until: dict[str, float] = {}
        self._clock = clock
        self.loaded = False

    def add(self, token_id: str, expires_at: float) -> None:
        self._until[token_id] = max(expires_at, self._until.get(token_id, 0.0))

    def __contains__(self, token_id: object) -> bool:
        until = self._until.get(str(token_id))
        if until is None:
            return False
        if until <= self._clock():
            del self._until[str(token_id)]
            return False
        return True

    async def ready(self) -> bool:
        return self.loaded


async def follow(
    revocations: Revocations, topic: str, kafka: KafkaSettings, stopping: asyncio.Event
) -> None:
    """Read ``topic`` from the start into ``revocations``, then tail it until ``stopping``;
    waits out Kafka being away (the worker is degraded meanwhile)."""
    while (consumer := await _started(topic, kafka)) is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), RETRY_S)
        if stopping.is_set():
            return
    try:
        ends: dict[TopicPartition, int] = {}
        while not stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    _apply(revocations, record.value)
            if not revocations.loaded and (assigned := consumer.assignment()):
                ends = ends or await consumer.end_offsets(list(assigned))
                positions = {tp: await consumer.position(tp) for tp in assigned}
                revocations.loaded = all(positions[tp] >= ends.get(tp, 0) for tp in assigned)
    finally:
        await consumer.stop()


async def _started(topic: str, kafka: KafkaSettings) -> AIOKafkaConsumer | None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.kafka_bootstrap,
        group_id=None,  # every partition, from the start: no group, no commits
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **client_security(kafka),
    )
    outage = current_outage.get()
    try:
        await consumer.start()
        found = topic in await consumer.topics()
    except Exception as error:
        await consumer.stop()
        if not is_transient(error):
            raise
        if outage is not None:
            outage.waiting(error, position="start")
        return None
    if not found:  # subscribed, the consumer would wait for it and retry, saying little
        await consumer.stop()
        _topic_missing(topic, outage)
        return None
    consumer.subscribe([topic])
    if outage is not None:
        outage.over()
    return consumer


def _topic_missing(topic: str, outage: Outage | None) -> None:
    waiting_for = f"the revocation topic {topic}, which does not exist"
    remedy = "create it: python -m rapport.kafka.admin (or set RAPPORT_AUTH_REVOCATIONS_TOPIC)"
    if outage is None:
        log.error(f"waiting for {waiting_for}", extra={"error": remedy})
    else:
        outage.waiting_on(waiting_for, remedy)


def _apply(revocations: Revocations, value: bytes | None) -> None:
    try:
        event = decode(value, (TokenRevoked,))
    except DecodeError as error:
        log.error("unreadable revocation skipped", extra={"reason": str(error)})
        return
    assert isinstance(event, TokenRevoked)
    revocations.add(event.payload.token_id, event.payload.expires_at.timestamp())


async def revoke(token_id: str, expires_at: datetime, *, topic: str, kafka: KafkaSettings) -> None:
    """Publish the revocation of ``token_id`` (acknowledged by every in-sync replica)."""
    revoked = TokenRevoked.of(
        Revocation(token_id=token_id, expires_at=expires_at, revoked_at=datetime.now(UTC))
    )
    producer = EventProducer(
        kafka.kafka_bootstrap, client_id="rapport-revoke", security=client_security(kafka)
    )
    await producer.start()
    try:
        await producer.publish(topic, token_id, revoked)
    finally:
        await producer.stop()
