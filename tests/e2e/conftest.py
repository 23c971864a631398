"""Browser journeys: headless Debian chromium driven by Playwright against the live server.

Every journey runs on `transactional_world` (committed data, so the live server's thread
sees it) and gets a fresh browser context; the browser itself is shared by the session.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1280, "height": 900}
# The class a navigation link carries on its own pages.
ACTIVE = re.compile(r"(^|\s)active(\s|$)")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"browser journeys need Debian's chromium at {CHROMIUM}"
        if _in_ci():
            pytest.fail(f"{message} (CI=true: not skipping)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


def login(page: Any, live_server: Any, username: str, password: str) -> None:
    """Log in through the form as a person would; waits until the next page has loaded."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="登录天平")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def logged_in(page: Any, live_server: Any, username: str, password: str) -> None:
    """`login`, then check that it worked: off the log-in page, with a 退出 button."""
    from playwright.sync_api import expect

    login(page, live_server, username, password)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def sidenav(page: Any) -> Any:
    """The left navigation (by element: its aria-label is converted too in Traditional)."""
    return page.locator("nav.sidenav")


def pick(box: Any, text: str, choice: str) -> None:
    """Type into a picker's box (a Locator), and take the match labelled `choice` from its list."""
    box.fill("")
    box.press_sequentially(text)
    listbox = box.page.locator("#" + box.get_attribute("aria-controls"))
    listbox.locator(f'[data-pick="{choice}"]').click()
