"""Rapport's local runtime: Kafka, MongoDB and the four services on one machine.

    python deploy/local/stack.py up --profile run|test [--infra-only] [--fresh] [--replicas N]
    python deploy/local/stack.py down --profile run|test [--if-started-by-up]
    python deploy/local/stack.py status --profile run|test

``up`` repairs as much as it starts: a process that runs and is live is reused, a dead one is
started, one that runs but is not live (Kafka/MongoDB not listening, a service's ``/healthz`` not
200 or not answering) or was started with other settings is restarted, and only that one.
Nothing restarts a process between runs: run ``up`` (``make run``) again to repair.

``--replicas N`` runs N processes of every service (see :mod:`local_profile` for their names
and ports); they share the work through their service's Kafka consumer group and outbox lease.
``up`` with fewer replicas than run stops the extra ones; ``down`` stops them all.

Before the services start, ``up`` creates their indexes (``rapport migrate --all``). The services
get the caller's RAPPORT_* settings; the stack's own values apply where the caller set none
(see :func:`local_services.service_env`).

Each profile keeps its state (data, logs, pid files) in ``.state/<profile>/``. Tests import
this module (with ``deploy/local`` on ``sys.path``) for :class:`Profile`, :data:`PROFILES`,
:func:`service_env`, :func:`start_service`, :func:`wait_ready` and :func:`stop_service`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from local_heal import Managed, repair
from local_mail import NAME as MAIL_SINK
from local_mail import managed_mail_sink
from local_platforms import NAME as PLATFORM_STUB
from local_platforms import configure_demo_accounts, managed_platform_stub
from local_procs import StartupError, port_in_use, running_pid, stop_pid_file, wait_port, wait_ready
from local_procs import stop_popen as stop_service
from local_profile import MAX_REPLICAS, PROFILES, REPO, SERVICES, Profile, replica_name
from local_services import (
    DEMO_AGENT,
    auth_keys,
    caller_settings,
    http_probe,
    load_demo,
    print_summary,
    service_env,
    start_service,
    start_services,
)

INFRA = ("kafka", "mongod")
KAFKA_LIB = REPO / ".state" / "kafka-lib"

__all__ = [
    "PROFILES",
    "Profile",
    "StartupError",
    "auth_keys",
    "down",
    "main",
    "service_env",
    "start_service",
    "status",
    "stop_service",
    "up",
    "wait_ready",
]


def _started_record(profile: Profile) -> Path:
    return profile.state_dir / "started-by-up.json"


def _start_infra(profile: Profile, name: str, fresh: bool) -> None:
    from local_kafka import start_kafka
    from local_mongo import start_mongod

    data_dir = profile.state_dir / ("kafka" if name == "kafka" else "mongo")
    if fresh:
        shutil.rmtree(data_dir, ignore_errors=True)
        profile.log_file(name).unlink(missing_ok=True)
    ports = (
        [profile.kafka_port, profile.controller_port] if name == "kafka" else [profile.mongo_port]
    )
    for port in ports:
        if port_in_use(port):
            raise StartupError(
                f"port {port} is taken by a process this profile did not start; "
                f"stop it (`ss -ltnp 'sport = :{port}'` shows which) and retry"
            )
    if name == "kafka":
        start_kafka(
            lib_dir=KAFKA_LIB,
            kafka_dir=data_dir,
            port=profile.kafka_port,
            controller_port=profile.controller_port,
            log_path=profile.log_file(name),
            pid_path=profile.pid_file(name),
        )
    else:
        start_mongod(
            mongo_dir=data_dir,
            port=profile.mongo_port,
            log_path=profile.log_file(name),
            pid_path=profile.pid_file(name),
        )


def _managed_infra(profile: Profile, name: str, fresh: bool) -> Managed:
    port = profile.kafka_port if name == "kafka" else profile.mongo_port

    def listening() -> str | None:
        return None if port_in_use(port) else f"not listening on port {port}"

    return Managed(
        name=name,
        pid_path=profile.pid_file(name),
        live=listening,
        start=lambda: _start_infra(profile, name, fresh),
        startup_s=90 if name == "kafka" else 60,
    )


def migrate(profile: Profile, jwks: str) -> None:
    """Create or rebuild every service's indexes with the settings the services get."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env |= service_env(profile, "migrate", auth_jwks=jwks)
    rapport = Path(sys.executable).with_name("rapport")
    done = subprocess.run(
        [str(rapport), "migrate", "--all"], env=env, capture_output=True, text=True, timeout=300
    )
    print(done.stdout, end="")
    if done.returncode != 0:
        raise StartupError(f"rapport migrate failed:\n{done.stderr.strip()}")


