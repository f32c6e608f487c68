"""Fixtures of the console's browser tests (see ``console_support``)."""

import os
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.e2e.console_support import CHROMIUM
from tests.support import WAIT_S, Platform


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        args = ["--no-sandbox"] if os.getuid() == 0 else []
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, platform: Platform) -> AsyncIterator[Page]:
    """A page whose every request is checked to stay on responder's origin."""
    context = await browser.new_context(viewport={"width": 1440, "height": 960})
    opened = await context.new_page()
    opened.set_default_timeout(WAIT_S * 1000)
    expect.set_options(timeout=30_000)  # not Playwright's 5 s: CI's machines are slow
    requested: list[str] = []
    opened.on("request", lambda request: requested.append(request.url))
    yield opened
    await context.close()
    origin = platform.url("responder") + "/"
    assert requested
    assert [url for url in requested if not url.startswith((origin, "data:"))] == []
