"""A negative post going viral, posted to ingest, becomes a crisis alert in responder that
reaches the PR queue's Slack webhook (a stub on this machine) exactly once."""

from collections.abc import Iterator

import httpx
import pytest

from rapport.testing import eventually, unique
from services.responder.tests.integration.slack_stub import SlackStub
from services.responder.tests.integration.stub_platform import serving
from tests.support import WAIT_S, Platform, mention, negative

pytestmark = pytest.mark.e2e


@pytest.fixture
def slack() -> Iterator[tuple[SlackStub, str]]:
    stub = SlackStub()
    with serving(stub) as url:
        yield stub, url


async def test_a_viral_complaint_reaches_the_pr_webhook_once(
    http: httpx.AsyncClient, platform: Platform, slack: tuple[SlackStub, str]
) -> None:
    stub, url = slack
    hook = unique("pr")
    responder, lead = platform.url("responder"), platform.token("supervisor")
    route = {"webhooks": [f"{url}/hooks/{hook}"], "sla": False}
    put = await http.put(f"{responder}/v1/queues/pr/notifications", json=route, headers=lead)
    assert put.status_code == 200, put.text
    try:
        viral = mention(unique("m"), unique("viral"), negative(), engagement={"shares": 5000})
        posted = await http.post(
            f"{platform.url('ingest')}/v1/mentions",
            json={"mentions": [viral]},
            headers=platform.token("integration"),
        )
        assert posted.status_code == 202, posted.text
        await eventually(lambda: stub.received.get(hook), timeout_s=WAIT_S)
    finally:
        await http.delete(f"{responder}/v1/queues/pr/notifications", headers=lead)

    [text] = stub.texts(hook)
    assert text.startswith("Crisis alert: viral negative post")
    assert stub.calls == {hook: 1}
