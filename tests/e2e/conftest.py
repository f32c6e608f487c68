"""Fixtures of the console's browser tests (``console_browser``), for every test here."""

from tests.e2e.console_browser import browser, page

__all__ = ["browser", "page"]
