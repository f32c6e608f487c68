"""Helpers for tests that wait on real infrastructure: bounded polling, never bare sleeps."""

import argparse
import asyncio
import inspect
import io
import json
import logging
import os
import random
import socket
import string
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

import bson.objectid
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from bson import ObjectId
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pymongo import monitoring

from rapport import sequence, telemetry
from rapport.auth import DEFAULT_ISSUER, issue_token
from rapport.events import MentionIngested
from rapport.events.examples import examples
from rapport.exports.keys import new_key
from rapport.keys import add_key
from rapport.settings import Environment, RapportSettings
from rapport.topics import check_publication

SERVICES = ("ingest", "profiles", "responder", "loyalty")
UNTHROTTLED: dict[str, Any] = {
    f"rate_limit_{name}": "1000000/minute"
    for name in ("address", "tokenless", "reads", "writes", "imports", "webhooks")
}
"""Rate limits no test or benchmark platform reaches (a fuzz run, the authorization matrix and
`make bench` send thousands of requests from one address and token); only the rate-limit tests
set small ones. As settings fields: ``environment(UNTHROTTLED)`` for a service process."""


def environment(settings: dict[str, Any]) -> dict[str, str]:
    """Settings fields as the ``RAPPORT_*`` variables a service process reads."""
    return {f"RAPPORT_{name.upper()}": str(value) for name, value in settings.items()}


def unique(prefix: str) -> str:
    """A name no other test uses: topics, consumer groups, databases, external ids."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def reference() -> str:
    """Twelve random letters to make a text unique. Letters, because ingest's flood check
    ignores digits: the same text from three authors is (rightly) flagged as spam."""
    return "".join(random.choices(string.ascii_lowercase, k=12))


class TokenKeys:
    """A real Ed25519 key pair for tests: services verify with ``jwks`` (pass it as
    ``auth_jwks`` or ``RAPPORT_AUTH_JWKS``); ``token``/``bearer`` mint with its private key."""

    def __init__(self, directory: Path) -> None:
        self.private_key = directory / "private.pem"
        self.jwks = directory / "jwks.json"
        self.key = add_key(self.private_key, self.jwks)
        self.auth_jwks = str(self.jwks)
        """The ``auth_jwks`` setting of a service that should accept these tokens."""

    def token(
        self,
        *scopes: str,
        subject: str = "test",
        audience: Sequence[str] = (*SERVICES, "rapport"),
        issuer: str = DEFAULT_ISSUER,
        ttl_s: int | None = None,
        now: float | None = None,
    ) -> str:
        return issue_token(
            self.key, subject, scopes, audience=audience, issuer=issuer, ttl_s=ttl_s, now=now
        )

    def bearer(self, *scopes: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*scopes, **claims)}"}


@cache
def token_keys() -> TokenKeys:
    """The key pair every test of this process shares, made once in a directory of its own
    under ``$RAPPORT_TEST_KEYS_DIR`` (the repo's conftest: ``.state/test/keys``), else /tmp."""
    parent = os.environ.get("RAPPORT_TEST_KEYS_DIR")
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    return TokenKeys(Path(tempfile.mkdtemp(prefix="keys-", dir=parent)))


@asynccontextmanager
async def no_run(app: Any, runtime: Any) -> AsyncIterator[None]:
    """A service's ``run`` that connects and starts nothing: the shared parts alone."""
    yield


async def dlq_command(app: Any, service: str, *argv: str) -> str:
    """What ``rapport dlq ARGV --group SERVICE`` prints against ``app``, as an operator."""
    from rapport.dlq import cli  # the CLI needs the service's admin API: imported when used

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["dlq", *argv, "--group", service, "--url", "http://svc"])
    args.token = token_keys().token("operations", subject="ops-cli", audience=[service])
    out = io.StringIO()
    await cli.execute(args, out=out, transport=httpx.ASGITransport(app=app))
    return out.getvalue()


