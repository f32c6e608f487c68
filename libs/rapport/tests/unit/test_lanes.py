"""Splitting a batch into lanes and finding the offsets it may commit."""

from typing import NamedTuple

from aiokafka import TopicPartition

from rapport.kafka.lanes import Progress, chunks, lanes

P0, P1 = TopicPartition("t", 0), TopicPartition("t", 1)


class Rec(NamedTuple):
    topic: str
    partition: int
    offset: int
    key: bytes | None


def rec(partition: int, offset: int, key: bytes | None) -> Rec:
    return Rec("t", partition, offset, key)


def test_a_lane_is_one_partitions_records_of_one_key_in_offset_order() -> None:
    batch = {
        P0: [rec(0, 0, b"a"), rec(0, 1, b"b"), rec(0, 2, b"a"), rec(0, 3, None), rec(0, 4, None)],
        P1: [rec(1, 0, b"a"), rec(1, 1, None)],
    }
    assert sorted(([r.offset for r in lane] for lane in lanes(batch)), key=str) == sorted(
        [[0, 2], [1], [3, 4], [0], [1]], key=str
    )
    assert [(r.partition, r.key) for r in lanes(batch)[0]] == [(0, b"a"), (0, b"a")]


def test_a_partition_commits_up_to_its_first_record_not_done() -> None:
    records = [rec(0, 10, b"a"), rec(0, 11, b"b"), rec(0, 13, b"a")]
    progress = Progress({P0: records, P1: [rec(1, 5, b"c")]})
    assert progress.advanced() == {}
    progress.done(records[0])
    progress.done(records[2])
    assert progress.advanced() == {P0: 11}
    assert progress.advanced() == {}
    progress.done(records[1])
    progress.done(rec(1, 5, b"c"))
    assert progress.advanced() == {P0: 14, P1: 6}


def test_a_forgotten_partition_is_never_committed() -> None:
    record = rec(0, 0, b"a")
    progress = Progress({P0: [record]})
    progress.forget([P0])
    progress.done(record)
    assert not progress.owns(record)
    assert progress.advanced() == {}


def test_chunks_group_whole_lanes_up_to_the_size() -> None:
    a, b, c, d = (
        [rec(0, 0, b"a")] * 3,
        [rec(0, 1, b"b")] * 2,
        [rec(0, 2, b"c")] * 6,
        [rec(0, 3, b"d")],
    )
    groups = chunks([a, b, c, d], 5)
    assert groups == [[a, b], [c], [d]]
    assert chunks([], 5) == []
