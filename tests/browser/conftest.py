"""Browser tests: Playwright drives Debian's Chromium against a real `lambda-console serve`.

One browser and one server for the session (the tests use functions and events of their own names, so they do not
disturb each other); a fresh browser context per test. Each test fails if the page reported a CSP violation or a
script error. Skipped only when /usr/bin/chromium is missing (CI installs it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: on a loaded CI machine a cold start can take seconds; a passing test never waits this long.
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One console for the whole browser session, over a fresh data folder with the samples."""
    live = LiveServer(tmp_path_factory.mktemp("browser") / "data")
    yield live
    live.stop()


class Problems(list):
    """Console messages that mean the page is broken: CSP violations and script errors."""


@pytest.fixture
def page(browser, server: LiveServer) -> Iterator:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = Problems()
    def on_console(message) -> None:
        # A refusal of bad input (422, 409) is an answer, not a breakage; Chromium logs it as an error all the same.
        refusal = "Failed to load resource" in message.text and re.search(r"status of (409|422)", message.text)
        if ("Content Security Policy" in message.text or message.type == "error") and not refusal:
            problems.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.problems = problems
    yield page
    context.close()
    assert not problems, f"the page reported problems: {problems}"


def screenshot(page, name: str) -> None:
    """Save what the page looks like for a person to check: tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # A sandboxed frame paints in a process of its own, a moment after its content is there.
    page.wait_for_timeout(250)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
