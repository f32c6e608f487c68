"""A single-node Apache Kafka (KRaft: broker and controller in one JVM) from `make jars`."""

import base64
import os
import subprocess
import uuid
from pathlib import Path

from local_procs import StartupError, spawn

LOG4J_CONFIG = Path(__file__).resolve().parent / "kafka" / "log4j2.properties"
JAVA_OPTS = ["-Xmx512m", "-Xms256m", "-Djava.awt.headless=true"]


def server_properties(port: int, controller_port: int, data_dir: Path) -> str:
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs={data_dir}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
"""


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
) -> int:
    """Write the broker's config, format its storage the first time, start it; returns the pid."""
    java = _java(lib_dir)
    data_dir = kafka_dir / "data"
    config = kafka_dir / "server.properties"
    kafka_dir.mkdir(parents=True, exist_ok=True)
    config.write_text(server_properties(port, controller_port, data_dir))
    if not (data_dir / "meta.properties").exists():
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            formatted = subprocess.run(
                [*java, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)],
                check=False,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=120,
            )
        if formatted.returncode != 0:
            raise StartupError(f"formatting Kafka storage failed; see {log_path}")
    return spawn([*java, "kafka.Kafka", str(config)], log_path=log_path, pid_path=pid_path).pid
