"""The presenter view in a real browser, driven from the keyboard as in a demo: a number key runs the numbered
event, the outcome reads in plain words, developer detail waits behind Details."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_a_number_key_runs_the_numbered_event(page) -> None:
    page.goto("/present/raise_error")
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_count(0)
    page.keyboard.press("2")  # valid-order
    expect(verdict).to_have_text("It worked")
    expect(page.get_by_role("heading", name="The event that was sent: valid-order")).to_be_visible()
    sha = page.get_by_test_id("details").get_by_text("Code SHA-256")
    expect(sha).to_be_hidden()
    page.get_by_text("Details", exact=True).click()
    expect(sha).to_be_visible()
    screenshot(page, "presenter-it-worked")
    page.keyboard.press("3")  # zero-quantity
    expect(verdict).to_have_text("It failed: quantity must be positive, got 0")
    screenshot(page, "presenter-it-failed")



def test_esc_cancels_the_running_event(page) -> None:
    # A copy of sleep_seconds with room to run: its too-long event sleeps 5 s, well inside a 60-second timeout.
    assert page.request.post("/functions/sleep_seconds/clone", form={"new_name": "demo-slow"},
                             max_redirects=0).status == 303
    assert page.request.post("/functions/demo-slow/configuration", headers={"HX-Request": "true"}, form={
        "handler": "sleep_seconds.handler", "timeout": "60", "memory": "128", "ephemeral_storage": "512",
        "environment": "", "description": ""}).ok
    page.goto("/present/demo-slow")
    page.keyboard.press("2")  # too-long
    expect(page.get_by_role("status")).to_contain_text("Running too-long")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("verdict")).to_have_text("It was cancelled")
