"""Real headless Chromium (Debian's package) driven by Playwright, against pytest-django's
live server on a test PostgreSQL database.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct-horse-battery"
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module.

    Playwright's sync API runs an event loop in this thread, which Django's ORM mistakes for
    async code; the tests only use the ORM between browser steps, never concurrently.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (see .ci/run).")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class BrowserProblems(list):
    """Console errors and uncaught exceptions; a CSP violation shows up here too."""

    # The browser logs every 4xx answer; the tests that provoke one check the UI's reaction.
    EXPECTED = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")

    def on_console(self, message) -> None:
        if message.type == "error" and not self.EXPECTED.search(message.text):
            self.append(message.text)


@pytest.fixture
def new_page(browser, live_server):
    """`new_page()`: a fresh browser context (no cookies) at 1280 px on the live server."""
    contexts = []
    problems = BrowserProblems()

    def _new_page() -> Page:
        context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", problems.on_console)
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert problems == [], f"the browser reported errors: {problems}"


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def e2e_reviewer(transactional_db):
    return UserFactory(username="rita-reviewer", roles=["Reviewer"])


@pytest.fixture
def e2e_editor(transactional_db):
    return UserFactory(username="edna-editor", roles=["Editor"], is_staff=True)


def log_in(page: Page, username: str, *, keyboard: bool = False) -> None:
    """Log in through the login page (typing, and Enter to submit when `keyboard`)."""
    page.goto("/login/")
    if keyboard:
        # The username field has autofocus; it lands a moment after load, so wait for it.
        expect(page.get_by_label("Username")).to_be_focused()
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
    else:
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("username")).to_have_text(username)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def open_reader(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("main[data-ready=true]")).to_be_attached()


def drag_select(page: Page, locator, start: int, end: int) -> None:
    """Select UTF-16 units [start, end) of the element's text by dragging the mouse over them."""
    locator.scroll_into_view_if_needed()
    box = locator.evaluate(
        """(node, [start, end]) => {
            // Find the text positions, then the screen boxes of the first and last characters.
            const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
            const points = [];
            let seen = 0;
            for (let t = walker.nextNode(); t; t = walker.nextNode()) {
                for (const want of [start, end - 1]) {
                    if (want >= seen && want < seen + t.length) points.push([t, want - seen]);
                }
                seen += t.length;
            }
            const rect = ([t, i]) => {
                const r = document.createRange();
                const width = /[\\ud800-\\udbff]/.test(t.data[i]) ? 2 : 1;
                r.setStart(t, i);
                r.setEnd(t, i + width);
                return r.getClientRects()[0];
            };
            const first = rect(points[0]);
            const last = rect(points[points.length - 1]);
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
        }""",
        [start, end],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector` (keyboard-only navigation)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector!r}")
