"""The console's inbox and crisis alerts in a real browser (Playwright, Debian's Chromium).

Posts sent to ingest become cases an agent searches and pages through ("Load more": no case twice,
none missed), Korean included (rendered with a real font in the screenshot); a negative post going
viral raises an alert the agent opens from the alerts view by its author's name, sees its trend
and posts, acknowledges and resolves; every shortcut is listed on "?". Contrast is checked on each
view (WCAG 4.5:1); screenshots go to ``test-output/console/``.
"""

import string
from datetime import UTC, datetime, timedelta
from secrets import choice, token_hex
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from rapport.testing import eventually, unique
from tests.e2e.console_support import SHOTS, bearer, readable, sign_in
from tests.support import WAIT_S, Platform, mention, negative

pytestmark = pytest.mark.e2e
LEAD = "console-lea"
KOREAN = "브라이트루프 커피머신은 어떻게 세척하나요"  # a question: no negative author added
QUESTIONS = 11


def letters() -> str:
    """Words no other post has: ingest flags one text posted by three authors as a flood."""
    return " ".join("".join(choice(string.ascii_lowercase) for _ in range(6)) for _ in range(3))


async def post(http: httpx.AsyncClient, platform: Platform, mentions: list[dict[str, Any]]) -> None:
    body = {"mentions": mentions}
    posted = await http.post(
        f"{platform.url('ingest')}/v1/mentions", json=body, headers=platform.token("integration")
    )
    assert posted.status_code == 202, posted.text


async def cases_found(http: httpx.AsyncClient, platform: Platform, word: str, n: int) -> bool:
    found = await http.get(
        f"{platform.url('responder')}/v1/cases",
        params={"q": word, "limit": 1},
        headers=platform.token("agent"),
    )
    return found.status_code == 200 and found.headers["X-Total-Count"] == str(n)


async def test_an_agent_searches_and_pages_the_inbox_and_handles_a_crisis_alert(
    page: Page, platform: Platform, http: httpx.AsyncClient
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    word = f"zq{token_hex(4)}"
    created = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    questions = [
        mention(
            unique("q"),
            unique("asker").replace("-", ""),
            f"How do I descale it? {word} {letters()}",
        )
        for _ in range(QUESTIONS)
    ]
    korean = mention(unique("k"), unique("kim").replace("-", ""), f"{KOREAN} {word}", language="ko")
    viral_author = unique("loud").replace("-", "")
    viral = mention(
        unique("v"), viral_author, negative(), created_at=created, engagement={"shares": 900}
    )
    await post(http, platform, [*questions, korean, viral])
    await eventually(lambda: cases_found(http, platform, word, QUESTIONS + 1), timeout_s=WAIT_S)

    await sign_in(page, platform, bearer(LEAD, "agent", "supervisor"))
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    await page.select_option("#page-size", "10")
    await page.fill("#search", word)
    await page.press("#search", "Enter")
    status = page.locator("#case-count")
    await expect(status).to_have_text(f"10 of {QUESTIONS + 1} cases matching “{word}” shown")
    first = await page.locator("tr[data-case-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.caseId)"
    )
    await page.get_by_role("button", name="Load more").click()
    await expect(status).to_have_text(
        f"{QUESTIONS + 1} of {QUESTIONS + 1} cases matching “{word}” shown"
    )
    await expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    shown = await page.locator("tr[data-case-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.caseId)"
    )
    assert shown[:10] == first
    assert len(set(shown)) == QUESTIONS + 1

    row = page.locator("tr", has=page.locator(".preview", has_text=KOREAN))
    await expect(row).to_be_visible()
    link = row.get_by_role("link", name="Original post")
    assert (await link.get_attribute("href") or "").startswith("https://x.com/")
    assert "noopener" in (await link.get_attribute("rel") or "")
    await readable(page, "inbox search")
    await page.screenshot(path=SHOTS / "inbox-search-korean.png", full_page=True)

    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("?")
    overlay = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(overlay).to_be_visible()
    for keys in ("?", "/", "j / k", "g then a", "Tab / Shift+Tab", "Enter"):
        await expect(overlay.locator("kbd", has_text=keys).first).to_be_visible()
    await readable(page, "shortcuts")
    await page.screenshot(path=SHOTS / "shortcuts.png")
    await page.keyboard.press("Escape")
    await expect(overlay).to_be_hidden()
    await page.keyboard.press("/")
    await expect(page.locator("#search")).to_be_focused()
    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("j")
    await expect(page.locator("a.case-link").first).to_be_focused()

    await page.keyboard.press("g")
    await page.keyboard.press("a")
    await expect(page.get_by_role("heading", name="Crisis alerts")).to_be_visible()
    title = f"Viral negative post by @h_{viral_author}"
    await page.locator("a.alert-link", has_text=title).click()  # the banner links it too
    await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await expect(page.locator(".thread")).to_contain_text("worst purchase ever")
    await expect(page.locator("svg.chart")).to_be_visible()
    await expect(page.locator("#alert-acknowledged")).to_have_text("not yet")
    await page.get_by_role("button", name="Acknowledge").click()
    await expect(page.locator("#alert-acknowledged")).to_contain_text(LEAD)
    await readable(page, "alert")
    await page.screenshot(path=SHOTS / "alert.png", full_page=True)
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.locator("#alert-status")).to_have_text("cleared")
