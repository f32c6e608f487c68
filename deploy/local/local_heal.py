"""Repairs one local process: reuse it when healthy, start it when dead, restart it when it runs
but is not live (its liveness probe fails or does not answer) or was started with other settings.

Nothing watches the local processes between runs: ``make run`` (``stack.py up``) is the repair,
and it touches only what is broken. In Kubernetes the kubelet restarts a pod on ``/healthz``.
"""

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from local_procs import age_s, running_pid, stop_pid_file

Probe = Callable[[], str | None]
"""One liveness check: None when live, else what is wrong (``HTTP 503``, ``no answer``)."""


@dataclass(frozen=True)
class Managed:
    name: str
    pid_path: Path
    live: Probe
    start: Callable[[], object]
    """Starts the process and writes ``pid_path``."""
    startup_s: float
    """How long a fresh process may take to become live before it counts as broken."""
    settings: Mapping[str, str] | None = None
    """What it is started with; a process started with other settings is restarted."""

    @property
    def settings_path(self) -> Path:
        return self.pid_path.with_suffix(".settings")


def fingerprint(settings: Mapping[str, str]) -> str:
    """A digest of the settings (never the values themselves: they hold secrets)."""
    return hashlib.sha256(json.dumps(sorted(settings.items())).encode()).hexdigest()


def wait_live(proc: Managed, pid: int, *, grace_s: float = 3.0) -> str | None:
    """Probe until live; a young process gets the rest of its start-up time. Returns None when
    live, else the last failure."""
    deadline = time.monotonic() + max(grace_s, proc.startup_s - age_s(pid))
    while True:
        failure = proc.live()
        if failure is None or time.monotonic() > deadline:
            return failure
        time.sleep(0.3)


def diagnose(proc: Managed, pid: int) -> str | None:
    """Why the running ``pid`` of ``proc`` must be restarted, or None to reuse it."""
    if proc.settings is not None:
        try:
            recorded = proc.settings_path.read_text().strip()
        except OSError:
            recorded = ""
        if recorded != fingerprint(proc.settings):
            return "started with other settings"
    failure = wait_live(proc, pid)
    return f"not live: {failure}" if failure else None


def repair(proc: Managed) -> str:
    """Reuse, start or restart ``proc``; returns which (``restarted`` says why)."""
    pid = running_pid(proc.pid_path)
    if pid is not None:
        reason = diagnose(proc, pid)
        if reason is None:
            return "reused"
        stop_pid_file(proc.pid_path)
    _start(proc)
    return "started" if pid is None else f"restarted ({reason})"


def _start(proc: Managed) -> None:
    proc.start()
    if proc.settings is not None:
        proc.settings_path.write_text(fingerprint(proc.settings) + "\n")
