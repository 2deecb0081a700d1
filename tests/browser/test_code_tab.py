"""The Code tab in a real browser: one click from the function page to the handler's file, highlighted."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_the_code_tab_shows_the_handlers_file(page) -> None:
    page.goto("/functions/with_dependency")
    page.get_by_role("link", name="Code", exact=True).click()
    expect(page.get_by_role("heading", name="app.py the handler's file")).to_be_visible()
    page.get_by_role("link", name="textkit/__init__.py").click()
    expect(page.get_by_role("heading", name="textkit/__init__.py")).to_be_visible()
    expect(page.locator(".highlight .k").first).to_be_visible()
    screenshot(page, "code-tab")
