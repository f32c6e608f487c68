"""The service images run as the production overlay configures them, on the test Kafka and MongoDB.

Every container of the overlay's Deployments (ingest, ingest-analyser, profiles, responder,
loyalty) and of its migrate Job runs on the host's network with the environment the overlay
renders, patched only for addresses (Kafka, MongoDB, the other Services and the OTLP collector
become 127.0.0.1 ports; each listens on a port of its own) and secrets (made for the run). The
pod's settings come along: its user, read-only root, dropped capabilities, no privilege
escalation, memory and CPU limits, Secret volumes and emptyDir /tmp.
"""

import asyncio
import base64
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from pymongo import MongoClient

from deploy.containers.images import image_name
from deploy.containers.production_env import (
    PRODUCTION,
    Container,
    Secrets,
    containers,
    render,
)
from deploy.containers.tool import Tool
from rapport.testing import export_keys, token_keys
from tests.support import start_at_the_end, wait_ready

READY_S = 180.0
"""How long a container may take to answer /readyz: CI's machine is slow and shared."""
DEPLOYMENTS = ("ingest", "ingest-analyser", "profiles", "responder", "loyalty")
SERVICES = ("ingest", "profiles", "responder", "loyalty")
UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}


def quantity(value: str) -> float:
    """A Kubernetes quantity ("512Mi", "500m", "2") as a plain number."""
    number, unit = re.fullmatch(r"([\d.]+)([A-Za-z]*)", str(value)).groups()  # type: ignore[union-attr]
    return float(number) / 1000 if unit == "m" else float(number) * UNITS.get(unit, 1)


def made_secrets(example: Path, values: dict[str, str]) -> Secrets:
    """The Secrets ``example`` shows (the base's secret.example.yaml), each key holding this
    run's value for it (``values``, by the key's RAPPORT_-less upper-case name: ``mongo-url``
    and ``RAPPORT_MONGO_URL`` are both ``MONGO_URL``), or else the example's own placeholder."""

    def value(key: str, placeholder: str) -> str:
        name = key.upper().replace("-", "_").removeprefix("RAPPORT_")
        return values.get(name, placeholder)

    return {
        doc["metadata"]["name"]: {
            key: value(key, str(placeholder))
            for key, placeholder in (doc.get("stringData") or {}).items()
        }
        for doc in yaml.safe_load_all(example.read_text())
        if doc and doc.get("kind") == "Secret"
    }


