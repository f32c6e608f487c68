"""A fetched batch split into lanes that may run concurrently, and the offsets it may commit.

A lane is one partition's records of one key (one author, one profile), in offset order;
records without a key share one lane per partition. ``Progress`` follows which records are
done: a partition may commit up to its first record that is not, never past it.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from aiokafka import TopicPartition

Record: TypeAlias = Any  # aiokafka.ConsumerRecord; aiokafka ships no type hints
Batch: TypeAlias = Mapping[TopicPartition, Sequence[Record]]


def lanes(batch: Batch) -> list[list[Record]]:
    """The batch's records grouped by partition and key, each lane in offset order."""
    grouped: dict[tuple[TopicPartition, bytes | None], list[Record]] = defaultdict(list)
    for partition, records in batch.items():
        for record in records:
            grouped[partition, record.key].append(record)
    return list(grouped.values())


def chunks(lanes: Sequence[list[Record]], size: int) -> list[list[list[Record]]]:
    """The lanes in groups of about ``size`` records; a lane is never split."""
    groups: list[list[list[Record]]] = []
    count = size
    for lane in lanes:
        if count + len(lane) > size and count > 0:
            groups.append([])
            count = 0
        groups[-1].append(lane)
        count += len(lane)
    return groups


def partition_of(record: Record) -> TopicPartition:
    return TopicPartition(record.topic, record.partition)


class Progress:
    """Which records of a batch are done, and so which offsets each partition may commit."""

    def __init__(self, batch: Batch) -> None:
        self._offsets = {
            tp: [r.offset for r in records] for tp, records in batch.items() if records
        }
        self._done: dict[TopicPartition, set[int]] = {tp: set() for tp in self._offsets}
        self._next = dict.fromkeys(self._offsets, 0)
        self._reported = dict.fromkeys(self._offsets, 0)

    def owns(self, record: Record) -> bool:
        """False once the record's partition was taken away (``forget``)."""
        return partition_of(record) in self._offsets

    def done(self, record: Record) -> None:
        tp = partition_of(record)
        if tp not in self._offsets:
            return
        self._done[tp].add(record.offset)
        offsets, index = self._offsets[tp], self._next[tp]
        while index < len(offsets) and offsets[index] in self._done[tp]:
            index += 1
        self._next[tp] = index

    def forget(self, partitions: Iterable[TopicPartition]) -> None:
        """The group took these partitions away: none of their offsets will be committed."""
        for tp in partitions:
            for table in (self._offsets, self._done, self._next, self._reported):
                table.pop(tp, None)

    def advanced(self) -> dict[TopicPartition, int]:
        """Per partition whose done prefix grew since the last call, the offset to commit:
        the one after the prefix's last record."""
        offsets: dict[TopicPartition, int] = {}
        for tp, index in self._next.items():
            if index > self._reported[tp]:
                offsets[tp] = self._offsets[tp][index - 1] + 1
                self._reported[tp] = index
        return offsets
