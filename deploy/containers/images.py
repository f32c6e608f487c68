"""Build the four service images, rapport/<service>:<IMAGE_TAG> (default dev): `make images`.

BASE_IMAGE, when set, is used as it is; otherwise see deploy/containers/base_image.py. Each
build's log goes to test-output/containers/build-<service>.log; the build times and sizes are
printed and written to test-output/containers/images.json.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from deploy.containers.base_image import base_image
from deploy.containers.tool import Tool, find_tool

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "containers"
SERVICES = ("ingest", "profiles", "responder", "loyalty")
DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"
HOST_CA = Path(os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt")
"""The CA bundle the build reaches PyPI with (the Dockerfile's secret "ca"): this machine's,
which trusts the proxy this project's machines reach PyPI through."""


def image_name(service: str) -> str:
    return f"rapport/{service}:{os.environ.get('IMAGE_TAG', 'dev')}"


def build(tool: Tool, service: str, base: str) -> float:
    """Build one service's image; the seconds it took."""
    log = OUTPUT / f"build-{service}.log"
    command = [*tool.command, "build", *tool.build_flags, "-f", str(DOCKERFILE)]
    command += ["--build-arg", f"BASE_IMAGE={base}", "--build-arg", f"SERVICE={service}"]
    if HOST_CA.is_file():
        command += ["--secret", f"id=ca,src={HOST_CA}"]
    command += ["-t", image_name(service), str(REPO)]
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = "".join(log.read_text().splitlines(keepends=True)[-30:])
        sys.exit(f"{image_name(service)}: build failed (exit {done.returncode}); {log}:\n{tail}")
    return time.monotonic() - started


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    tool = find_tool()
    base = os.environ.get("BASE_IMAGE") or base_image(tool)
    print(f"building with {tool.name} on {base}", flush=True)
    built = {}
    for service in SERVICES:
        seconds = build(tool, service, base)
        size = tool.image_size(image_name(service))
        built[service] = {"image": image_name(service), "build_s": round(seconds, 1), "bytes": size}
        print(f"{image_name(service):<24} {seconds:6.1f} s  {size / 1e6:6.0f} MB", flush=True)
    report = {"tool": tool.name, "base": base, "base_bytes": tool.image_size(base), **built}
    (OUTPUT / "images.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
