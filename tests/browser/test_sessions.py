"""Sessions are only the console's, in a real browser against a real `serve --auth`: another local web server that
the browser visits receives the console's cookie (cookies are not port-scoped), and replaying it gets nothing done;
Log out and an idle session end it for good."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
import urllib3
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import HANDLERS, LiveServer, zip_contents

WRITE_KEY = "lambda-console-write-key"


class AnotherLocalApp:
    """Any other web app on this machine, on a port of its own: it keeps the Cookie header of every visit."""

    def __init__(self) -> None:
        self.cookies: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's name for the GET handler
                owner.cookies.append(self.headers.get("Cookie", ""))
                body = b"<!doctype html><title>Another app</title><h1>Another local app</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def console(tmp_path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "data", args=("--auth",))
    yield server
    server.stop()


@pytest.fixture
def other_app() -> Iterator[AnotherLocalApp]:
    app = AnotherLocalApp()
    yield app
    app.close()


@pytest.fixture
def context(browser, console: LiveServer) -> Iterator:
    context = browser.new_context(base_url=console.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def signed_in_page(context, console: LiveServer):
    """A tab that opened the URL `serve` printed, and landed on the console without the token in its address."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.problems = problems
    page.goto(f"/?token={console.token}")
    expect(page).to_have_url(console.url + "/")
    expect(page.get_by_role("heading", name=re.compile("Functions"))).to_be_visible()
    return page


def steal_cookie(page, other_app: AnotherLocalApp, console: LiveServer) -> str:
    """The user opens the other app in the same browser: it receives the console's session cookie."""
    page.goto(other_app.url)
    expect(page.get_by_role("heading", name="Another local app")).to_be_visible()
    port = console.url.rsplit(":", 1)[1]
    stolen = other_app.cookies[-1]
    assert f"lambda_console_session_{port}=" in stolen, stolen
    # The other app's pages cannot read what the console's page keeps: storage belongs to an origin, port included.
    assert page.evaluate(f"localStorage.getItem('{WRITE_KEY}')") is None
    return stolen


def replay(console: LiveServer, method: str, path: str, cookie: str, **kwargs: object) -> urllib3.BaseHTTPResponse:
    """What the other app can do with what it received: plain HTTP requests carrying the cookie (as curl would)."""
    headers = {"Cookie": cookie, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return urllib3.request(method, console.url + path, headers=headers, redirect=False, retries=False,
                           timeout=30, **kwargs)  # type: ignore[arg-type]


def function_names(console: LiveServer) -> list[str]:
    client = boto3.client("lambda", endpoint_url=console.url, region_name="us-east-1",
                          aws_access_key_id=console.access_key_id, aws_secret_access_key=console.secret_access_key)
    return [f["FunctionName"] for f in client.list_functions()["Functions"]]


def run_test(page, event: dict) -> object:
    page.get_by_label("Event JSON").fill(json.dumps(event))
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text(re.compile(r"Executing function: (succeeded|failed)"))).to_be_visible()
    return result


def test_cookie_stolen_by_another_local_port_cannot_create_or_run_a_function(context, console, other_app, tmp_path):
    page = signed_in_page(context, console)
    key = page.evaluate(f"localStorage.getItem('{WRITE_KEY}')")
    assert key
    stolen = steal_cookie(page, other_app, console)
    package = zip_contents(HANDLERS / "hello_python", tmp_path / "hello_python.zip")

    # Create a function, as the console's own form would, with every header a browser would send.
    created = replay(console, "POST", "/functions/new", stolen, headers={"Origin": console.url},
                     fields={"name": "stolen-function", "handler": "hello_python.my_handler",
                             "package_file": ("hello_python.zip", package.read_bytes(), "application/zip")})
    assert created.status == 403
    assert b"a session cookie alone changes nothing" in created.data
    # Run one, as htmx would.
    ran = replay(console, "POST", "/functions/hello_python/test", stolen,
                 headers={"Origin": console.url, "HX-Request": "true"}, fields={"event_json": "{}"})
    assert ran.status == 403
    assert b"changes nothing" in ran.data
    # The pages a cookie can read never hold the write key, so there is nothing to scrape for a second try.
    for path in ("/", "/functions/new", "/functions/hello_python", "/functions/hello_python.json"):
        read = replay(console, "GET", path, stolen)
        assert read.status == 200 and key.encode() not in read.data, path
    assert "stolen-function" not in function_names(console)

    # Meanwhile the page that signed in works: it runs a test (htmx) and creates a function (a form).
    page.goto("/functions/hello_python")
    result = run_test(page, {"first_name": "Ada", "last_name": "Lovelace"})
    expect(result.get_by_text("Hello Ada Lovelace!")).to_be_visible()
    page.goto("/functions/new")
    page.get_by_label("Package (.zip)").set_input_files(package)
    expect(page.get_by_label("Handler")).to_have_value("hello_python.my_handler")
    page.get_by_label("Function name").fill("made-by-the-signed-in-page")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/made-by-the-signed-in-page$"))
    assert "made-by-the-signed-in-page" in function_names(console)
    assert not page.problems, page.problems


def test_log_out_ends_the_session_for_the_browser_and_for_a_stolen_cookie(browser, context, console, other_app):
    page = signed_in_page(context, console)
    screenshot(page, "signed-in")
    phone = browser.new_context(base_url=console.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        small = signed_in_page(phone, console)
        log_out = small.get_by_role("button", name="Log out")
        expect(log_out).to_be_in_viewport()
        assert small.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        screenshot(small, "signed-in-phone")
    finally:
        phone.close()
    stolen = steal_cookie(page, other_app, console)
    page.goto("/packages")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()
    screenshot(page, "logged-out")
    assert page.evaluate(f"localStorage.getItem('{WRITE_KEY}')") is None  # the page forgot its write key
    # The browser no longer gets in, and the cookie the other app kept no longer works on the server either.
    page.goto("/packages")
    expect(page.get_by_text("needs its access token")).to_be_visible()
    replayed = replay(console, "GET", "/", stolen)
    assert replayed.status == 401
    assert b"Your session has ended" in replayed.data


@pytest.fixture
def short_sessions(tmp_path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "data", args=("--auth",), env={"LAMBDA_CONSOLE_SESSION_IDLE_TIMEOUT": "2"})
    yield server
    server.stop()


def test_an_idle_session_ends_and_the_page_says_how_to_sign_in_again(browser, short_sessions):
    context = browser.new_context(base_url=short_sessions.url)
    try:
        page = signed_in_page(context, short_sessions)
        page.goto("/functions/hello_python")
        page.wait_for_timeout(2500)  # idle for longer than the session's idle time
        page.get_by_role("button", name="Test", exact=True).click()
        alert = page.locator("#session-alert")
        expect(alert).to_contain_text("Your session has ended")
        expect(alert).to_contain_text("?token=")
        screenshot(page, "session-ended")
        page.reload()
        expect(page.get_by_text("Your session has ended")).to_be_visible()
    finally:
        context.close()


def test_without_javascript_pages_read_and_log_out_work_and_changes_say_why_they_are_refused(browser, console):
    context = browser.new_context(base_url=console.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/?token={console.token}")
        expect(page).to_have_url(console.url + "/")  # the sign-in page's refresh, without the token
        page.goto("/functions/hello_python")
        page.get_by_role("button", name="Test", exact=True).click()
        expect(page.get_by_text("a session cookie alone changes nothing")).to_be_visible()
        expect(page.get_by_text("with JavaScript on")).to_be_visible()
        page.goto("/packages")
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="Logged out")).to_be_visible()
    finally:
        context.close()
