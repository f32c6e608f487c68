"""The two local profiles: which ports each uses and where it keeps its state.

RAPPORT_TEST_PORT_OFFSET shifts every port of the test profile, so two checkouts can run their
tests side by side (each keeps its state in its own ``.state/``).
"""

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("ingest", "profiles", "responder", "loyalty")


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
