"""A real browser for the inspector's tests: Debian's Chromium, driven by Playwright.

Playwright launches the system's Chromium by its path; it never downloads a
browser. One browser serves a whole module; each test gets a fresh context
(cookies, storage), a fresh page and a server reset to its scenario.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from fake_server.testing.handle import FakeServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("FAKE_SERVER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long an expectation waits for the page to catch up (it polls once a
# second, and the machine may be loaded): a bound, not a speed requirement.
EXPECT_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415 -- test extra

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with (
        tempfile.TemporaryDirectory(prefix="fake-server-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        # A persistent context is the only way to give Chromium its own
        # user-data dir; its browser makes the fresh contexts each test uses.
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        browser = context.browser
        assert browser is not None
        try:
            yield browser
        finally:
            context.close()


@pytest.fixture
def page(browser: Browser, server: FakeServer) -> Iterator[Page]:
    """The inspector of ``server`` (reset to the test's scenario) in a fresh context."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    opened.goto(f"{server.url}/__fake__/ui")
    try:
        yield opened
    finally:
        context.close()
