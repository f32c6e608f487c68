"""What the console's browser tests share (their fixtures are in ``conftest``): signing in, the
WCAG contrast check, reaching a control with the keyboard, and a claimed case."""

import httpx
from playwright.async_api import Page

from rapport.testing import eventually, token_keys, unique
from tests.support import REPO, WAIT_S, Platform, mention, negative, profile_id

CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO / "test-output" / "console"
CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const controls = ["BUTTON", "SELECT", "INPUT", "TEXTAREA"];
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || !el.getClientRects().length) continue;
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text && !controls.includes(el.tagName)) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    found.push([`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 24)}"`, ratio]);
  }
  return found;
}"""


def bearer(subject: str, *scopes: str) -> str:
    return token_keys().token(*scopes, subject=subject)


async def sign_in(page: Page, platform: Platform, token: str) -> None:
    await page.goto(platform.url("responder") + "/console/")
    await page.fill("#token", token)
    await page.get_by_role("button", name="Sign in").click()


async def readable(page: Page, view: str) -> None:
    measured = await page.evaluate(CONTRAST)
    assert len(measured) >= 5, view
    assert [(name, round(ratio, 2)) for name, ratio in measured if ratio < 4.5] == [], view


FOCUSED = """([selector, text]) => {
  const el = document.activeElement;
  return !!el && el.matches(selector) && el.textContent.trim() === text;
}"""


async def tab_to(page: Page, selector: str, text: str, limit: int = 200) -> None:
    """Press Tab until the ``selector`` element saying ``text`` has the focus."""
    for _ in range(limit):
        if await page.evaluate(FOCUSED, [selector, text]):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} {text!r} not reached with {limit} tabs")


async def held_case(
    http: httpx.AsyncClient, platform: Platform, agent_id: str, name: str, author: str
) -> str:
    """The case of a new complaint of ``author``, claimed through the API by the agent
    (registered with every skill the routing rules ask for)."""
    responder = platform.url("responder")
    rules = await http.get(f"{responder}/v1/routing-rules", headers=platform.token("agent"))
    skills = sorted({skill for rule in rules.json() for skill in rule["skills"]})
    agent = {"name": name, "skills": skills, "capacity": 10}
    put = await http.put(
        f"{responder}/v1/agents/{agent_id}", json=agent, headers=platform.token("supervisor")
    )
    assert put.status_code == 200, put.text
    body = {"mentions": [mention(unique("c"), author, negative())]}
    posted = await http.post(
        f"{platform.url('ingest')}/v1/mentions", json=body, headers=platform.token("integration")
    )
    assert posted.status_code == 202, posted.text

    async def opened() -> str | None:
        params = {"profile_id": str(profile_id(author))}
        found = await http.get(
            f"{responder}/v1/cases", params=params, headers=platform.token("agent")
        )
        return found.json()[0]["case_id"] if found.status_code == 200 and found.json() else None

    case_id: str = await eventually(opened, timeout_s=WAIT_S)
    claim = await http.post(
        f"{responder}/v1/cases/{case_id}/claim",
        headers={"Authorization": f"Bearer {bearer(agent_id, 'agent')}"},
    )
    assert claim.status_code == 200, claim.text
    return case_id
