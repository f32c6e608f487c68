"""The console in a real browser: Playwright driving Debian's Chromium against the platform.

A negative mention posted to ingest appears in the inbox without a reload; an agent reaches,
opens and claims it with the keyboard only, sends a suggested reply (delivered to a stub
platform over HTTP) and resolves it; the dashboard's handoff numbers move by exactly that
case. Along the way: every text and control has a WCAG contrast ratio of at least 4.5:1 (from
computed styles), and no request leaves responder's origin. Screenshots go to
``test-output/console/``.
"""

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import Page, expect

from rapport.testing import eventually, unique
from tests.e2e.console_support import SHOTS, bearer, held_case, readable, sign_in, tab_to
from tests.support import WAIT_S, Platform, StubPlatform, mention, negative

pytestmark = pytest.mark.e2e
AGENT = "console-ann"


async def handoff_counts(page: Page) -> tuple[int, int]:
    text = await page.locator("#handoff-counts").inner_text()
    found = re.match(r"(\d+) of \d+ cases answered · (\d+) resolved", text)
    assert found, text
    return int(found[1]), int(found[2])


async def open_dashboard(page: Page) -> None:
    await page.goto(page.url.split("#")[0] + "#/dashboard")
    await page.select_option("#range", "24h")
    await expect(page.locator('.grid[data-range="24h"] #handoff-counts')).to_be_visible()


async def test_an_agent_answers_a_new_complaint_from_the_console(
    page: Page, platform: Platform, http: httpx.AsyncClient, stub_platform: StubPlatform
) -> None:
    responder = platform.url("responder")
    skills = {
        s
        for r in (
            await http.get(f"{responder}/v1/routing-rules", headers=platform.token("agent"))
        ).json()
        for s in r["skills"]
    }
    agent = {"name": "Ann", "skills": sorted(skills), "capacity": 10}
    put = await http.put(
        f"{responder}/v1/agents/{AGENT}", json=agent, headers=platform.token("supervisor")
    )
    assert put.status_code == 200, put.text
    SHOTS.mkdir(parents=True, exist_ok=True)

    await sign_in(page, platform, bearer(AGENT, "agent"))
    await open_dashboard(page)
    answered, resolved = await handoff_counts(page)
    await page.get_by_role("link", name="Inbox").click()
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    await page.evaluate("window.sameDocument = true")

    author = unique("fan").replace("-", "")
    created = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    body = {"mentions": [mention(unique("c"), author, negative(), created_at=created)]}
    posted = await http.post(
        f"{platform.url('ingest')}/v1/mentions", json=body, headers=platform.token("integration")
    )
    assert posted.status_code == 202, posted.text
    link = page.get_by_role("link", name=f"@h_{author}")
    await expect(link).to_be_visible(timeout=90_000)
    assert await page.evaluate("window.sameDocument") is True  # appeared without a reload
    await readable(page, "inbox")
    await page.screenshot(path=SHOTS / "inbox.png", full_page=True)

    await page.locator("body").focus()
    await tab_to(page, "a.case-link", f"@h_{author}")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name=f"Case of @h_{author}")).to_be_focused()
    await tab_to(page, "button", "Claim", limit=10)
    await page.keyboard.press("Enter")
    await expect(page.locator("#presence")).to_contain_text("You hold this case.")

    suggestion = page.locator("button.suggestion").first
    await suggestion.click()
    text = await page.locator("#reply-text").input_value()
    assert text.startswith(f"Hi @h_{author}")
    await page.get_by_role("button", name="Send reply").click()
    await eventually(
        lambda: [r for r in stub_platform.replies if r["text"] == text], timeout_s=WAIT_S
    )
    await expect(page.locator(".message.agent:not(.pending)")).to_contain_text(text)
    await expect(page.locator(".profile")).to_contain_text("Stage")
    await expect(page.locator(".profile")).to_contain_text("Loyalty")
    await readable(page, "case")
    await page.screenshot(path=SHOTS / "case.png", full_page=True)

    await page.get_by_role("button", name="Resolve").click()
    await expect(page.locator(".facts").first).to_contain_text("resolved")
    await open_dashboard(page)
    await expect(page.locator("#handoff-counts")).to_contain_text(f"{answered + 1} of")
    assert await handoff_counts(page) == (answered + 1, resolved + 1)
    await expect(page.locator("#first-response-median")).not_to_have_text("—")
    await readable(page, "dashboard")
    await page.screenshot(path=SHOTS / "dashboard.png", full_page=True)


async def test_a_bad_token_is_refused_at_sign_in(page: Page, platform: Platform) -> None:
    await sign_in(page, platform, "rp1.forged.token")
    await expect(page.locator("#sign-in-error")).to_contain_text("Sign-in refused")
    await sign_in(page, platform, bearer("etl", "integration"))
    await expect(page.locator("#sign-in-error")).to_contain_text("agent or supervisor scope")
    await readable(page, "sign-in")


async def test_a_crafted_case_link_calls_no_other_route(
    page: Page, platform: Platform, http: httpx.AsyncClient
) -> None:
    """``#/case/..\\..\\v1\\cases\\<id>\\release?`` once made the console POST to release: the
    case id from the URL went into API paths as it came."""
    responder = platform.url("responder")
    holder = "console-bob"
    case_id = await held_case(http, platform, holder, "Bob", unique("held").replace("-", ""))
    token = bearer(holder, "agent")

    await sign_in(page, platform, token)
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    changes: list[str] = []
    page.on("request", lambda r: changes.append(r.url) if r.method != "GET" else None)
    crafted = f"#/case/..\\..\\v1\\cases\\{case_id}\\release?"
    await page.goto(f"{responder}/console/{crafted}")
    await expect(page.locator("#notice")).to_contain_text("does not name a case")
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    assert changes == []
    held = await http.get(f"{responder}/v1/cases/{case_id}", headers=platform.token("agent"))
    assert held.json()["assignee"] == holder
