"""The two local profiles: which ports each uses and where it keeps its state.

A service may run as several replicas: the first is named after the service (``ingest``, on
the profile's port for it), replica ``n`` is ``ingest-<n>``, on that port + 100 × (n - 1).

RAPPORT_TEST_PORT_OFFSET shifts every port of the test profile, so two checkouts can run their
tests side by side (each keeps its state in its own ``.state/``).
"""

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("ingest", "profiles", "responder", "loyalty")
REPLICA_PORT_STEP = 100
MAX_REPLICAS = 9


def replica_name(service: str, replica: int) -> str:
    """The process name of a service's ``replica`` (1-based): ``ingest``, ``ingest-2``, ..."""
    return service if replica == 1 else f"{service}-{replica}"


@dataclass(frozen=True)
class Profile:
    name: str
    kafka_port: int
    controller_port: int
    mongo_port: int
    first_service_port: int
    runs_services: bool

    @property
    def state_dir(self) -> Path:
        return REPO / ".state" / self.name

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pids_dir(self) -> Path:
        return self.state_dir / "pids"

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/?replicaSet=rapport"

    @property
    def service_ports(self) -> dict[str, int]:
        return {name: self.first_service_port + i for i, name in enumerate(SERVICES)}

    def service_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.service_ports[name]}"

    def replica_port(self, service: str, replica: int) -> int:
        return self.service_ports[service] + REPLICA_PORT_STEP * (replica - 1)

    def replica_url(self, service: str, replica: int) -> str:
        return f"http://127.0.0.1:{self.replica_port(service, replica)}"

    def known_replicas(self, service: str) -> list[int]:
        """Replica 1 of ``service`` and every other one that left a pid file (running or not)."""
        found = {1}
        for path in self.pids_dir.glob(f"{service}-*.pid"):
            suffix = path.stem.removeprefix(f"{service}-")
            if suffix.isdigit():
                found.add(int(suffix))
        return sorted(found)

    def pid_file(self, name: str) -> Path:
        return self.pids_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"


TEST_OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
PROFILES = {
    "run": Profile("run", 9092, 9093, 27017, 8001, runs_services=True),
    "test": Profile(
        "test",
        19092 + TEST_OFFSET,
        19093 + TEST_OFFSET,
        27117 + TEST_OFFSET,
        18001 + TEST_OFFSET,
        runs_services=False,
    ),
}