async def stored_documents(db: Any, *, besides: Sequence[str] = ()) -> dict[str, list[Any]]:
    """Every document of every collection of ``db`` but ``besides`` and the sequences' counters
    (a refused write may use numbers up), for a test that a refusal changed nothing."""
    skipped = {sequence.COLLECTION, *besides}
    names = sorted(set(await db.list_collection_names()) - skipped)
    return {name: await db[name].find().sort("_id").to_list() for name in names}


def service_settings(
    service: str, *, kafka_bootstrap: str, mongo_url: str, mongo_db: str
) -> RapportSettings:
    """A test service's settings on the test Kafka and MongoDB, trusting ``token_keys()``."""
    return RapportSettings(
        service_name=service,
        environment=Environment.TEST,
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_db=mongo_db,
        auth_jwks=token_keys().auth_jwks,
    )


@cache
def export_keys() -> str:
    """RAPPORT_EXPORT_KEYS for every service this test process starts (one fresh key)."""
    return json.dumps({"test": new_key()})


async def eventually(
    probe: Callable[[], Any], *, timeout_s: float = 30.0, interval_s: float = 0.1
) -> Any:
    """Call ``probe`` until it returns something truthy; fail after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        outcome = probe()
        result = await outcome if inspect.isawaitable(outcome) else outcome
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s (last: {result!r})")
        await asyncio.sleep(interval_s)


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[Any]], bool],
    timeout_s: float = 30.0,
) -> list[Any]:
    """Read ``topic`` from the start (no group) until ``until(records)`` holds."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        client_id=f"test-reader-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:

        async def more() -> bool:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
            return until(records)

        await eventually(more, timeout_s=timeout_s, interval_s=0)
        return records
    finally:
        await consumer.stop()


async def topic_size(bootstrap: str, topic: str) -> int:
    """How many records were ever written to ``topic`` (the sum of its partitions' end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = await consumer.end_offsets(partitions)
        return sum(int(offset) for offset in ends.values())
    finally:
        await consumer.stop()


async def topic_with_limit(bootstrap: str, max_message_bytes: int) -> str:
    """A new one-partition topic whose broker refuses records over ``max_message_bytes``."""
    name = unique("limited")
    async with _admin(bootstrap) as admin:
        configs = {"max.message.bytes": str(max_message_bytes)}
        await admin.create_topics([NewTopic(name, 1, 1, topic_configs=configs)])
    return name


async def set_topic_limit(bootstrap: str, topic: str, max_message_bytes: int) -> None:
    """Change ``topic``'s ``max.message.bytes``; returns once the broker reports the new value."""
    wanted = str(max_message_bytes)
    async with _admin(bootstrap) as admin:
        limit = {"max.message.bytes": wanted}
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, limit)])

        async def applied() -> bool:
            resource = ConfigResource(ConfigResourceType.TOPIC, topic)
            (response,) = await admin.describe_configs([resource])
            (described,) = response.to_object()["resources"]
            entries = {e["config_names"]: e["config_value"] for e in described["config_entries"]}
            return bool(entries["max.message.bytes"] == wanted)

        await eventually(applied)


