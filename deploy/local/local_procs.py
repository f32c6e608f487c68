"""Start, find and stop the local stack's processes through the pid files they leave behind.

A pid file holds the pid and the process's start time, so a pid the kernel has since given to
some other program is never taken for ours. Each process leads its own session, so stopping it
signals its whole process group. Linux only (it reads /proc), like the mongod it runs.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import httpx


class StartupError(Exception):
    """A process did not start or did not become ready; the message names its log."""


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], fields[19]


def is_alive(pid: int, start: str | None = None) -> bool:
    stat = _proc_stat(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return False
    return start is None or stat[1] == start


def age_s(pid: int) -> float:
    """Seconds since process ``pid`` started (0 if it is gone)."""
    stat = _proc_stat(pid)
    if stat is None:
        return 0.0
    uptime_s = float(Path("/proc/uptime").read_text().split()[0])
    return max(0.0, uptime_s - int(stat[1]) / os.sysconf("SC_CLK_TCK"))


def write_pid(pid_path: Path, pid: int) -> None:
    stat = _proc_stat(pid)
    pid_path.parent.mkdir(parents=True, exist_ok=True)
    pid_path.write_text(json.dumps({"pid": pid, "start": stat[1] if stat else None}) + "\n")


def running_pid(pid_path: Path) -> int | None:
    """The pid recorded in ``pid_path`` if that very process is still running."""
    try:
        record = json.loads(pid_path.read_text())
        pid, start = int(record["pid"]), record.get("start")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if is_alive(pid, start) else None


def spawn(
    cmd: Sequence[str],
    *,
    log_path: Path,
    pid_path: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in its own session with stdout and stderr appended to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    if pid_path is not None:
        write_pid(pid_path, proc.pid)
    return proc


def terminate(pid: int, *, timeout_s: float = 20.0, start: str | None = None) -> None:
    """SIGTERM the process group of ``pid``, wait up to ``timeout_s``, then SIGKILL it."""
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGCONT)  # a stopped process acts on SIGTERM only once resumed
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not is_alive(pid, start):
                return
            time.sleep(0.1)


def stop_pid_file(pid_path: Path, *, timeout_s: float = 20.0) -> int | None:
    """Stop the process recorded in ``pid_path`` (if it is still ours); returns its pid."""
    pid = running_pid(pid_path)
    if pid is not None:
        stat = _proc_stat(pid)
        terminate(pid, timeout_s=timeout_s, start=stat[1] if stat else None)
    pid_path.unlink(missing_ok=True)
    return pid


def stop_popen(proc: subprocess.Popen[bytes], *, timeout_s: float = 20.0) -> int | None:
    """Stop a process started with :func:`spawn` and reap it; returns its exit code."""
    if proc.poll() is None:
        terminate(proc.pid, timeout_s=timeout_s)
    try:
        return proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_port(port: int, timeout_s: float, *, what: str, pid: int, log_path: Path) -> None:
    """Wait until ``port`` accepts connections, failing early if ``pid`` dies."""
    deadline = time.monotonic() + timeout_s
    while not port_in_use(port):
        if not is_alive(pid):
            raise StartupError(f"{what} exited during startup; see {log_path}")
        if time.monotonic() > deadline:
            raise StartupError(
                f"{what} not listening on port {port} after {timeout_s:.0f}s; see {log_path}"
            )
        time.sleep(0.2)


def wait_ready(
    url: str, timeout_s: float = 60.0, *, pid: int | None = None, log_path: Path | None = None
) -> None:
    """Wait until GET ``url`` answers 200 (e.g. a service's /readyz); bounded."""
    where = f"; see {log_path}" if log_path else ""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while True:
        try:
            answer = httpx.get(url, timeout=2)
            if answer.status_code == 200:
                return
            last = f"HTTP {answer.status_code}"
        except httpx.HTTPError as error:
            last = repr(error)
        if pid is not None and not is_alive(pid):
            raise StartupError(f"{url}: the process exited{where}")
        if time.monotonic() > deadline:
            raise StartupError(f"{url} not ready after {timeout_s:.0f}s ({last}){where}")
        time.sleep(0.3)
