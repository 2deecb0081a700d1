"""A handler's HTML page through its function URL, in Chromium: created on the Configuration tab, opened from it, and
a link in it followed (absolute links stay on the function: the URL names it by host, not by path)."""

from __future__ import annotations

import uuid

from tests.browser.conftest import screenshot
from tests.conftest import LiveServer
from tests.http_front.conftest import ROLE, boto3_client
from tests.zips import zip_bytes

SITE = '''
PAGES = {
    "/": "<h1>Home</h1><p><a href='/about?from=home'>About us</a></p>",
    "/about": "<h1>About</h1><p>A page served by a Lambda handler.</p>",
}

def handler(event, context):
    page = PAGES.get(event["rawPath"])
    if page is None:
        return {"statusCode": 404, "headers": {"content-type": "text/html"}, "body": "<h1>Not found</h1>"}
    return {"statusCode": 200, "headers": {"content-type": "text/html; charset=utf-8"},
            "body": "<!doctype html><title>Site</title>" + page}
'''


def test_a_handler_page_opens_through_its_function_url_and_its_link_works(page, server: LiveServer) -> None:
    from playwright.sync_api import expect

    name = f"site-{uuid.uuid4().hex[:8]}"
    lam = boto3_client(server.url)
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="website.handler",
                        Code={"ZipFile": zip_bytes({"website.py": SITE})})
    lam.close()

    page.goto(f"/functions/{name}/configuration")
    section = page.get_by_test_id("function-url")
    section.get_by_role("button", name="Create function URL").click()
    expect(section.get_by_role("link", name="Open")).to_be_visible()
    address = section.get_by_label("Address").input_value()
    assert address.endswith(f".localhost:{server.api_port}/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    section.get_by_role("button", name="Copy").click()
    expect(section.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address
    screenshot(page, "function-url")

    with page.context.expect_page() as opened:
        section.get_by_role("link", name="Open").click()
    site = opened.value
    expect(site.get_by_role("heading", name="Home")).to_be_visible()
    assert site.url == address
    site.get_by_role("link", name="About us").click()
    expect(site.get_by_role("heading", name="About")).to_be_visible()
    assert site.url == address + "about?from=home"
