"""What the production overlay gives each container, as the kubelet would resolve it.

Renders deploy/k8s/overlays/production with kustomize (or kubectl's), then reads every
Deployment's and Job's containers: their image, command, environment (plain values,
configMapKeyRef, secretKeyRef, envFrom), security context, limits and volume mounts. ConfigMaps
come from the rendered output; Secrets, which are never committed, from the ``secrets`` given
({name: {key: value}}): a reference to a Secret or key missing there fails, as the pod would.
"""

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = REPO / "deploy" / "k8s" / "overlays" / "production"

Secrets = dict[str, dict[str, str]]


class Unresolved(LookupError):
    """A container refers to a ConfigMap, Secret or key that does not exist."""


@dataclass
class Container:
    workload: str
    """The Deployment or Job it belongs to."""
    name: str
    image: str
    command: list[str]
    env: dict[str, str]
    spec: dict[str, Any]
    """The container as rendered (securityContext, resources, volumeMounts, ...)."""
    pod: dict[str, Any]
    """Its pod spec (volumes, the pod's securityContext)."""
    volumes: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.volumes = {volume["name"]: volume for volume in self.pod.get("volumes", [])}

    def security(self, key: str) -> Any:
        """A security setting as Kubernetes resolves it: the container's over the pod's."""
        own = (self.spec.get("securityContext") or {}).get(key)
        return own if own is not None else (self.pod.get("securityContext") or {}).get(key)


def render(overlay: Path = PRODUCTION) -> list[dict[str, Any]]:
    if shutil.which("kustomize"):
        command = ["kustomize", "build", str(overlay)]
    elif shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(overlay)]
    else:
        raise RuntimeError("rendering the overlay needs kustomize or kubectl")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def containers(objects: list[dict[str, Any]], secrets: Secrets) -> dict[str, Container]:
    """Every Deployment's and Job's containers, by container name."""
    config = {
        obj["metadata"]["name"]: obj.get("data") or {}
        for obj in objects
        if obj["kind"] == "ConfigMap"
    }
    found = {}
    for obj in objects:
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        pod = obj["spec"]["template"]["spec"]
        for spec in pod["containers"]:
            found[spec["name"]] = Container(
                workload=obj["metadata"]["name"],
                name=spec["name"],
                image=spec["image"],
                command=[*spec.get("command", []), *spec.get("args", [])],
                env=environment(spec, config, secrets),
                spec=spec,
                pod=pod,
            )
    return found


def environment(
    spec: dict[str, Any], config: dict[str, dict[str, str]], secrets: Secrets
) -> dict[str, str]:
    sources = {"configMap": config, "secret": secrets}
    env: dict[str, str] = {}
    for source in spec.get("envFrom", []):
        for kind, maps in sources.items():
            if f"{kind}Ref" in source:
                ref = source[f"{kind}Ref"]
                prefix = source.get("prefix", "")
                found = lookup(maps, ref["name"], None, optional=ref.get("optional", False))
                env |= {prefix + key: value for key, value in (found or {}).items()}
    for var in spec.get("env", []):
        if "value" in var or "valueFrom" not in var:
            env[var["name"]] = str(var.get("value", ""))
            continue
        for kind, maps in sources.items():
            ref = var["valueFrom"].get(f"{kind}KeyRef")
            if ref is not None:
                value = lookup(maps, ref["name"], ref["key"], optional=ref.get("optional", False))
                if value is not None:
                    env[var["name"]] = value
    return env


def lookup(maps: dict[str, Any], name: str, key: str | None, *, optional: bool) -> Any:
    if name not in maps or (key is not None and key not in maps[name]):
        if optional:
            return None
        raise Unresolved(f"{name}{f'/{key}' if key else ''} does not exist")
    return maps[name] if key is None else maps[name][key]
