"""A complaint on X answered from the console through X API v2, end to end: the brand's X
account is set through responder's accounts API, the agent claims the case and sends a reply
in the console, and the X stub (``services/responder/tests/integration/stub_platform.py``, the
documented shapes of ``POST /2/tweets``) receives exactly one tweet in reply to the customer's
post; the reply stores the tweet's id and the case's first-response clock is met.

While the account exists, every X reply of the shared platform goes through X API v2, so the
test removes it on the way out (the other tests' replies go to the generic webhook stub)."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from rapport.testing import eventually, unique
from services.responder.tests.integration.stub_platform import StubPlatform as XStub
from services.responder.tests.integration.stub_platform import serving
from tests.e2e.console_support import bearer, held_case, sign_in
from tests.support import WAIT_S, X_API_PORT, Platform

pytestmark = pytest.mark.e2e
BRAND_X_ID, TOKEN = "4242", "e2e-x-user-token"


@pytest.fixture
def x_api() -> Iterator[XStub]:
    stub = XStub(tokens={TOKEN: BRAND_X_ID})
    with serving(stub, X_API_PORT):
        yield stub


async def test_an_agents_console_reply_to_an_x_complaint_is_one_tweet_in_reply_to_it(
    page: Page, platform: Platform, http: httpx.AsyncClient, x_api: XStub
) -> None:
    responder, lead = platform.url("responder"), platform.token("supervisor")
    handle = unique("acme").replace("-", "_")[:30]
    account = {"account_id": BRAND_X_ID, "access_token": TOKEN, "default": True}
    put = await http.put(f"{responder}/v1/accounts/x/{handle}", json=account, headers=lead)
    assert put.status_code == 200, put.text
    try:
        agent, author = "x-dana", unique("xfan").replace("-", "")
        case_id = await held_case(http, platform, agent, "Dana", author)
        found = await http.get(f"{responder}/v1/cases/{case_id}", headers=platform.token("agent"))
        [complaint] = [m for m in found.json()["messages"] if m["kind"] == "customer"]

        await sign_in(page, platform, bearer(agent, "agent"))
        await page.goto(f"{responder}/console/#/case/{case_id}")
        await expect(page.locator("#presence")).to_contain_text("You hold this case.")
        text = f"Sorry about that, @h_{author}: a new machine is on its way."
        await page.locator("#reply-text").fill(text)
        await page.get_by_role("button", name="Send reply").click()
        await eventually(lambda: x_api.posted("tweets"), timeout_s=WAIT_S)

        async def answered() -> dict[str, object] | None:
            got = await http.get(f"{responder}/v1/cases/{case_id}", headers=lead)
            case = got.json()
            sent = [r for r in case["replies"] if r["state"] == "sent"]
            return case if sent and case["clocks"]["first_response"]["met_at"] else None

        case = await eventually(answered, timeout_s=WAIT_S)
    finally:
        gone = await http.delete(f"{responder}/v1/accounts/x/{handle}", headers=lead)
        assert gone.status_code == 204, gone.text

    [tweet] = x_api.posted("tweets")
    assert (tweet.parent, tweet.text, tweet.author) == (complaint["external_id"], text, BRAND_X_ID)
    [reply] = case["replies"]
    assert reply["external_id"] == tweet.id
    assert x_api.calls == ["POST tweets"]
