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


def test_the_code_tab_on_a_phone(browser, server) -> None:
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto("/functions/with_dependency/code?path=textkit/__init__.py")
        expect(page.locator(".highlight .k").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways: {width}px"
        screenshot(page, "code-tab-phone")
    finally:
        context.close()
