"""The four services as local processes: their settings, start, repair, readiness, demo data."""

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx
from local_heal import Managed, Probe, repair
from local_mail import SMTP_ENV
from local_platforms import PLATFORM_ENV
from local_procs import (
    StartupError,
    port_in_use,
    running_pid,
    spawn,
    stop_pid_file,
    wait_ready,
)
from local_profile import REPO, SERVICES, Profile, replica_name

DEMO = Path(__file__).resolve().parent / "demo" / "mentions.json"
PER_SERVICE = ("RAPPORT_SERVICE_NAME", "RAPPORT_MONGO_DB", "RAPPORT_TRACE_FILE")
ISSUER_ONLY = ("RAPPORT_AUTH_PRIVATE_KEY",)
"""Never handed to a service: services only verify tokens."""
"""Settings that must differ between the four services: always the stack's."""
STARTUP_S = 90.0


def caller_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's RAPPORT_* settings the services get (not the test harness's RAPPORT_TEST_*,
    not the per-service ones, not the issuer's private key)."""
    environ = os.environ if environ is None else environ
    return {
        key: value
        for key, value in environ.items()
        if key.startswith("RAPPORT_")
        and not key.startswith("RAPPORT_TEST_")
        and key not in PER_SERVICE
        and key not in ISSUER_ONLY
    }


def service_env(
    profile: Profile,
    name: str,
    *,
    auth_jwks: str,
    environ: Mapping[str, str] | None = None,
    replica: int = 1,
    **extra: str,
) -> dict[str, str]:
    """The RAPPORT_* settings of service ``name`` (its ``replica``) in ``profile``.

    The stack's values (its Kafka, MongoDB, service URLs, token public keys) apply where the caller
    (``environ``, default this process's environment) did not set a RAPPORT_* of its own, so
    ``RAPPORT_SENTIMENT_ENGINE=lexicon make run`` takes effect; the per-service ones
    (:data:`PER_SERVICE`) are always the stack's; ``extra`` overrides everything. Replicas
    differ only in their trace file.
    """
    env = {
        "RAPPORT_SERVICE_NAME": name,
        "RAPPORT_ENVIRONMENT": "development" if profile.runs_services else "test",
        "RAPPORT_KAFKA_BOOTSTRAP": profile.kafka_bootstrap,
        "RAPPORT_MONGO_URL": profile.mongo_url,
        "RAPPORT_AUTH_JWKS": auth_jwks,
        "RAPPORT_LOG_LEVEL": "INFO",
        "RAPPORT_TRACE_EXPORTER": "file",
        "RAPPORT_TRACE_FILE": str(profile.logs_dir / f"{replica_name(name, replica)}.traces.jsonl"),
        "RAPPORT_PROFILES_URL": profile.service_url("profiles"),
        "RAPPORT_LOYALTY_URL": profile.service_url("loyalty"),
        "RAPPORT_EXPORT_KEYS": export_keys(profile),
    }
    if profile.runs_services:
        env |= SMTP_ENV | PLATFORM_ENV
    return env | caller_settings(environ) | extra


