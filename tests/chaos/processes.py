"""The chaos run's own platform: Kafka, MongoDB and the four services on ports of their own,
each started, SIGKILLed and restarted by name through the local runtime's pid files."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_kafka import start_kafka  # noqa: E402
from local_mongo import ensure_primary, start_mongod  # noqa: E402
from local_procs import is_alive, running_pid, stop_pid_file, wait_port, wait_ready  # noqa: E402
from local_profile import SERVICES as SERVICES  # noqa: E402
from local_profile import Profile  # noqa: E402
from local_services import service_env, start_service  # noqa: E402

from rapport.kafka.admin import ensure_topics  # noqa: E402
from rapport.testing import UNTHROTTLED, environment, token_keys  # noqa: E402

INFRA = ("kafka", "mongod")
PROFILE = Profile("chaos", 29092, 29093, 28017, 28001, runs_services=True)
SERVICE_SETTINGS: dict[str, str] = {
    "RAPPORT_SENTIMENT_ENGINE": "lexicon",
    "RAPPORT_AUTO_ASSIGN": "false",
    "RAPPORT_LOG_LEVEL": "WARNING",
    "RAPPORT_TRACE_EXPORTER": "none",
    **environment(UNTHROTTLED),  # the poster (and `make bench`) is one address and one token
}


class ChaosPlatform:
    def __init__(self, profile: Profile = PROFILE) -> None:
        self.profile = profile

    def start(self, name: str) -> None:
        """Start ``name`` (on its existing data) and wait until it serves."""
        p = self.profile
        log, pid_file = p.log_file(name), p.pid_file(name)
        if name == "kafka":
            pid = start_kafka(
                lib_dir=REPO / ".state" / "kafka-lib",
                kafka_dir=p.state_dir / "kafka",
                port=p.kafka_port,
                controller_port=p.controller_port,
                log_path=log,
                pid_path=pid_file,
            )
            wait_port(p.kafka_port, 120, what="kafka", pid=pid, log_path=log)
        elif name == "mongod":
            pid = start_mongod(
                mongo_dir=p.state_dir / "mongo", port=p.mongo_port, log_path=log, pid_path=pid_file
            )
            wait_port(p.mongo_port, 60, what="mongod", pid=pid, log_path=log)
            ensure_primary(p.mongo_port, 60, log_path=log)
        else:
            env = service_env(
                p,
                name,
                auth_jwks=token_keys().auth_jwks,
                environ={},
                **SERVICE_SETTINGS,  # type: ignore[arg-type]  # RAPPORT_* names, never replica
            )
            proc = start_service(name, p.service_ports[name], env, log, pid_file)
            wait_ready(f"{p.service_url(name)}/readyz", 180, pid=proc.pid, log_path=log)

    def kill(self, name: str) -> None:
        """SIGKILL ``name``'s whole process group: nothing is flushed, committed or closed."""
        pid = running_pid(self.profile.pid_file(name))
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while is_alive(pid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} (pid {pid}) survived SIGKILL")
            time.sleep(0.05)

    def pid(self, name: str) -> int | None:
        return running_pid(self.profile.pid_file(name))

    def stop_all(self) -> None:
        for name in (*SERVICES, *INFRA):
            stop_pid_file(self.profile.pid_file(name))

    async def prepare(self) -> None:
        """Create the catalogue's topics and every service's indexes, as a deploy does."""
        await ensure_topics(self.profile.kafka_bootstrap, timeout_s=120)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
        env = inherited | service_env(
            self.profile, "rapport", auth_jwks=token_keys().auth_jwks, environ={}
        )
        rapport = Path(sys.executable).parent / "rapport"
        command = [str(rapport), "migrate", "--all"]
        await asyncio.to_thread(subprocess.run, command, check=True, env=env, cwd=REPO)
