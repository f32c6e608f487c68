"""Fixtures every test folder shares: the real Kafka and MongoDB that `make test` starts.

Their addresses come from RAPPORT_TEST_KAFKA and RAPPORT_TEST_MONGO; the defaults are the test
profile's ports, shifted by RAPPORT_TEST_PORT_OFFSET like the profile. Integration tests get a
fresh topic, consumer group and database each, so they never see each other's data.
"""

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient

from rapport.kafka.admin import ensure_topics
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.testing import export_keys, unique

os.environ.setdefault(
    "RAPPORT_TEST_KEYS_DIR", str(Path(__file__).resolve().parent / ".state" / "test" / "keys")
)
os.environ.setdefault("RAPPORT_EXPORT_KEYS", export_keys())  # the services tests run in-process
OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
KAFKA = os.environ.get("RAPPORT_TEST_KAFKA", f"127.0.0.1:{19092 + OFFSET}")
MONGO = os.environ.get(
    "RAPPORT_TEST_MONGO", f"mongodb://127.0.0.1:{27117 + OFFSET}/?replicaSet=rapport"
)

SPANS = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(SPANS))
trace.set_tracer_provider(_provider)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return KAFKA


@pytest.fixture(scope="session")
def mongo_url() -> str:
    return MONGO


@pytest.fixture
def spans() -> InMemorySpanExporter:
    SPANS.clear()
    return SPANS


@pytest.fixture
async def new_topic(kafka_bootstrap: str) -> Callable[..., Awaitable[str]]:
    async def create(partitions: int = 1) -> str:
        name = unique("test")
        await ensure_topics(kafka_bootstrap, [(name, partitions, 3_600_000)])
        return name

    return create


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[EventProducer]:
    """A started producer on the test broker."""
    producer = EventProducer(kafka_bootstrap)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def mongo_db(mongo_url: str) -> AsyncIterator[Database]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        mongo_url, tz_aware=True, uuidRepresentation="standard"
    )
    name = unique("test").replace("-", "_")
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()
