"""Consumer lag: for each partition a consumer holds, the partition's end offset minus the
group's committed offset, in ``rapport_consumer_lag``.

Refreshed every ``every_s`` by one ListOffsets request for all the held partitions, never per
record. Committed offsets are the ones the loop commits itself; a partition it has not
committed yet is asked of the group coordinator once. A partition given up (revoked, or the
loop stopped) loses its series: its new holder reports it.
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Gauge

log = logging.getLogger(__name__)

LAG = Gauge(
    "rapport_consumer_lag",
    "Records of a partition the consumer group has not committed yet (end - committed offset)",
    ["group", "topic", "partition"],
)


class LagGauge:
    def __init__(self, consumer: AIOKafkaConsumer, group: str, *, every_s: float = 15.0) -> None:
        self._consumer = consumer
        self._group = group
        self._every_s = every_s
        self._committed: dict[TopicPartition, int] = {}
        self._reported: set[TopicPartition] = set()

    def committed(self, offsets: Mapping[TopicPartition, int]) -> None:
        self._committed.update(offsets)

    def forget(self, partitions: Iterable[TopicPartition]) -> None:
        for tp in partitions:
            self._committed.pop(tp, None)
            if tp in self._reported:
                self._reported.discard(tp)
                with contextlib.suppress(KeyError):  # another loop of the group, in tests
                    LAG.remove(self._group, tp.topic, str(tp.partition))

    async def refresh(self) -> None:
        held = self._consumer.assignment()
        self.forget(self._reported - held)
        if not held:
            return
        ends = await self._consumer.end_offsets(list(held))
        for tp in held:
            committed = await self._committed_offset(tp)
            LAG.labels(self._group, tp.topic, str(tp.partition)).set(max(0, ends[tp] - committed))
            self._reported.add(tp)

    async def _committed_offset(self, tp: TopicPartition) -> int:
        if tp not in self._committed:
            found = await self._consumer.committed(tp)
            if found is None:  # nothing committed yet: the group starts at the earliest record
                found = (await self._consumer.beginning_offsets([tp]))[tp]
            self._committed.setdefault(tp, found)
        return self._committed[tp]

    async def run(self, stopping: asyncio.Event) -> None:
        """Refresh every ``every_s`` until ``stopping`` is set; then drop every series."""
        try:
            while not stopping.is_set():
                try:
                    await self.refresh()
                except Exception as error:  # the broker is away: the loop says so; try again
                    log.debug("consumer lag not refreshed", extra={"error": repr(error)})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=self._every_s)
        finally:
            self.forget(list(self._reported))
