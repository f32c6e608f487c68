"""The four services as local processes: their settings, start, repair, readiness, demo data."""

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx
from local_heal import Managed, Probe, repair
from local_procs import StartupError, port_in_use, running_pid, spawn, wait_ready
from local_profile import REPO, SERVICES, Profile

DEMO = Path(__file__).resolve().parent / "demo" / "mentions.json"
PER_SERVICE = ("RAPPORT_SERVICE_NAME", "RAPPORT_MONGO_DB", "RAPPORT_TRACE_FILE")
"""Settings that must differ between the four services: always the stack's."""
STARTUP_S = 90.0


def caller_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's RAPPORT_* settings the services get (not the test harness's RAPPORT_TEST_*,
    not the per-service ones)."""
    environ = os.environ if environ is None else environ
    return {
        key: value
        for key, value in environ.items()
        if key.startswith("RAPPORT_")
        and not key.startswith("RAPPORT_TEST_")
        and key not in PER_SERVICE
    }


def service_env(
    profile: Profile,
    name: str,
    *,
    auth_secret: str,
    environ: Mapping[str, str] | None = None,
    **extra: str,
) -> dict[str, str]:
    """The RAPPORT_* settings of service ``name`` in ``profile``.

    The stack's values (its Kafka, MongoDB, service URLs, auth secret) apply where the caller
    (``environ``, default this process's environment) did not set a RAPPORT_* of its own, so
    ``RAPPORT_SENTIMENT_ENGINE=lexicon make run`` takes effect; the per-service ones
    (:data:`PER_SERVICE`) are always the stack's; ``extra`` overrides everything.
    """
    env = {
        "RAPPORT_SERVICE_NAME": name,
        "RAPPORT_ENVIRONMENT": "development" if profile.runs_services else "test",
        "RAPPORT_KAFKA_BOOTSTRAP": profile.kafka_bootstrap,
        "RAPPORT_MONGO_URL": profile.mongo_url,
        "RAPPORT_AUTH_SECRET": auth_secret,
        "RAPPORT_LOG_LEVEL": "INFO",
        "RAPPORT_TRACE_EXPORTER": "file",
        "RAPPORT_TRACE_FILE": str(profile.logs_dir / f"{name}.traces.jsonl"),
        "RAPPORT_PROFILES_URL": profile.service_url("profiles"),
        "RAPPORT_LOYALTY_URL": profile.service_url("loyalty"),
    }
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


def auth_secret(profile: Profile) -> str:
    """The profile's service auth secret, generated once and kept in ``.state/<profile>/``."""
    path = profile.state_dir / "auth_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def http_probe(url: str) -> Probe:
    """Liveness by ``GET url``: None on 200, else the status or why there was no answer."""

    def probe() -> str | None:
        try:
            status = httpx.get(url, timeout=2).status_code
        except httpx.HTTPError as error:
            return f"no answer ({type(error).__name__})"
        return None if status == 200 else f"HTTP {status}"

    return probe


def managed_service(profile: Profile, name: str, env: dict[str, str]) -> Managed:
    port = profile.service_ports[name]

    def start() -> None:
        if port_in_use(port):
            raise StartupError(
                f"port {port} for {name} is taken by a process this profile did not start"
            )
        start_service(name, port, env, profile.log_file(name), profile.pid_file(name))

    return Managed(
        name=name,
        pid_path=profile.pid_file(name),
        live=http_probe(profile.service_url(name) + "/healthz"),
        start=start,
        startup_s=STARTUP_S,
        settings=env,
    )


def start_services(profile: Profile, secret: str) -> None:
    """Start the dead services, restart the broken ones (only those), reuse the rest; then
    wait until each is ready."""
    for name in SERVICES:
        env = service_env(profile, name, auth_secret=secret)
        action = repair(managed_service(profile, name, env))
        print(f"{name}: {action} on {profile.service_url(name)}")
    for name in SERVICES:
        log = profile.log_file(name)
        pid = running_pid(profile.pid_file(name))
        wait_ready(profile.service_url(name) + "/readyz", STARTUP_S, pid=pid or -1, log_path=log)


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


def print_summary(profile: Profile, token: str) -> None:
    rel = profile.state_dir.relative_to(REPO)
    print("\nRapport is running.\n")
    print(f"  {'service':<10} {'API':<24} docs")
    for name in SERVICES:
        url = profile.service_url(name)
        print(f"  {name:<10} {url:<24} {url}/docs")
    print(f"\n  console    {profile.service_url('responder')}/console/ (sign in with a token)")
    print(f"  Kafka      {profile.kafka_bootstrap}")
    print(f"  MongoDB    {profile.mongo_url}")
    print(f"  logs       {rel}/logs/<name>.log")
    print(f"\nAdmin token (every scope):\n  {token}\n")
    print("Use it with 'Authorization: Bearer <token>', or press Authorize on a /docs page.")
    print("Mint a token with fewer scopes:")
    print(f"  export RAPPORT_AUTH_SECRET=$(cat {rel}/auth_secret)")
    print("  .venv/bin/rapport token --scopes integration,agent")
    print("Stop everything: make stop")
