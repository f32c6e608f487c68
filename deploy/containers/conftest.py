"""`make test-containers`: the built images on the test Kafka and MongoDB (see platform.py)."""

import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from deploy.containers.images import REPO, SERVICES, image_name
from deploy.containers.platform import ContainerPlatform
from deploy.containers.production_env import PRODUCTION
from deploy.containers.tool import Tool, find_tool

FIRST_PORT = 18070 + int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
"""Clear of the e2e platform's ports (18001-18004, replicas every 20 from there)."""
OUTPUT = REPO / "test-output" / "containers"
OVERLAY = Path(os.environ.get("CONTAINERS_OVERLAY") or PRODUCTION)
"""The kustomization whose env the containers get (e.g. a candidate fix of the production one)."""


@pytest.fixture(scope="session")
def tool() -> Tool:
    found = find_tool()
    missing = [name for name in SERVICES if not found.has_image(image_name(name))]
    assert not missing, f"no image for {missing}: run `make images` first"
    return found


@pytest.fixture(scope="session")
def platform(tool: Tool, kafka_bootstrap: str, mongo_url: str) -> Iterator[ContainerPlatform]:
    containers = ContainerPlatform(tool, kafka_bootstrap, mongo_url, FIRST_PORT, OUTPUT, OVERLAY)
    with containers.running() as running:
        (OUTPUT / "start.json").write_text(json.dumps(running.started_s, indent=2) + "\n")
        print(f"\nseconds from run to ready: {running.started_s}")
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client
