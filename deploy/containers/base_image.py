"""The image every service image starts from (the Dockerfile's BASE_IMAGE).

The pinned official ``python:3.11.14-slim-bookworm`` when it is here or can be pulled;
otherwise (Docker Hub unreachable, as on this project's machines) an equivalent made from
Debian's own packages: ``mmdebstrap`` of bookworm with python3.11 and its venv module, imported
as ``localhost/rapport/python-base:3.11.2-bookworm``. Made once; kept by the container tool.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deploy.containers.tool import Tool

OFFICIAL = "docker.io/library/python:3.11.14-slim-bookworm"
LOCAL = "localhost/rapport/python-base:3.11.2-bookworm"
DEBIAN_PACKAGES = (
    "python3.11=3.11.2-6+deb12u9",
    "python3.11-venv=3.11.2-6+deb12u9",
    "ca-certificates=20250419~deb12u2",
)
"""Pinned: a security update replaces a version on the mirror, and the build then fails naming
the package, rather than quietly installing another Python."""
MIRRORS = (
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
)
SLIM = tuple(f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "locale", "info"))


def base_image(tool: Tool) -> str:
    """The base to build on: the official image if present or pullable, else the local one."""
    for image in (OFFICIAL, LOCAL):
        if tool.has_image(image):
            return image
    if tool("pull", OFFICIAL, check=False).returncode == 0:
        return OFFICIAL
    print(f"{OFFICIAL} cannot be pulled: building {LOCAL} from Debian's packages", flush=True)
    build_local_base(tool)
    return LOCAL


def build_local_base(tool: Tool) -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rapport-base-") as scratch:
        tarball = Path(scratch) / "rootfs.tar"
        include = ",".join(DEBIAN_PACKAGES)
        command = ["mmdebstrap", "--variant=minbase", f"--include={include}", *SLIM]
        command += ["bookworm", str(tarball), *MIRRORS]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"mmdebstrap failed (is a pinned version gone from Debian?):\n{done.stderr}")
        changes = ("--change", "ENV=LANG=C.UTF-8", "--change", 'CMD=["python3.11"]')
        tool("import", *changes, str(tarball), LOCAL)
    print(f"{LOCAL}: built in {time.monotonic() - started:.0f} s", flush=True)
