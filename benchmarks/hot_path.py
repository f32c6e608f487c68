"""CPU per record of the shared library's own hot path, in this process, with no broker: the
consumer loop's batch path (trace context from headers, "process" spans, the batch span and
bookkeeping, a handler that does nothing) and the producer's (catalogue check, "publish" spans,
trace headers; aiokafka's ``send`` replaced by an already-acknowledged future), for each way the
tracer provider can be set: recording spans that nothing exports (what ``RAPPORT_TRACE_EXPORTER=
none`` installed before) and recording none (what it installs now, ``ALWAYS_OFF``).

    .venv/bin/python -m benchmarks.hot_path [--records 20000]

Prints µs of CPU per record for each path and provider; compare the rows of one run.
"""

import argparse
import asyncio
import time
from collections.abc import Awaitable
from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON

from rapport.events import Event, MentionIngested
from rapport.events.codec import encode
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.lanes import Progress, Record, lanes
from rapport.kafka.producer import EventProducer, OutgoingRecord
from rapport.telemetry import inject_headers, tracer
from rapport.testing import example_mention, tracer_provider_set
from rapport.topics import Topic

TOPIC = Topic("bench-hot-path", "bench", "author", 6, 3_600_000, (MentionIngested,), ("b",), ())
BATCH = 250


def consumed(events: list[Event]) -> list[Record]:
    """The records a consumer would fetch: published in a request's trace, keyed by author."""
    with tracer.start_as_current_span("request"):
        headers = [("event_type", b"mention.ingested"), *inject_headers()]
    return [
        SimpleNamespace(
            topic=TOPIC.name, partition=n % 6, offset=n // 6, key=f"a{n % 500}".encode(),
            value=encode(event), headers=headers,
        )
        for n, event in enumerate(events)
    ]  # fmt: skip


async def consume(loop: ConsumerLoop, records: list[Record], events: list[Event]) -> None:
    async def handler(batch: list[Any]) -> None:
        pass

    decoded = {(r.topic, r.partition, r.offset): e for r, e in zip(records, events, strict=True)}
    for start in range(0, len(records), BATCH):
        part = records[start : start + BATCH]
        batch = {
            TopicPartition(TOPIC.name, p): [r for r in part if r.partition == p] for p in range(6)
        }
        progress = Progress(batch)
        chunk = lanes(batch)
        assert await loop._handle_chunk(handler, chunk, decoded)
        loop._chunk_done(chunk, progress)


async def produce(producer: EventProducer, records: list[OutgoingRecord]) -> None:
    for start in range(0, len(records), BATCH):
        await producer.publish_records(records[start : start + BATCH])


async def cpu_us(work: Awaitable[None], count: int) -> float:
    started = time.process_time()
    await work
    return (time.process_time() - started) / count * 1e6


async def main(count: int) -> None:
    events: list[Event] = [example_mention(f"hot{n}") for n in range(count)]
    producer = EventProducer("127.0.0.1:1")
    acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    acked.set_result(None)

    async def send(*args: Any, **kwargs: Any) -> asyncio.Future[None]:
        return acked

    producer._producer.send = send
    loop = ConsumerLoop(
        bootstrap="127.0.0.1:1", group="bench", topics=[TOPIC], handle=lambda e: acked,
        producer=producer,
    )  # fmt: skip
    print(f"µs of CPU per record, {count:,} records in batches of {BATCH}")
    for name, sampler in (("spans recorded, none exported", ALWAYS_ON), ("no spans", ALWAYS_OFF)):
        with tracer_provider_set(TracerProvider(sampler=sampler)):
            records = consumed(events)
            with tracer.start_as_current_span("outbox add"):
                outgoing = [
                    OutgoingRecord(TOPIC.name, r.key, r.value, "mention.ingested", inject_headers())
                    for r in records
                ]
            took = await cpu_us(consume(loop, records, events), count)
            print(f"  consumer batch path   {took:7.1f}   ({name})")
            took = await cpu_us(produce(producer, outgoing), count)
            print(f"  producer (relay) path {took:7.1f}   ({name})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().records))