def _wait_infra(profile: Profile) -> None:
    import asyncio

    from aiokafka.errors import KafkaError
    from local_mongo import ensure_primary

    from rapport.kafka.admin import ensure_topics

    for name, port, timeout_s in (
        ("mongod", profile.mongo_port, 60),
        ("kafka", profile.kafka_port, 90),
    ):
        pid = running_pid(profile.pid_file(name))
        if pid is None:
            raise StartupError(f"{name} is not running; see {profile.log_file(name)}")
        wait_port(port, timeout_s, what=name, pid=pid, log_path=profile.log_file(name))
    ensure_primary(profile.mongo_port, 60, log_path=profile.log_file("mongod"))
    try:
        changes = asyncio.run(ensure_topics(profile.kafka_bootstrap, timeout_s=60))
    except (KafkaError, OSError, TimeoutError) as error:
        log = profile.log_file("kafka")
        raise StartupError(f"creating topics failed ({error!r}); see {log}") from error
    print(f"topics ready on {profile.kafka_bootstrap} ({changes.summary()})")


def up(
    profile: Profile, *, infra_only: bool = False, fresh: bool = False, replicas: int = 1
) -> list[str]:
    """Start what of ``profile`` is dead, restart what is broken, reuse the rest; returns the
    names of the infrastructure processes it started (not restarted)."""
    started: list[str] = []
    record = _started_record(profile)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text("[]\n")
    for name in INFRA:
        action = repair(_managed_infra(profile, name, fresh))
        if action == "started":
            started.append(name)
            record.write_text(json.dumps(started) + "\n")
        print(f"{name}: {action}")
    _wait_infra(profile)
    if profile.runs_services and not infra_only:
        from rapport.token_cli import SERVICES as AUDIENCE
        from rapport.token_cli import mint

        passed = caller_settings()
        private, public = auth_keys(profile)
        jwks = passed.get("RAPPORT_AUTH_JWKS") or str(public)
        if passed:
            print(f"your settings, passed to the services: {', '.join(sorted(passed))}")
        migrate(profile, jwks)
        print(f"{MAIL_SINK}: {repair(managed_mail_sink(profile))}")
        print(f"{PLATFORM_STUB}: {repair(managed_platform_stub(profile))}")
        start_services(profile, jwks, replicas)
        key = os.environ.get("RAPPORT_AUTH_PRIVATE_KEY") or str(private)
        token = mint(DEMO_AGENT, ["admin"], list(AUDIENCE), key_path=key)
        load_demo(profile, token)
        configure_demo_accounts(profile, token)
        print_summary(profile, token, replicas)
    return started


def down(profile: Profile, *, only_started_by_up: bool = False) -> None:
    """Stop the profile's processes (every service replica, then Kafka, then MongoDB) by their
    pid files."""
    names = [*_service_replicas(profile), MAIL_SINK, PLATFORM_STUB, *INFRA]
    record = _started_record(profile)
    if only_started_by_up:
        chosen = set(json.loads(record.read_text())) if record.exists() else set()
        names = [name for name in names if name in chosen]
    for name in names:
        pid = stop_pid_file(profile.pid_file(name))
        if pid is not None:
            print(f"{name}: stopped (pid {pid})")
    record.unlink(missing_ok=True)


def _service_replicas(profile: Profile) -> dict[str, str]:
    """Every service process of ``profile`` (see :meth:`Profile.known_replicas`): its URL."""
    return {
        replica_name(name, replica): profile.replica_url(name, replica)
        for name in SERVICES
        for replica in profile.known_replicas(name)
    }


def status(profile: Profile) -> int:
    """Print what of ``profile`` runs; returns how many of its processes are running."""
    running = 0
    addresses = {"kafka": profile.kafka_bootstrap, "mongod": profile.mongo_url}
    addresses |= _service_replicas(profile)
    names = [*INFRA, *_service_replicas(profile)] if profile.runs_services else list(INFRA)
    for name in names:
        pid = running_pid(profile.pid_file(name))
        running += pid is not None
        state = f"running (pid {pid})" if pid else "stopped"
        if pid and name not in INFRA:
            failure = http_probe(addresses[name] + "/healthz")()
            state += f", not live ({failure}): `up` restarts it" if failure else ""
        print(f"{name:<12} {state:<22} {addresses[name]}")
    return running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stack.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for command in ("up", "down", "status"):
        sub = commands.add_parser(command)
        sub.add_argument("--profile", choices=sorted(PROFILES), required=True)
    commands.choices["up"].add_argument(
        "--infra-only", action="store_true", help="Kafka and MongoDB only"
    )
    commands.choices["up"].add_argument(
        "--fresh", action="store_true", help="wipe the data of whatever has to be started"
    )
    commands.choices["up"].add_argument(
        "--replicas",
        type=int,
        choices=range(1, MAX_REPLICAS + 1),
        default=1,
        metavar=f"1..{MAX_REPLICAS}",
        help="processes of every service (default 1)",
    )
    commands.choices["down"].add_argument(
        "--if-started-by-up", action="store_true", help="stop only what the last `up` started"
    )
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile]
    try:
        if args.command == "up":
            up(profile, infra_only=args.infra_only, fresh=args.fresh, replicas=args.replicas)
        elif args.command == "down":
            down(profile, only_started_by_up=args.if_started_by_up)
        else:
            status(profile)
    except StartupError as error:
        print(f"stack.py {args.command} --profile {profile.name}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
