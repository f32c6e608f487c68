"""A single-node Apache Kafka (KRaft: broker and controller in one JVM) from `make jars`.

Topics are never auto-created (as in production): they come from the catalogue
(``rapport.kafka.admin``). Optionally the broker also listens with SASL_SSL (SCRAM-SHA-512),
which the Kafka security test uses.
"""

import base64
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from local_procs import StartupError, spawn

LOG4J_CONFIG = Path(__file__).resolve().parent / "kafka" / "log4j2.properties"
JAVA_OPTS = ["-Xmx512m", "-Xms256m", "-Djava.awt.headless=true"]


@dataclass(frozen=True)
class SaslSslListener:
    """A SASL_SSL listener with SCRAM-SHA-512; the broker still talks to itself over PLAINTEXT."""

    port: int
    keystore: Path
    """PKCS12 with the broker's private key and certificate chain."""
    keystore_password: str
    users: dict[str, str] = field(default_factory=dict)
    """SCRAM users (name: password) created when the storage is formatted."""

    def properties(self) -> str:
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        return f"""\
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={scram}
ssl.keystore.type=PKCS12
ssl.keystore.location={self.keystore}
ssl.keystore.password={self.keystore_password}
ssl.key.password={self.keystore_password}
"""

    def format_args(self) -> list[str]:
        return [
            arg
            for name, password in self.users.items()
            for arg in ("--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]")
        ]


def server_properties(
    port: int, controller_port: int, data_dir: Path, sasl_ssl: SaslSslListener | None = None
) -> str:
    listeners = f"PLAINTEXT://127.0.0.1:{port}"
    protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    if sasl_ssl is not None:
        listeners += f",SASL_SSL://127.0.0.1:{sasl_ssl.port}"
        protocols += ",SASL_SSL:SASL_SSL"
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners={listeners},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners={listeners}
controller.listener.names=CONTROLLER
listener.security.protocol.map={protocols}
inter.broker.listener.name=PLAINTEXT
log.dirs={data_dir}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
{sasl_ssl.properties() if sasl_ssl else ""}"""


def new_cluster_id() -> str:
    """A random KRaft cluster id. Like Kafka's own ``Uuid.randomUuid``, never one that starts
    with "-": ``kafka-storage format -t -abc…`` would read it as an option and fail."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _java(lib_dir: Path) -> list[str]:
    if not any(lib_dir.glob("kafka_*.jar")):
        raise StartupError(f"no Kafka jars in {lib_dir}; run `make jars`")
    return [
        os.environ.get("JAVA", "java"),
        *JAVA_OPTS,
        f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
        "-cp",
        f"{lib_dir}/*",
    ]


def start_kafka(
    *,
    lib_dir: Path,
    kafka_dir: Path,
    port: int,
    controller_port: int,
    log_path: Path,
    pid_path: Path,
    sasl_ssl: SaslSslListener | None = None,
) -> int:
    """Write the broker's config, format its storage the first time, start it; returns the pid."""
    java = _java(lib_dir)
    data_dir = kafka_dir / "data"
    config = kafka_dir / "server.properties"
    kafka_dir.mkdir(parents=True, exist_ok=True)
    config.write_text(server_properties(port, controller_port, data_dir, sasl_ssl))
    if not (data_dir / "meta.properties").exists():
        cluster_id = new_cluster_id()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        storage = ["kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)]
        with log_path.open("ab") as log:
            formatted = subprocess.run(
                [*java, *storage, *(sasl_ssl.format_args() if sasl_ssl else ())],
                check=False,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=120,
            )
        if formatted.returncode != 0:
            raise StartupError(f"formatting Kafka storage failed; see {log_path}")
    return spawn([*java, "kafka.Kafka", str(config)], log_path=log_path, pid_path=pid_path).pid
