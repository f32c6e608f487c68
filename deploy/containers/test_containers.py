"""The images, run as the production overlay configures them, carry a mention end to end.

A negative mention posted to the ingest container becomes a case in responder's, a positive one
points in loyalty's, and the console's customer view (responder calling profiles and loyalty)
answers 200; the production overlay's telemetry reaches its collector. The images themselves:
non-root, no pip or compiler at run time, and one dependency layer shared by all four.
"""

import json

import httpx
import pytest

from deploy.containers.images import SERVICES, image_name
from deploy.containers.platform import ContainerPlatform
from deploy.containers.tool import Tool
from rapport.testing import eventually, unique
from tests.e2e.test_mention_flow import (
    member,
    post,
    test_a_negative_mention_becomes_a_case,
    test_a_positive_mention_becomes_points,
)
from tests.support import WAIT_S, mention, positive, profile_id

pytestmark = pytest.mark.containers
__all__ = ["test_a_negative_mention_becomes_a_case", "test_a_positive_mention_becomes_points"]
"""The e2e tests of the mention flow, run here against the containers (this `platform`)."""


async def test_the_console_shows_the_customer(
    http: httpx.AsyncClient, platform: ContainerPlatform
) -> None:
    author = unique("ct-console")
    await post(http, platform, mention(unique("m"), author, positive()))
    await eventually(lambda: member(http, platform, author), timeout_s=WAIT_S)
    customer = f"{platform.url('responder')}/v1/customers/{profile_id(author)}"
    agent = platform.token("agent")

    profile = await http.get(customer, headers=agent)
    assert profile.status_code == 200, profile.text
    assert profile.json()["profile_id"] == str(profile_id(author))
    assert profile.json()["mention_count"] == 1
    membership = await http.get(f"{customer}/membership", headers=agent)
    assert membership.status_code == 200, membership.text
    assert membership.json()["balance"] == 10


async def test_traces_reach_the_production_collector(platform: ContainerPlatform) -> None:
    async def exported() -> bool:
        return platform.collector.received["/v1/traces"] > 0

    await eventually(exported, timeout_s=WAIT_S)


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_runs_as_10001_without_pip_or_build_tools(tool: Tool, service: str) -> None:
    probe = (
        "import importlib.util as u, os, shutil; "
        "print(os.getuid(), os.getgid(), "
        "[t for t in ('pip', 'pip3', 'gcc', 'cc', 'make') if shutil.which(t)], "
        "[m for m in ('pip', 'setuptools', 'wheel') if u.find_spec(m)])"
    )
    command = ("run", "--rm", *tool.run_flags, "--entrypoint", "python3.11", image_name(service))
    answer = tool(*command, "-c", probe).stdout.strip()
    assert answer == "10001 10001 [] []"


def layers(tool: Tool, service: str) -> list[str]:
    found = tool("image", "inspect", "--format", "{{json .RootFS.Layers}}", image_name(service))
    return [str(layer) for layer in json.loads(found.stdout)]


def test_the_four_images_share_every_layer_but_their_code(tool: Tool) -> None:
    """The base, the user and the dependencies are the same layers in all four images; each
    image's own is one layer: the service's code with libs/rapport."""
    stacks = {service: layers(tool, service) for service in SERVICES}
    for service, stack in stacks.items():
        others = {layer for name, other in stacks.items() if name != service for layer in other}
        own = [layer for layer in stack if layer not in others]
        assert len(own) == 1, f"{service}: {len(own)} layers of its own"
        assert len(stack) >= 3, "base, dependencies and code"
