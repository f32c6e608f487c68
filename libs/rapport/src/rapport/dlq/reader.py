"""Reads dead-letter topics from their beginning to their current end, without a consumer
group (nothing is committed, no group rebalances), bounded by a deadline."""

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from rapport.dlq.letters import DeadLetter, Position
from rapport.kafka.connection import ClientSecurity


class OffsetOutOfRange(LookupError):
    """No letter is stored at that offset (never written, or past retention)."""


@dataclass(frozen=True)
class Span:
    """The offsets a partition holds now: ``first`` up to, not including, ``end``."""

    partition: TopicPartition
    first: int
    end: int


class LetterReader:
    def __init__(
        self,
        bootstrap: str,
        *,
        client_id: str,
        security: ClientSecurity | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._security = security or ClientSecurity()
        self._timeout_s = timeout_s

    @asynccontextmanager
    async def _consumer(self) -> AsyncIterator[AIOKafkaConsumer]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=None,
            client_id=f"{self._client_id}-{uuid.uuid4().hex[:6]}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._security,
        )
        await consumer.start()
        try:
            yield consumer
        finally:
            await consumer.stop()

    async def spans(self, topics: Sequence[str]) -> list[Span]:
        """Every partition of ``topics`` that exists, with its first and end offsets."""
        async with self._consumer() as consumer:
            return await _spans(consumer, topics)

    async def scan(
        self,
        topics: Sequence[str],
        *,
        after: Position | None,
        keep: Callable[[DeadLetter], bool],
        limit: int,
    ) -> list[DeadLetter]:
        """Up to ``limit`` letters that ``keep`` admits, in position order, after ``after``."""
        kept: list[DeadLetter] = []
        async with self._consumer() as consumer:
            for span in await _spans(consumer, sorted(topics)):
                tp = span.partition
                start = span.first
                if after is not None:
                    if (tp.topic, tp.partition) < (after.topic, after.partition):
                        continue
                    if (tp.topic, tp.partition) == (after.topic, after.partition):
                        start = max(start, after.offset + 1)
                if start >= span.end:
                    continue
                async with aclosing(self._read(consumer, tp, start, span.end)) as records:
                    async for record in records:
                        letter = DeadLetter.of(record)
                        if keep(letter):
                            kept.append(letter)
                            if len(kept) >= limit:
                                return kept
        return kept

    async def fetch(self, position: Position) -> DeadLetter:
        async with self._consumer() as consumer:
            spans = {s.partition.partition: s for s in await _spans(consumer, [position.topic])}
            span = spans.get(position.partition)
            if span is None:
                raise OffsetOutOfRange(f"{position.topic} has no partition {position.partition}")
            if not span.first <= position.offset < span.end:
                raise OffsetOutOfRange(
                    f"no dead letter at offset {position.offset} of {position.topic}"
                    f"[{position.partition}]: it holds offsets {span.first} to {span.end - 1}"
                    if span.end > span.first
                    else f"{position.topic}[{position.partition}] holds no dead letters"
                )
            read = self._read(consumer, span.partition, position.offset, span.end)
            async with aclosing(read) as records:
                async for record in records:
                    return DeadLetter.of(record)
        raise OffsetOutOfRange(f"no dead letter at {position}")

    async def _read(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, start: int, end: int
    ) -> AsyncGenerator[Any, None]:
        consumer.assign([tp])
        consumer.seek(tp, start)
        deadline = asyncio.get_running_loop().time() + self._timeout_s
        while await consumer.position(tp) < end:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"reading {tp.topic}[{tp.partition}] took too long")
            batches = await consumer.getmany(tp, timeout_ms=500)
            for record in batches.get(tp, []):
                if record.offset >= end:
                    return
                yield record


async def _spans(consumer: AIOKafkaConsumer, topics: Sequence[str]) -> list[Span]:
    # aiokafka's public ``topics()`` returns names only; its metadata also knows partitions.
    cluster = await consumer._client.fetch_all_metadata()
    partitions = [
        TopicPartition(topic, p)
        for topic in topics
        for p in sorted(cluster.partitions_for_topic(topic) or ())
    ]
    if not partitions:
        return []
    firsts = await consumer.beginning_offsets(partitions)
    ends = await consumer.end_offsets(partitions)
    return [Span(tp, firsts[tp], ends[tp]) for tp in partitions]
