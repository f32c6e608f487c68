"""Renders deploy/k8s with the pinned kustomize that `make tools` installs (no cluster needed).

Every overlay renders as it is; a component no overlay uses renders on top of the production
overlay in a throwaway kustomization under .state/k8s-render, so it is checked all the same.
"""

import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TOOLS = ROOT / ".state" / "tools"
SCRATCH = ROOT / ".state" / "k8s-render"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
COMPONENTS = sorted(p.name for p in (K8S / "components").iterdir() if p.is_dir())


def _used_by_overlays() -> set[str]:
    used = set()
    for overlay in OVERLAYS:
        kustomization = yaml.safe_load(
            (K8S / "overlays" / overlay / "kustomization.yaml").read_text()
        )
        used |= {Path(ref).name for ref in kustomization.get("components", [])}
    return used


TARGETS = [f"overlays/{name}" for name in OVERLAYS] + [
    f"components/{name}" for name in COMPONENTS if name not in _used_by_overlays()
]
Manifest = dict[str, Any]


def tool(name: str) -> str:
    """A tool `make tools` installed (or KUSTOMIZE / KUBE_SCORE pointing at another build)."""
    path = os.environ.get(name.upper().replace("-", "_")) or str(TOOLS / name)
    if not Path(path).is_file():
        raise AssertionError(f"{path} is missing: run `make tools` (make test does)")
    return path


def _directory(target: str) -> Path:
    if target.startswith("overlays/"):
        return K8S / target
    scratch = SCRATCH / target.removeprefix("components/")
    scratch.mkdir(parents=True, exist_ok=True)
    base = os.path.relpath(K8S / "overlays" / "production", scratch)
    component = os.path.relpath(K8S / target, scratch)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [base],
        "components": [component],
    }
    (scratch / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return scratch


@functools.cache
def rendered_text(target: str) -> str:
    result = subprocess.run(
        [tool("kustomize"), "build", str(_directory(target))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{target} does not render:\n{result.stderr}"
    return result.stdout


def rendered(target: str) -> list[Manifest]:
    return [doc for doc in yaml.load_all(rendered_text(target), Loader=yaml.CSafeLoader) if doc]


def cleanup() -> None:
    shutil.rmtree(SCRATCH, ignore_errors=True)
