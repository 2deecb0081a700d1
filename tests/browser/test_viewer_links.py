"""Viewer links in a real Chromium against a real `serve --auth`: the owner makes a link on the presenter page, an
audience's browser opens it, sees whose view it is and runs a numbered event; the owner sees it connected and revokes
it, and the audience's next press says so."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_sessions import signed_in_page
from tests.conftest import LiveServer


@pytest.fixture
def console(tmp_path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "data", args=("--auth",))
    yield server
    server.stop()


def audience_page(browser, console: LiveServer, address: str, **options: object):
    context = browser.new_context(base_url=console.url, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.problems = problems
    page.goto(address)
    return page


def test_the_audience_watches_and_runs_events_until_the_owner_revokes_the_link(browser, console):
    owner_context = browser.new_context(base_url=console.url, viewport={"width": 1280, "height": 900})
    owner_context.set_default_timeout(15_000)
    try:
        owner = signed_in_page(owner_context, console)
        owner.goto("/present/hello_python")
        share = owner.get_by_role("region", name="Share with the audience")
        share.get_by_label("Label").fill("Customer demo")
        screenshot(owner, "presenter-share")
        share.get_by_role("button", name=re.compile("Make a viewer link")).click()
        expect(owner).to_have_url(re.compile(r"/viewers$"))
        address = owner.get_by_label("Viewer link address").input_value()
        assert re.fullmatch(re.escape(console.url) + r"/present/hello_python\?viewer=[\w-]{40,}", address), address
        screenshot(owner, "viewer-link-made")

        audience = audience_page(browser, console, address, viewport={"width": 1280, "height": 900})
        expect(audience).to_have_url(console.url + "/present/hello_python")  # the token left the address
        expect(audience.get_by_test_id("viewer-banner")).to_have_text("Viewing as: Customer demo (read-only)")
        expect(audience.get_by_role("navigation", name="Main")).to_have_count(0)
        expect(audience.get_by_text("Share with the audience")).to_have_count(0)
        audience.keyboard.press("1")
        expect(audience.get_by_test_id("verdict")).to_have_text("It worked")
        expect(audience.get_by_test_id("response-tree")).to_contain_text("Hello Ada Lovelace!")
        screenshot(audience, "viewer-presenter")

        audience.goto("/functions/hello_python")
        expect(audience.get_by_role("heading", name="Not available to viewers")).to_be_visible()
        expect(audience.get_by_test_id("viewer-banner")).to_be_visible()
        screenshot(audience, "viewer-refused")
        audience.get_by_role("link", name="Back to the presenter page").click()
        expect(audience).to_have_url(console.url + "/present/hello_python")

        owner.goto("/viewers")
        row = owner.get_by_role("row", name=re.compile("Customer demo"))
        expect(row).to_contain_text("Active")
        expect(row).to_contain_text("1 browser")
        screenshot(owner, "viewer-links")
        row.get_by_role("button", name="Revoke Customer demo").click()
        expect(owner.get_by_role("row", name=re.compile("Customer demo"))).to_contain_text("Revoked")
        expect(owner.get_by_role("button", name="Revoke Customer demo")).to_have_count(0)

        audience.keyboard.press("1")  # the next press, on the page already open, is refused and says why
        expect(audience.locator("#session-alert")).to_contain_text("was revoked by the console's owner")
        screenshot(audience, "viewer-revoked")
        audience.reload()
        expect(audience.get_by_role("heading", name="Viewer link ended")).to_be_visible()
        audience.goto(address)
        expect(audience.get_by_text("was revoked by the console's owner")).to_be_visible()
        assert not owner.problems and not audience.problems, owner.problems + audience.problems
        audience.context.close()
    finally:
        owner_context.close()


def test_the_viewers_presenter_page_fits_a_phone(browser, console):
    owner_context = browser.new_context(base_url=console.url)
    try:
        owner = signed_in_page(owner_context, console)
        owner.goto("/viewers")
        owner.get_by_label("Label").fill("Phones in the room")
        owner.get_by_label("Opens").select_option(label="Every function's presenter page")
        owner.get_by_label("Expires").select_option(label="In 1 hour")
        owner.get_by_role("button", name="Make viewer link").click()
        address = owner.get_by_label("Viewer link address").input_value()
    finally:
        owner_context.close()
    phone = audience_page(browser, console, address, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        expect(phone.get_by_role("heading", name="Presenter pages")).to_be_visible()
        phone.get_by_role("link", name="raise_error").click()
        expect(phone.get_by_test_id("viewer-banner")).to_contain_text("Phones in the room")
        expect(phone.get_by_role("link", name="All presenter pages")).to_be_visible()
        phone.get_by_role("button", name=re.compile("too-many")).click()
        expect(phone.get_by_test_id("verdict")).to_contain_text("It failed:")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        screenshot(phone, "viewer-presenter-phone")
        assert not phone.problems, phone.problems
    finally:
        phone.context.close()
