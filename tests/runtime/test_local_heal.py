"""`make run` repairs the local stack: a broken process (unhealthy, not answering, dead, started
with other settings) is started again, and only it; a live one keeps its pid.

The processes are stand-ins (``standin.py``) on ports set aside for this, managed as
``local_services.managed_service`` manages a service: by pid file and ``/healthz``.
"""

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_heal import Managed, repair  # noqa: E402
from local_procs import is_alive, running_pid, spawn, stop_pid_file, wait_port  # noqa: E402
from local_procs import wait_ready as wait_http  # noqa: E402
from local_services import http_probe  # noqa: E402

pytestmark = pytest.mark.slow  # starts and kills real processes

STANDIN = Path(__file__).with_name("standin.py")
FIRST_PORT = 19092 + int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0")) + 50
"""Kafka's test port + 50..90 is set aside for tests' extra processes."""


@dataclass
class Standin:
    managed: Managed
    url: str

    def ready(self) -> int:
        """Waits (bounded) until it answers /readyz; returns its pid."""
        pid = running_pid(self.managed.pid_path)
        assert pid is not None, f"{self.managed.name} is not running"
        wait_http(self.url + "/readyz", 30, pid=pid)
        return pid


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[Callable[[str], Standin]]:
    made: list[Standin] = []

    def make(name: str) -> Standin:
        port = FIRST_PORT + len(made)
        url = f"http://127.0.0.1:{port}"
        pid_path, log_path = tmp_path / f"{name}.pid", tmp_path / f"{name}.log"

        def start() -> None:
            cmd = [sys.executable, str(STANDIN), str(port)]
            proc = spawn(cmd, log_path=log_path, pid_path=pid_path)
            wait_port(port, 30, what=name, pid=proc.pid, log_path=log_path)

        managed = Managed(
            name=name,
            pid_path=pid_path,
            live=http_probe(url + "/healthz"),
            start=start,
            startup_s=2.0,
            settings={"RAPPORT_SENTIMENT_ENGINE": "lexicon"},
        )
        made.append(Standin(managed, url))
        return made[-1]

    try:
        yield make
    finally:
        for one in made:
            stop_pid_file(one.managed.pid_path, timeout_s=5)


def wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while is_alive(pid):
        assert time.monotonic() < deadline, f"pid {pid} still alive"
        time.sleep(0.05)


def test_a_dead_process_is_started_and_a_live_one_reused(
    standin: Callable[[str], Standin],
) -> None:
    ingest = standin("ingest")

    assert repair(ingest.managed) == "started"
    pid = ingest.ready()

    assert repair(ingest.managed) == "reused"
    assert ingest.ready() == pid


def test_only_the_unhealthy_process_is_restarted_and_it_is_ready_again(
    standin: Callable[[str], Standin],
) -> None:
    ingest, profiles = standin("ingest"), standin("profiles")
    repair(ingest.managed), repair(profiles.managed)
    ingest_pid, profiles_pid = ingest.ready(), profiles.ready()
    httpx.post(profiles.url + "/break", timeout=5).raise_for_status()

    assert repair(ingest.managed) == "reused"
    assert repair(profiles.managed) == "restarted (not live: HTTP 503)"

    assert ingest.ready() == ingest_pid
    assert profiles.ready() != profiles_pid
    assert not is_alive(profiles_pid)


def test_a_process_that_runs_but_does_not_answer_is_restarted(
    standin: Callable[[str], Standin],
) -> None:
    ingest = standin("ingest")
    repair(ingest.managed)
    frozen = ingest.ready()
    os.kill(frozen, signal.SIGSTOP)  # alive, its port open, but it never answers

    assert repair(ingest.managed) == "restarted (not live: no answer (ReadTimeout))"

    assert ingest.ready() != frozen
    assert not is_alive(frozen)


def test_a_killed_process_is_started(standin: Callable[[str], Standin]) -> None:
    ingest = standin("ingest")
    repair(ingest.managed)
    killed = ingest.ready()
    os.kill(killed, signal.SIGKILL)
    wait_gone(killed)

    assert repair(ingest.managed) == "started"
    assert ingest.ready() != killed


def test_a_process_started_with_other_settings_is_restarted(
    standin: Callable[[str], Standin],
) -> None:
    ingest = standin("ingest")
    repair(ingest.managed)
    before = ingest.ready()
    ingest.managed = replace(ingest.managed, settings={"RAPPORT_SENTIMENT_ENGINE": "model"})

    assert repair(ingest.managed) == "restarted (started with other settings)"
    assert ingest.ready() != before
    assert repair(ingest.managed) == "reused"