class Collector:
    """An OTLP/HTTP endpoint that counts what it receives by path (/v1/traces, ...)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: Counter[str] = Counter()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received[self.path] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ContainerPlatform:
    def __init__(
        self,
        tool: Tool,
        kafka: str,
        mongo: str,
        first_port: int,
        output: Path,
        overlay: Path = PRODUCTION,
    ) -> None:
        self.tool = tool
        self.kafka = kafka
        self.mongo = mongo
        self.output = output
        self.prefix = f"rapport-ct-{first_port}"
        """Container names: the port range is this worktree's, so other runs' names differ."""
        self.ports = {name: first_port + i for i, name in enumerate(DEPLOYMENTS)}
        self.collector = Collector(first_port + len(DEPLOYMENTS))
        self.started_s: dict[str, float] = {}
        """Seconds from `run` to the first 200 of /readyz, by container."""
        self.secrets = made_secrets(
            overlay.parents[1] / "base" / "secret.example.yaml",
            {
                "MONGO_URL": mongo,
                "EXPORT_KEYS": export_keys(),
                "SUPPRESSION_PEPPER": secrets.token_hex(32),
                "ACCOUNT_TOKEN_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
                "SMTP_USERNAME": "",
                "SMTP_PASSWORD": "",
                "JWKS.JSON": Path(token_keys().auth_jwks).read_text(),
            },
        )
        self.containers = containers(render(overlay), self.secrets)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def token(self, *scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_keys().token(*scopes, subject='containers')}"}

    def addresses(self) -> dict[str, str]:
        """Kubernetes Service names (and the collector's) -> where they are here."""
        found = {name: f"127.0.0.1:{self.ports[name]}" for name in SERVICES}
        return found | {"otel-collector": f"127.0.0.1:{self.collector.port}"}

    def env(self, container: Container) -> dict[str, str]:
        local = self.addresses()

        def readdress(match: re.Match[str]) -> str:
            host = match.group(2)
            return f"{match.group(1)}{local[host]}" if host in local else match.group(0)

        env = {
            k: re.sub(r"(https?://)([a-z0-9-]+)(?::\d+)?", readdress, v)
            for k, v in container.env.items()
        }
        if "RAPPORT_KAFKA_BOOTSTRAP" in env:
            env["RAPPORT_KAFKA_BOOTSTRAP"] = self.kafka
        if container.name in self.ports:
            env["UVICORN_PORT"] = str(self.ports[container.name])
        return env

    def run_args(self, container: Container, scratch: Path) -> list[str]:
        """`run` flags for what the pod spec asks of the container."""
        user, group = container.security("runAsUser"), container.security("runAsGroup")
        args = ["--user", f"{user}:{group}" if group is not None else str(user)]
        if (container.spec.get("securityContext") or {}).get("readOnlyRootFilesystem"):
            args.append("--read-only")
        drop = ((container.spec.get("securityContext") or {}).get("capabilities") or {}).get(
            "drop", []
        )
        args += [f"--cap-drop={cap}" for cap in drop]
        if container.security("allowPrivilegeEscalation") is False:
            args += ["--security-opt", "no-new-privileges"]
        limits = (container.spec.get("resources") or {}).get("limits") or {}
        if "memory" in limits:
            args.append(f"--memory={int(quantity(limits['memory']))}b")
        if "cpu" in limits:
            args.append(f"--cpus={quantity(limits['cpu'])}")
        for mount in container.spec.get("volumeMounts", []):
            args += self.volume(container.volumes[mount["name"]], mount, scratch)
        for key, value in self.env(container).items():
            args += ["--env", f"{key}={value}"]
        return args

    def volume(self, volume: dict[str, Any], mount: dict[str, Any], scratch: Path) -> list[str]:
        if "emptyDir" in volume:
            return ["--tmpfs", f"{mount['mountPath']}:rw,mode=1777"]
        if "secret" in volume:
            folder = scratch / volume["secret"]["secretName"]
            folder.mkdir(parents=True, exist_ok=True)
            for key, value in self.secrets[volume["secret"]["secretName"]].items():
                (folder / key).write_text(value)
                (folder / key).chmod(0o644)
            folder.chmod(0o755)
            return ["--volume", f"{folder}:{mount['mountPath']}:ro"]
        raise ValueError(f"volume {volume['name']}: only emptyDir and Secret volumes are run here")

    def image(self, container: Container) -> str:
        """The locally built image of the overlay's registry.example.com/rapport/<name>:<tag>."""
        return image_name(container.image.rsplit("/", 1)[-1].split(":")[0])

    def run(self, container: Container, *, detach: bool) -> str:
        name = f"{self.prefix}-{container.name}"
        self.tool("rm", "-f", name, check=False)
        args = ["run", "--name", name, *self.tool.run_flags, *self.run_args(container, self.output)]
        args += ["--detach"] if detach else []
        done = self.tool(*args, self.image(container), *container.command, check=False)
        (self.output / f"{container.name}.log").write_text(done.stdout + done.stderr)
        assert done.returncode == 0, f"{name} failed:\n{done.stdout}{done.stderr}"
        return name

    def start(self, name: str) -> None:
        started = time.monotonic()
        container = self.run(self.containers[name], detach=True)
        pid = int(self.tool("inspect", "--format", "{{.State.Pid}}", container).stdout)
        log = self.output / f"{name}.log"
        wait_ready(f"{self.url(name)}/readyz", READY_S, pid=pid, log_path=log)
        self.started_s[name] = round(time.monotonic() - started, 1)

    def save_logs(self) -> None:
        for name in DEPLOYMENTS:
            logs = self.tool("logs", f"{self.prefix}-{name}", check=False)
            (self.output / f"{name}.log").write_text(logs.stdout + logs.stderr)

    @contextmanager
    def running(self) -> Iterator["ContainerPlatform"]:
        """The migrate Job's containers run to completion, then every Deployment's container
        is started and ready; all are removed (their logs kept) on the way out."""
        self.output.mkdir(parents=True, exist_ok=True)
        self.collector.start()
        self.drop_databases()
        try:
            asyncio.run(start_at_the_end(self.kafka))
            for container in self.containers.values():
                if container.workload == "rapport-migrate":
                    self.tool("rm", "-f", self.run(container, detach=False))
            for name in DEPLOYMENTS:
                self.start(name)
            yield self
        finally:
            self.save_logs()
            for name in DEPLOYMENTS:
                self.tool("rm", "-f", "--time", "10", f"{self.prefix}-{name}", check=False)
            self.collector.stop()
            self.drop_databases()

    def drop_databases(self) -> None:
        """The services' databases, as the overlay names them (rapport_<service>)."""
        client: MongoClient[dict[str, Any]] = MongoClient(self.mongo)
        try:
            for name in SERVICES:
                client.drop_database(f"rapport_{name}")
        finally:
            client.close()
