"""The benchmark's own platform: the chaos run's Kafka, MongoDB and four services, on ports and
state of their own (``.state/bench``, wiped at every start), with the sentiment engine a phase
chooses. Never the data of `make run`."""

import os
import shutil
import sys

from rapport.testing import token_keys
from tests.chaos.processes import INFRA, REPO, SERVICE_SETTINGS, SERVICES, ChaosPlatform

sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_procs import running_pid, stop_pid_file, wait_ready
from local_profile import Profile
from local_services import service_env, start_service

PORT_OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
# Below Linux's ephemeral range (32768-60999): a listening port in it can be taken first by
# the local end of any outgoing connection, and then a service fails to bind.
PROFILE = Profile(
    "bench",
    23092 + PORT_OFFSET,
    23093 + PORT_OFFSET,
    22017 + PORT_OFFSET,
    22001 + PORT_OFFSET,
    runs_services=True,
)
DOWNSTREAM = ("profiles", "responder", "loyalty")

__all__ = ["DOWNSTREAM", "INFRA", "PROFILE", "SERVICES", "BenchPlatform"]


class BenchPlatform(ChaosPlatform):
    def __init__(self) -> None:
        super().__init__(PROFILE)
        self.engine = "lexicon"

    def start(self, name: str) -> None:
        if name in INFRA:
            super().start(name)
            return
        p = self.profile
        settings = SERVICE_SETTINGS | {"RAPPORT_SENTIMENT_ENGINE": self.engine}
        env = service_env(
            p,
            name,
            auth_jwks=token_keys().auth_jwks,
            environ={},
            **settings,  # type: ignore[arg-type]
        )
        log = p.log_file(name)
        proc = start_service(name, p.service_ports[name], env, log, p.pid_file(name))
        wait_ready(f"{p.service_url(name)}/readyz", 300, pid=proc.pid, log_path=log)

    def stop(self, name: str) -> None:
        stop_pid_file(self.profile.pid_file(name))

    def pids(self) -> dict[str, int]:
        found = {name: running_pid(self.profile.pid_file(name)) for name in (*INFRA, *SERVICES)}
        return {name: pid for name, pid in found.items() if pid is not None}

    async def start_fresh(self) -> None:
        """Wipe ``.state/bench``, start Kafka and MongoDB, create topics and indexes."""
        self.stop_all()
        shutil.rmtree(self.profile.state_dir, ignore_errors=True)
        for name in INFRA:
            self.start(name)
        await self.prepare()
