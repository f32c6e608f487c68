"""The platform under test: the four services as real processes on the test Kafka and MongoDB.

One platform per test session, with databases of its own (``e2e_<run>_<service>``, indexed by
``rapport migrate`` before the first service starts), its logs and span files under
``test-output/e2e/``, and the means to SIGKILL and restart any service, and to start more
replicas of one (``ingest-2``, ...: the same consumer group, database and outbox lease).
"""

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from rapport.testing import UNTHROTTLED, environment, export_keys, reference, token_keys, unique

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_procs import stop_popen  # noqa: E402
from local_procs import wait_ready as wait_ready  # noqa: E402
from local_profile import replica_name  # noqa: E402
from local_services import start_service  # noqa: E402

SERVICES = ("ingest", "profiles", "responder", "loyalty")
FIRST_PORT = 18001 + int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
WAIT_S = 120.0
"""How long an e2e test waits for the platform to reach a state: CI's machines are slow and shared,
and a passing test never waits that long."""
CONNECTOR_PORT = FIRST_PORT + 10
"""Where responder sends agents' replies: the console's browser test runs a stub platform here."""
X_API_PORT = FIRST_PORT + 11
"""Responder's X API v2: a test that gives the brand an X account runs the X stub here."""
REPLICA_PORT_STEP = 20
"""Replica n of a service listens on its port + 20 × (n - 1), clear of the connector stub and
of the next RAPPORT_TEST_PORT_OFFSET (a multiple of 100)."""


WEBHOOK_SECRETS = {
    "RAPPORT_X_CONSUMER_SECRET": "e2e-x-consumer",
    "RAPPORT_META_APP_SECRET": "e2e-meta-app",
    "RAPPORT_META_VERIFY_TOKEN": "e2e-meta-verify",
    "RAPPORT_WEBHOOK_SECRETS": json.dumps({"forum": "e2e-forum"}),
}
"""ingest's webhooks configured as in production, so they answer a bad signature with 401."""


class Reachable(Protocol):
    """Where the services answer and how to call them: this platform of processes, or the
    service images run by `make test-containers` (deploy/containers/platform.py)."""

    def url(self, name: str) -> str: ...

    def token(self, *scopes: str) -> dict[str, str]: ...


