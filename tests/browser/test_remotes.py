"""Remotes in a real browser: a second `lambda-console serve` added on the Remotes page, its functions listed beside
the local ones with the remote's badge, Test on the remote and Compare, and Deploy to remote."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import LiveServer
from tests.test_cli_remotes import KEYS
from tests.web.test_remote_pages import ROLE, remote_lambda
from tests.zips import zip_bytes


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """The console the browser uses (its remote clients sign with KEYS from the environment) and its remote."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env = {**clean, **KEYS, "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials")}
    local = LiveServer(tmp_path / "local-data", env=env)
    try:
        remote = LiveServer(tmp_path / "remote-data")
        try:
            yield local, remote
        finally:
            remote.stop()
    finally:
        local.stop()


@pytest.fixture
def remote_page(browser, servers) -> Iterator:
    local, _ = servers
    context = browser.new_context(base_url=local.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        refusal = "Failed to load resource" in message.text and re.search(r"status of (409|422)", message.text)
        if ("Content Security Policy" in message.text or message.type == "error") and not refusal:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    context.close()
    assert not problems, f"the page reported problems: {problems}"


def test_a_remotes_functions_test_and_compare_in_the_browser(remote_page, servers) -> None:
    page = remote_page
    _, remote = servers
    page.goto("/remotes")
    page.get_by_label("Name", exact=True).fill("staging")
    page.get_by_label("A Lambda-compatible endpoint URL").check()
    page.get_by_label("Endpoint URL", exact=True).fill("not a url")
    page.get_by_role("button", name="Add remote").click()
    expect(page.get_by_test_id("remotes-error")).to_contain_text("--endpoint-url not a url: not an http:// or https://")
    page.get_by_label("Endpoint URL", exact=True).fill(remote.url)
    page.get_by_role("button", name="Add remote").click()
    expect(page.get_by_test_id("remotes-message")).to_contain_text(f"Added remote staging: {remote.url}")
    screenshot(page, "remotes-page")

    # The function list: the local functions, then the remote's, each with the remote's badge.
    page.get_by_role("link", name="Functions", exact=True).click()
    section = page.get_by_test_id("remote-staging")
    expect(section.get_by_role("link", name="hello_python")).to_be_visible()
    expect(section.get_by_role("row").filter(has_text="raise_error").locator(".badge-remote")).to_have_text("staging")
    assert page.evaluate("document.activeElement === document.body")  # the list arriving does not take the focus
    screenshot(page, "remote-functions-listed")

    section.get_by_role("link", name="hello_python").click()
    expect(page.get_by_test_id("remote-badge")).to_have_text("staging")
    expect(page.get_by_test_id("remote-settings")).to_contain_text("hello_python.my_handler · python3.11 · 128 MB")
    expect(page.locator("textarea#event_json")).to_contain_text("Lovelace")  # the local function's saved event
    # The same event editor as the local Test tab: line numbers, and Ctrl+Enter runs the Test.
    expect(page.locator(".cm-editor .cm-lineNumbers")).to_be_visible()
    page.locator(".cm-content").fill('{"first_name": "Grace", "last_name": "Hopper"}')
    page.locator(".cm-content").press("Control+Enter")
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_test_id("response")).to_contain_text('"message": "Hello Grace Hopper!"')
    page.goto("/remotes/staging/functions/hello_python?event=ada-lovelace")
    page.get_by_role("button", name="Test", exact=True).click()
    expect(result.get_by_text("Executing function: succeeded")).to_be_visible()
    expect(result.get_by_test_id("response")).to_contain_text('"message": "Hello Ada Lovelace!"')
    expect(result.locator("pre.logs")).to_contain_text("REPORT RequestId:")
    screenshot(page, "remote-test-result")

    page.get_by_role("button", name="Compare").click()
    expect(result.get_by_test_id("compare-verdict")).to_contain_text("Same response")
    expect(result.get_by_test_id("compare-local")).to_contain_text("Hello Ada Lovelace!")
    expect(result.get_by_test_id("compare-remote")).to_contain_text("Hello Ada Lovelace!")

    remote_lambda(remote).update_function_code(FunctionName="hello_python", ZipFile=zip_bytes({
        "hello_python.py": "def my_handler(event, context):\n    return {'message': 'Hi ' + event['first_name']}\n"}))
    page.get_by_role("button", name="Compare").click()
    expect(result.get_by_test_id("compare-verdict")).to_contain_text("Different responses")
    diff = result.get_by_test_id("compare-diff")
    expect(diff.locator(".diff-del")).to_contain_text('"message": "Hello Ada Lovelace!"')
    expect(diff.locator(".diff-add")).to_contain_text('"message": "Hi Ada"')
    screenshot(page, "remote-compare-different")

    # A failing function on the remote: the FunctionError banner.
    page.goto("/remotes/staging/functions/raise_error?event=zero-quantity")
    page.get_by_role("button", name="Test", exact=True).click()
    expect(result.get_by_test_id("failure")).to_have_text("ValueError: quantity must be positive, got 0")


def test_deploy_to_remote_in_the_browser(remote_page, servers) -> None:
    page = remote_page
    _, remote = servers
    page.goto("/remotes")
    page.get_by_label("Name", exact=True).fill("staging")
    page.get_by_label("Endpoint URL", exact=True).fill(remote.url)
    page.get_by_role("button", name="Add remote").click()
    expect(page.get_by_test_id("remotes-message")).to_be_visible()
    remote_lambda(remote).delete_function(FunctionName="return_none")

    page.goto("/functions/return_none")
    page.get_by_role("link", name="Deploy to remote").click()
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_test_id("deploy-outcome")).to_contain_text("a new function needs --role ARN")
    page.get_by_label("Execution role ARN").fill(ROLE)
    page.get_by_label("Publish a version of what is deployed").check()
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_test_id("deploy-outcome")).to_contain_text("Created return_none on staging")
    expect(page.get_by_test_id("deploy-outcome")).to_contain_text("version 1 published")
    expect(page.get_by_test_id("deploy-progress")).to_contain_text("Waiting for State Active...")
    screenshot(page, "remote-deploy")
    page.get_by_role("link", name="Test it on staging").click()
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_test_id("response")).to_have_text("null")