@asynccontextmanager
async def _admin(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


class Published:
    """A stand-in for ``EventProducer.publish_all`` in handler unit tests: records what is sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, Any]] = []

    async def __call__(self, messages: Sequence[tuple[str, str, Any]]) -> None:
        for topic, _, event in messages:
            check_publication(topic, event.type)  # as EventProducer and the outbox do
        self.messages.extend(messages)

    def events(self, topic: str) -> list[Any]:
        return [event for t, _, event in self.messages if t == topic]


class MovableClock:
    """A clock tests move by hand: ``clock()`` is now, ``clock.advance(minutes=5)`` moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@contextmanager
def objectids_of_a_process(random: bytes, *, second: int = 1_800_000_000) -> Iterator[None]:
    """``ObjectId()`` as another process makes it within one second: ``random`` is the 5 bytes
    bson draws once per process, ``second`` the time every id made meanwhile carries."""
    with (
        patch.object(ObjectId, "_ObjectId__random", random),
        patch.object(bson.objectid, "time", SimpleNamespace(time=lambda: second)),
    ):
        yield


@contextmanager
def tracer_provider_set(provider: TracerProvider) -> Iterator[TracerProvider]:
    """``provider`` as the process's tracer provider meanwhile, e.g. one that records nothing,
    as a service without an exporter has. (OpenTelemetry's own setter refuses a second
    provider, and rapport's tracer keeps the first one it used: both are swapped here.)"""
    saved = trace._TRACER_PROVIDER
    proxy = telemetry.tracer
    cached = proxy._real_tracer if isinstance(proxy, trace.ProxyTracer) else None
    trace._TRACER_PROVIDER = provider
    if isinstance(proxy, trace.ProxyTracer):
        proxy._real_tracer = None
    try:
        yield provider
    finally:
        trace._TRACER_PROVIDER = saved
        if isinstance(proxy, trace.ProxyTracer):
            proxy._real_tracer = cached


def example_mention(external_id: str) -> MentionIngested:
    """The catalogue's example ``mention.ingested`` under another external id (another event id)."""
    base = examples()[0]
    assert isinstance(base, MentionIngested)
    return MentionIngested.of(base.payload.model_copy(update={"external_id": external_id}))


class MongoCommands(monitoring.CommandListener):
    """Counts the commands (round trips) a MongoDB client sends, by command name (or by
    ``"<name> <collection>"`` with ``per_collection``); transactions are its
    ``commitTransaction`` commands. Register it when the client is made:
    ``AsyncMongoClient(url, event_listeners=[commands])``. Commands of every task using that
    client are counted."""

    IGNORED = frozenset({"endSessions", "hello", "isMaster", "ismaster", "ping"})

    def __init__(self, *, per_collection: bool = False) -> None:
        self.counts: Counter[str] = Counter()
        self._per_collection = per_collection

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        if name in self.IGNORED:
            return
        target = event.command.get(name)
        if self._per_collection and isinstance(target, str):
            name = f"{name} {target}"
        self.counts[name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def total(self) -> int:
        return sum(self.counts.values())

    def transactions(self) -> int:
        return sum(n for name, n in self.counts.items() if name.startswith("commitTransaction"))

    def reset(self) -> Counter[str]:
        """The counts so far; counting starts again from zero."""
        counts, self.counts = self.counts, Counter()
        return counts

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        """The commands sent inside the block, filled in when it ends."""
        before = self.counts.copy()
        delta: Counter[str] = Counter()
        try:
            yield delta
        finally:
            delta.update(self.counts - before)


def sample(exposition: str, name: str, **labels: str) -> float | None:
    """The value of the sample ``name`` whose labels include ``labels`` in a Prometheus text
    exposition (a ``GET /metrics`` body); None if there is none."""
    for family in text_string_to_metric_families(exposition):
        for found in family.samples:
            if found.name == name and labels.items() <= found.labels.items():
                return float(found.value)
    return None


def metric(name: str, **labels: str) -> float | None:
    """``sample`` of what this process's ``GET /metrics`` serves now (rapport.service)."""
    return sample(generate_latest().decode(), name, **labels)


@dataclass
class Mailbox:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (``receiving_mail``)."""

    port: int
    mails: list[EmailMessage] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [mail for mail in self.mails if mail["To"] == address]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.mails.append(mail)
        return "250 Message accepted for delivery"


@contextmanager
def receiving_mail() -> Iterator[Mailbox]:
    """A ``Mailbox`` served by aiosmtpd (a test dependency) on a free port, while in the block."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every SMTP command
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox(port)
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield box
    finally:
        server.stop()