def start_service(
    name: str, port: int, env: dict[str, str], log_path: Path, pid_path: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``uvicorn --factory <name>.main:create_app`` on 127.0.0.1:``port``.

    The child gets ``env`` on top of this process's environment minus its RAPPORT_* variables.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", f"{name}.main:create_app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    return spawn(cmd, log_path=log_path, pid_path=pid_path, env=inherited | env, cwd=REPO)


def auth_keys(profile: Profile) -> tuple[Path, Path]:
    """The profile's token signing key pair (private key, public JWKS), generated once and kept
    in ``.state/<profile>/auth/``: the local profile is the one place keys are made for you."""
    from rapport.keys import add_key

    private, jwks = (profile.state_dir / "auth" / name for name in ("private.pem", "jwks.json"))
    if not (private.exists() and jwks.exists()):
        jwks.unlink(missing_ok=True)
        add_key(private, jwks)
    return private, jwks


def export_keys(profile: Profile) -> str:
    """The profile's export key (RAPPORT_EXPORT_KEYS), generated once and kept in
    ``.state/<profile>/exports/keys.json``, like the token keys."""
    from rapport.exports.keys import new_key

    path = profile.state_dir / "exports" / "keys.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps({profile.name: new_key()}))
    return path.read_text()


def http_probe(url: str) -> Probe:
    """Liveness by ``GET url``: None on 200, else the status or why there was no answer."""

    def probe() -> str | None:
        try:
            status = httpx.get(url, timeout=2).status_code
        except httpx.HTTPError as error:
            return f"no answer ({type(error).__name__})"
        return None if status == 200 else f"HTTP {status}"

    return probe


def managed_service(profile: Profile, name: str, env: dict[str, str], replica: int = 1) -> Managed:
    """Replica ``replica`` of service ``name``, as :func:`local_heal.repair` manages it."""
    process = replica_name(name, replica)
    port = profile.replica_port(name, replica)

    def start() -> None:
        if port_in_use(port):
            raise StartupError(
                f"port {port} for {process} is taken by a process this profile did not start"
            )
        start_service(name, port, env, profile.log_file(process), profile.pid_file(process))

    return Managed(
        name=process,
        pid_path=profile.pid_file(process),
        live=http_probe(profile.replica_url(name, replica) + "/healthz"),
        start=start,
        startup_s=STARTUP_S,
        settings=env,
    )


def start_services(profile: Profile, jwks: str, replicas: int = 1) -> None:
    """Start the dead replicas of every service, restart the broken ones (only those), reuse
    the rest and stop those beyond ``replicas``; then wait until each is ready."""
    for name in SERVICES:
        for replica in range(1, replicas + 1):
            env = service_env(profile, name, auth_jwks=jwks, replica=replica)
            action = repair(managed_service(profile, name, env, replica))
            url = profile.replica_url(name, replica)
            print(f"{replica_name(name, replica)}: {action} on {url}")
        for extra in (r for r in profile.known_replicas(name) if r > replicas):
            pid = stop_pid_file(profile.pid_file(replica_name(name, extra)))
            if pid is not None:
                print(f"{replica_name(name, extra)}: stopped (pid {pid}; {replicas} wanted)")
    for name in SERVICES:
        for replica in range(1, replicas + 1):
            process = replica_name(name, replica)
            pid = running_pid(profile.pid_file(process))
            url = profile.replica_url(name, replica) + "/readyz"
            wait_ready(url, STARTUP_S, pid=pid or -1, log_path=profile.log_file(process))


DEMO_AGENT = "local-admin"
DEMO_SKILLS = ["support", "ko", "sales", "pr", "community"]


def load_demo(profile: Profile, token: str) -> None:
    import httpx

    body = json.loads(DEMO.read_text())
    response = httpx.post(
        profile.service_url("ingest") + "/v1/mentions",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if response.status_code != 202:
        raise StartupError(
            f"ingest refused the demo data: {response.status_code} {response.text[:300]}"
        )
    answer = response.json()
    counts = f"{answer.get('accepted', '?')} new, {answer.get('duplicates', '?')} already there"
    print(f"demo data: {len(body['mentions'])} mentions posted to ingest ({counts})")
    agent = {"name": "You (local admin)", "skills": DEMO_SKILLS, "capacity": 10}
    response = httpx.put(
        profile.service_url("responder") + f"/v1/agents/{DEMO_AGENT}",
        json=agent,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if response.status_code != 200:
        raise StartupError(f"responder refused the demo agent: {response.status_code}")
    print(f"demo agent: {DEMO_AGENT} (the admin token's subject) may claim cases in the console")


def print_summary(profile: Profile, token: str, replicas: int = 1) -> None:
    rel = profile.state_dir.relative_to(REPO)
    print("\nRapport is running.\n")
    print(f"  {'service':<12} {'API':<24} docs")
    for name in SERVICES:
        for replica in range(1, replicas + 1):
            url = profile.replica_url(name, replica)
            print(f"  {replica_name(name, replica):<12} {url:<24} {url}/docs")
    console = f"{profile.service_url('responder')}/console/ (sign in with a token)"
    logs = f"{rel}/logs/<name>.log" + (" (replica n: <name>-<n>.log)" if replicas > 1 else "")
    print()
    for what, where in (
        ("console", console),
        ("Kafka", profile.kafka_bootstrap),
        ("MongoDB", profile.mongo_url),
        ("logs", logs),
        ("mail", f"{rel}/mail/*.eml (every mail sent, e.g. link requests' one-time codes)"),
    ):
        print(f"  {what:<12} {where}")
    if replicas > 1:
        sharing = "a service's replicas share its consumer groups and outbox lease"
        print(f"  {'replicas':<12} {replicas} of each service ({sharing})")
    print(f"\nAdmin token (every scope, every service, for 1 hour):\n  {token}\n")
    print("Use it with 'Authorization: Bearer <token>', or press Authorize on a /docs page.")
    print("Mint a token with fewer scopes (or a new admin token once this one expires):")
    print(f"  export RAPPORT_AUTH_PRIVATE_KEY={rel}/auth/private.pem")
    print("  .venv/bin/rapport token mint --scopes integration,agent --audience all")
    print("Stop everything: make stop")
