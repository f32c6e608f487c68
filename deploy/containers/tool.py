"""The container tool found on this machine, with the flags it needs here.

``CONTAINER_TOOL=podman|docker`` chooses; otherwise podman when installed, else docker when its
engine answers (a docker client without an engine, as on CI's machines, does not count).
Debian 12's podman works here only with runc (its default, crun, fails to start containers)
and with explicit ulimits; its default network needs netavark, so builds and containers use
the host's network.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass

ULIMITS = ("--ulimit", "nofile=16384:16384", "--ulimit", "nproc=32768:32768")


class NoContainerTool(RuntimeError):
    pass


@dataclass(frozen=True)
class Tool:
    name: str
    command: tuple[str, ...]
    """The tool and its global flags."""
    build_flags: tuple[str, ...]
    run_flags: tuple[str, ...]

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.command, *args], check=check, capture_output=True, text=True)

    def has_image(self, image: str) -> bool:
        return self("image", "inspect", image, check=False).returncode == 0

    def image_size(self, image: str) -> int:
        return int(self("image", "inspect", "--format", "{{.Size}}", image).stdout.strip())


PODMAN = Tool(
    "podman",
    ("podman", "--runtime", "runc"),
    build_flags=("--network", "host", *ULIMITS),
    run_flags=("--network", "host", *ULIMITS),
)
DOCKER = Tool(
    "docker", ("docker",), build_flags=("--network", "host"), run_flags=("--network", "host")
)


def docker_engine_answers() -> bool:
    if not shutil.which("docker"):
        return False
    answer = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    return answer.returncode == 0


def find_tool() -> Tool:
    chosen = os.environ.get("CONTAINER_TOOL", "")
    if chosen not in ("", "podman", "docker"):
        raise NoContainerTool(f"CONTAINER_TOOL={chosen}: podman or docker")
    if chosen != "docker" and shutil.which("podman"):
        return PODMAN
    if chosen != "podman" and docker_engine_answers():
        return DOCKER
    raise NoContainerTool(
        f"no container tool{f' ({chosen})' if chosen else ''}: `make container-tools` installs "
        "podman from Debian, or start a Docker engine"
    )
