"""Real Chromium through Playwright, against pytest-django's live server."""

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread, which trips Django's async
# safety check on every ORM call the test makes; the calls are synchronous, so that is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Console:
    """What a page reported: console errors, CSP refusals, uncaught errors, failed loads."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(
            f"failed: {request.url}"))
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        text = message.text
        if message.type == "error" or "Content Security Policy" in text or "Refused to" in text:
            self.problems.append(f"console {message.type}: {text}")

    def _on_response(self, response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.problems.append(f"static {response.status}: {response.url}")


@pytest.fixture
def open_page(browser, live_server):
    """open_page(timezone_id, path) -> (page, console); contexts close after the test."""
    contexts = []

    def open_(timezone_id: str, path: str, locale: str = "fr-FR"):
        context = browser.new_context(timezone_id=timezone_id, locale=locale)
        contexts.append(context)
        page = context.new_page()
        console = Console()
        console.watch(page)
        page.goto(path if "://" in path else live_server.url + path)  # another site's page too
        return page, console

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def coach_pages(browser, live_server):
    """coach_pages(coach, path, **context options) -> (page, console), signed in as `coach`
    in a Paris, French context of its own; contexts close after the test."""
    from tests.support.browser import coach_session_cookie

    contexts = []

    def open_(coach, path: str, **options):
        context = browser.new_context(timezone_id="Europe/Paris", locale="fr-FR", **options)
        context.add_cookies([coach_session_cookie(coach, live_server.url)])
        contexts.append(context)
        page = context.new_page()
        console = Console()
        console.watch(page)
        page.goto(live_server.url + path)
        return page, console

    yield open_
    for context in contexts:
        context.close()
