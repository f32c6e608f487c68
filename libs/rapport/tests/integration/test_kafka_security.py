"""Rapport's clients through a broker that only lets in SCRAM-SHA-512 users over TLS (SASL_SSL).

The test makes its own CA and broker certificate with openssl, starts a second local broker
(``local_kafka.start_kafka``) with a SASL_SSL listener and one SCRAM user, and goes through it
with the settings a production deployment would use.
"""

import asyncio
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.errors import KafkaError
from pydantic import SecretStr

from rapport.events import Event, MentionIngested
from rapport.kafka.admin import ensure_topics
from rapport.kafka.connection import client_security
from rapport.kafka.consumer import ConsumerLoop
from rapport.kafka.producer import EventProducer
from rapport.settings import KafkaSaslMechanism, KafkaSecurityProtocol, KafkaSettings
from rapport.testing import eventually, example_mention, unique
from rapport.topics import Topic, dead_letter_topic

REPO = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_kafka import SaslSslListener, start_kafka  # noqa: E402
from local_procs import port_in_use, stop_pid_file, wait_port  # noqa: E402

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("java") is None or shutil.which("openssl") is None,
        reason="the SASL_SSL broker needs java (to run Kafka) and openssl (to make certificates)",
    ),
]
USER, PASSWORD = "rapport-test", "scram-test-password"
OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
SPARE_PORTS = range(19092 + OFFSET + 50, 19092 + OFFSET + 91)


def make_certificates(directory: Path, keystore_password: str) -> tuple[Path, Path]:
    """A CA and a broker certificate for 127.0.0.1 it signed; returns (CA PEM, broker PKCS12)."""

    def openssl(command: str) -> None:
        args = ["openssl", *command.split()]
        subprocess.run(args, cwd=directory, check=True, capture_output=True)

    (directory / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    new_key = "-newkey rsa:2048 -nodes"
    openssl(f"req -x509 {new_key} -days 2 -subj /CN=rapport-test-ca -keyout ca.key -out ca.pem")
    openssl(f"req {new_key} -subj /CN=127.0.0.1 -keyout broker.key -out broker.csr")
    openssl(
        "x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2"
        " -extfile san.cnf -out broker.pem"
    )
    openssl(
        "pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker"
        f" -out broker.p12 -passout pass:{keystore_password}"
    )
    return directory / "ca.pem", directory / "broker.p12"


def free_ports(count: int) -> list[int]:
    ports = [port for port in SPARE_PORTS if not port_in_use(port)][:count]
    if len(ports) < count:
        raise RuntimeError(f"fewer than {count} free ports in {SPARE_PORTS}")
    return ports


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(SASL_SSL bootstrap, CA file) of a broker started for this module only."""
    directory = tmp_path_factory.mktemp("kafka-sasl-ssl")
    ca, keystore = make_certificates(directory, keystore_password="keystore-test-password")
    plaintext, sasl_ssl, controller = free_ports(3)
    listener = SaslSslListener(sasl_ssl, keystore, "keystore-test-password", {USER: PASSWORD})
    log_path, pid_path = directory / "kafka.log", directory / "kafka.pid"
    pid = start_kafka(
        lib_dir=REPO / ".state" / "kafka-lib",
        kafka_dir=directory / "kafka",
        port=plaintext,
        controller_port=controller,
        log_path=log_path,
        pid_path=pid_path,
        sasl_ssl=listener,
    )
    try:
        wait_port(sasl_ssl, 90, what="SASL_SSL broker", pid=pid, log_path=log_path)
        yield f"127.0.0.1:{sasl_ssl}", ca
    finally:
        stop_pid_file(pid_path)


def settings_for(broker: tuple[str, Path], password: str = PASSWORD) -> KafkaSettings:
    bootstrap, ca = broker
    return KafkaSettings(
        kafka_bootstrap=bootstrap,
        kafka_security_protocol=KafkaSecurityProtocol.SASL_SSL,
        kafka_sasl_mechanism=KafkaSaslMechanism.SCRAM_SHA_512,
        kafka_username=USER,
        kafka_password=SecretStr(password),
        kafka_ssl_cafile=ca,
    )


def mention(n: int) -> MentionIngested:
    return example_mention(f"secure-{n}")


async def test_topics_produce_and_consume_over_sasl_ssl(secure_broker: tuple[str, Path]) -> None:
    settings = settings_for(secure_broker)
    security = client_security(settings)
    name, group = unique("secure"), unique("group")
    changes = await ensure_topics(
        settings.kafka_bootstrap,
        [(name, 2, 3_600_000), (dead_letter_topic(name, group), 1, 3_600_000)],
        security=security,
        timeout_s=60,
    )
    assert changes.created == [name, dead_letter_topic(name, group)]

    producer = EventProducer(settings.kafka_bootstrap, security=security)
    await producer.start()
    received: list[Event] = []

    async def handle(event: Event) -> None:
        received.append(event)

    topic = Topic(name, "test", "author", 2, 3_600_000, (MentionIngested,), ("test",), ())
    loop = ConsumerLoop(
        bootstrap=settings.kafka_bootstrap,
        group=group,
        topics=[topic],
        handle=handle,
        producer=producer,
        security=security,
    )
    sent = [mention(n) for n in range(3)]
    try:
        await producer.publish_all([(name, f"author-{n}", event) for n, event in enumerate(sent)])
        task = asyncio.get_running_loop().create_task(loop.run())
        await eventually(lambda: len(received) == len(sent), timeout_s=60)
        loop.stop()
        await task
    finally:
        await producer.stop()
    assert sorted(e.event_id for e in received) == sorted(e.event_id for e in sent)


async def test_a_wrong_password_is_refused(
    secure_broker: tuple[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(secure_broker, password="not-the-password")
    producer = EventProducer(
        settings.kafka_bootstrap, security=client_security(settings), request_timeout_ms=5_000
    )
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()
    # aiokafka reports a refused login as "Unable to bootstrap"; its log says why.
    assert "invalid credentials" in caplog.text