class Platform:
    def __init__(
        self,
        kafka: str,
        mongo: str,
        *,
        first_port: int = FIRST_PORT,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.run_id = unique("e2e").replace("-", "_")
        self.kafka = kafka
        self.mongo = mongo
        self.output = REPO / "test-output" / "e2e" / self.run_id
        self.ports = {name: first_port + i for i, name in enumerate(SERVICES)}
        self.settings = settings or {}
        """RAPPORT_* settings every service of this platform gets."""
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.migrated = False

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def db_name(self, name: str) -> str:
        return f"{self.run_id}_{name}"

    def trace_file(self, name: str) -> Path:
        return self.output / f"{name}.traces.jsonl"

    def migrate(self) -> None:
        """Create every service's indexes, once, as `make run` and the Kubernetes Job do:
        services no longer create them, and their unique ones are what dedupes."""
        rapport = Path(sys.executable).with_name("rapport")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
        env |= {"RAPPORT_MONGO_URL": self.mongo, "RAPPORT_ENVIRONMENT": "test"}
        cmd = [str(rapport), "migrate", "--all", "--db-prefix", f"{self.run_id}_"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"rapport migrate failed: {done.stderr}"
        self.migrated = True

    def replica_port(self, name: str, replica: int) -> int:
        return self.ports[name] + REPLICA_PORT_STEP * (replica - 1)

    def replica_url(self, name: str, replica: int) -> str:
        return f"http://127.0.0.1:{self.replica_port(name, replica)}"

    def start(self, name: str, replica: int = 1, **settings: str) -> None:
        """Start ``replica`` of service ``name``; ``settings`` (RAPPORT_*) add to or override
        the platform's."""
        if not self.migrated:
            self.migrate()
        env = (
            {
                "RAPPORT_SERVICE_NAME": name,
                "RAPPORT_ENVIRONMENT": "test",
                "RAPPORT_KAFKA_BOOTSTRAP": self.kafka,
                "RAPPORT_MONGO_URL": self.mongo,
                "RAPPORT_MONGO_DB": self.db_name(name),
                "RAPPORT_AUTH_JWKS": token_keys().auth_jwks,
                "RAPPORT_EXPORT_KEYS": export_keys(),
                "RAPPORT_TRACE_EXPORTER": "file",
                "RAPPORT_TRACE_FILE": str(self.trace_file(replica_name(name, replica))),
                "RAPPORT_PROFILES_URL": self.url("profiles"),
                "RAPPORT_LOYALTY_URL": self.url("loyalty"),
                "RAPPORT_CONNECTOR_ENDPOINTS": json.dumps(
                    {"x": f"http://127.0.0.1:{CONNECTOR_PORT}/replies"}
                ),
                "RAPPORT_X_API_URL": f"http://127.0.0.1:{X_API_PORT}",
                "RAPPORT_AUTO_ASSIGN": "false",  # tests claim cases themselves; it would race them
                # Every e2e test shares this platform: their complaints together must not make a
                # volume spike that sends later tests' cases to PR (viral alerts still fire).
                "RAPPORT_SPIKES": json.dumps({"min_volume": 1_000}),
                **WEBHOOK_SECRETS,
                **environment(UNTHROTTLED),
            }
            | self.settings
            | settings
        )
        process, port = replica_name(name, replica), self.replica_port(name, replica)
        log = self.output / f"{process}.log"
        self.procs[process] = start_service(name, port, env, log)
        ready = f"{self.replica_url(name, replica)}/readyz"
        wait_ready(ready, 90, pid=self.procs[process].pid, log_path=log)

    def stop(self, name: str, replica: int = 1) -> None:
        """Stop ``replica`` of service ``name`` gracefully (it commits and leaves its group)."""
        stop_popen(self.procs.pop(replica_name(name, replica)))

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or committed."""
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            stop_popen(proc)
        self.procs.clear()

    @contextmanager
    def running(self) -> Iterator["Platform"]:
        """Every service started, and stopped again on the way out."""
        self.output.mkdir(parents=True, exist_ok=True)
        try:
            for name in SERVICES:
                self.start(name)
            yield self
        finally:
            self.stop_all()

    def token(self, *scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_keys().token(*scopes, subject='e2e')}"}

    def traces(self, name: str) -> list[dict[str, Any]]:
        """The spans the service has written so far (a line still being written is left for
        the next read)."""
        path = self.trace_file(name)
        if not path.exists():
            return []
        written, _, _ = path.read_text().rpartition("\n")
        return [json.loads(line) for line in written.splitlines() if line.strip()]


def mention(external_id: str, author: str, text: str, **fields: Any) -> dict[str, Any]:
    """A post made now (responder takes posts older than its live window for history)."""
    return {
        "platform": "x",
        "external_id": external_id,
        "author": {"id": author, "handle": f"h_{author}", "followers": 250},
        "text": text,
        "created_at": datetime.now(UTC).isoformat(),
        **fields,
    }


def profile_id(author: str) -> UUID:
    from profiles.ports import profile_id_for

    return profile_id_for(f"x:{author}")


def negative() -> str:
    return f"My Brightloop machine is broken again, worst purchase ever. Ticket {reference()}"


def positive() -> str:
    return f"Love my Brightloop, the espresso is amazing, thanks! Batch {reference()}"


async def caught_up(kafka: str, group: str, topic: str) -> bool:
    """Whether consumer ``group`` has committed everything written to ``topic`` so far."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    reader = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=None)
    await admin.start()
    await reader.start()
    try:
        partitions = await partitions_of(admin, topic)
        assert partitions, f"{topic} has no partitions"
        ends = await reader.end_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
    finally:
        await reader.stop()
        await admin.close()
    return all(
        ends[p] == 0 or (p in committed and committed[p].offset >= ends[p]) for p in partitions
    )


async def start_at_the_end(
    kafka: str, groups: Sequence[str] = SERVICES, only: str | None = None
) -> None:
    """Commit, for each service's consumer group, the end of every topic it consumes (or of
    ``only``): the platform under test starts where the topics end, so what integration tests
    left on the platform's topic names is never processed into its databases, nor makes its
    first tests wait. The groups must have no live member."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient

    from rapport.topics import CATALOGUE

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        for group in groups:
            topics = [topic.name for topic in CATALOGUE.values() if group in topic.consumers]
            topics = [topic for topic in topics if only in (None, topic)]
            partitions = [p for topic in topics for p in await partitions_of(admin, topic)]
            if not partitions:
                continue
            consumer = AIOKafkaConsumer(
                bootstrap_servers=kafka, group_id=group, enable_auto_commit=False
            )
            await consumer.start()
            try:
                consumer.assign(partitions)
                await consumer.commit(await consumer.end_offsets(partitions))
            finally:
                await consumer.stop()
    finally:
        await admin.close()


async def partitions_of(admin: Any, topic: str) -> list[Any]:
    """The partitions of ``topic`` as the broker knows them (a consumer's own metadata only
    covers the topics it subscribed to, so it would answer "none" for the others)."""
    from aiokafka import TopicPartition

    (described,) = await admin.describe_topics([topic])
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


async def group_members(kafka: str, group: str) -> int:
    """How many members consumer ``group`` has once it is stable (0 while it rebalances)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        (response,) = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    (described,) = response.groups
    error_code, _, state, *_ = described
    members = described[5]
    return len(members) if error_code == 0 and state == "Stable" else 0


async def read_to_end(kafka: str, topic: str) -> list[Any]:
    """Every record on ``topic`` now, from the start of each partition (no group)."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        partitions = await partitions_of(admin, topic)
    finally:
        await admin.close()
    reader = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=None)
    await reader.start()
    records: list[Any] = []
    try:
        ends = await reader.end_offsets(partitions)
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        remaining = {p for p in partitions if ends[p]}
        while remaining:
            batches = await reader.getmany(timeout_ms=1000, max_records=5000)
            for tp, batch in batches.items():
                records += [r for r in batch if r.offset < ends[tp]]
            remaining = {p for p in remaining if await reader.position(p) < ends[p]}
    finally:
        await reader.stop()
    return records


def counter(metrics_text: str, name: str, **labels: str) -> float:
    """The sum of counter ``name``'s samples (Prometheus text) whose labels include ``labels``."""
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


class StubPlatform:
    """The social platform's reply API: records what responder's connector delivers
    (``replies``, once per ``Idempotency-Key``, as a platform keeps one post per key), and
    refuses the deliveries a test plans with ``refuse`` (``refused``, never posted)."""

    def __init__(self) -> None:
        self.replies: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []
        self.planned: list[tuple[int, str]] = []
        self.keys: dict[str, str] = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                reply = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key") or str(len(stub.replies))
                if stub.planned:
                    status, reason = stub.planned.pop(0)
                    stub.refused.append(reply)
                    return self.answer(status, {"detail": reason})
                if key not in stub.keys:
                    stub.replies.append(reply)
                    stub.keys[key] = f"sent-{len(stub.replies)}"
                self.answer(200, {"id": stub.keys[key]})

            def answer(self, status: int, answer: dict[str, str]) -> None:
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", CONNECTOR_PORT), Handler)

    def refuse(self, status: int, reason: str) -> None:
        """Answer the next delivery with ``status`` and ``{"detail": reason}``, posting nothing."""
        self.planned.append((status, reason))
