"""One case in the console, in a real browser (Debian's Chromium through Playwright): an agent
adds an internal note and a tag, inserts a saved reply (a supervisor's macro, filled in for the
case), sends it as a public reply, sees the platform refuse it with the platform's reason, and
retries it: the stub platform then holds exactly one post of it, and never the note. Every
text and control keeps a WCAG contrast of at least 4.5:1; screenshots go to
``test-output/console/``."""

from uuid import uuid4

import httpx
import pytest
from playwright.async_api import Page, expect

from rapport.testing import unique
from tests.e2e.console_support import SHOTS, bearer, held_case, readable, sign_in
from tests.support import Platform, StubPlatform

pytestmark = pytest.mark.e2e
AGENT = "console-cat"
MACRO = "Hi {{customer.handle}}, {{agent.name}} here. We are on it (ref {{case.id}})."
NOTE = "Called the customer: a replacement is on its way."


async def test_an_agent_notes_tags_inserts_a_macro_and_retries_a_failed_reply(
    page: Page, platform: Platform, http: httpx.AsyncClient, stub_platform: StubPlatform
) -> None:
    responder = platform.url("responder")
    macro = await http.put(
        f"{responder}/v1/macros/{uuid4()}",
        json={"name": f"Apology {unique('m')}", "text": MACRO},
        headers=platform.token("supervisor"),
    )
    assert macro.status_code == 200, macro.text
    author = unique("cus").replace("-", "")
    case_id = await held_case(http, platform, AGENT, "Cat", author)
    stub_platform.refuse(422, "the post being answered is no longer visible")
    SHOTS.mkdir(parents=True, exist_ok=True)

    await sign_in(page, platform, bearer(AGENT, "agent"))
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    await page.goto(f"{responder}/console/#/case/{case_id}")
    await expect(page.get_by_role("heading", name=f"Case of @h_{author}")).to_be_visible()

    await page.fill("#note-text", NOTE)
    await page.get_by_role("button", name="Add internal note").click()
    note = page.locator(".message.internal-note")
    await expect(note).to_contain_text(NOTE)
    await expect(note).to_contain_text("Internal note")

    await page.fill("#tag-input", "Warranty")
    await page.get_by_role("button", name="Add tag").click()
    await expect(page.locator(".tags")).to_contain_text("warranty")
    tagged = await http.get(
        f"{responder}/v1/cases", params={"tag": "warranty"}, headers=platform.token("agent")
    )
    assert case_id in [c["case_id"] for c in tagged.json()]

    await page.select_option("#macro-select", label=macro.json()["name"])
    await page.get_by_role("button", name="Insert saved reply").click()
    text = f"Hi @h_{author}, Cat here. We are on it (ref {case_id[:8]})."
    await expect(page.locator("#reply-text")).to_have_value(text)
    await expect(page.get_by_role("radio", name="Public reply")).to_be_checked()
    await page.get_by_role("radio", name="Direct message").check()
    await expect(page.locator("label[for=reply-text]")).to_contain_text("direct message")
    await page.get_by_role("radio", name="Public reply").check()
    await expect(page.locator("label[for=reply-text]")).to_contain_text("public reply")
    await page.get_by_role("button", name="Send reply").click()

    failed = page.locator(".message.failed")
    await expect(failed).to_contain_text("HTTP 422: the post being answered is no longer visible")
    await expect(failed).to_contain_text("Public reply")
    assert [r["text"] for r in stub_platform.refused] == [text]
    await expect(page.locator(".message.customer")).to_contain_text("Public post")
    await readable(page, "case with a failed reply")
    await page.screenshot(path=SHOTS / "case-failed-reply.png", full_page=True)

    await failed.get_by_role("button", name="Retry").click()
    sent = page.locator(".message.agent:not(.pending)")
    await expect(sent).to_contain_text(text)
    await expect(sent).to_contain_text("Public reply")
    await expect(page.locator(".message.failed")).to_have_count(0)
    assert [r["text"] for r in stub_platform.replies] == [text]
    assert not [r for r in stub_platform.replies + stub_platform.refused if NOTE in r["text"]]
    await readable(page, "case")
    await page.screenshot(path=SHOTS / "case-detail.png", full_page=True)
