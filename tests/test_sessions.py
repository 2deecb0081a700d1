"""Sign-in sessions of the web console, named after the attacks they stop: a session cookie alone changes nothing, a
session ends at Log out and after its idle time. The theft by a real second server in a real browser is in
tests/browser/test_sessions.py."""

from __future__ import annotations

import re
import time

import pytest

from console import EXTENSION, create_app
from console.security import SESSION_COOKIE, WRITE_KEY_FIELD, WRITE_KEY_HEADER, Authentication, host_port

AUTH = Authentication.create("the-token", "AKIDTESTCONSOLE", "the-secret")
HOST = {"Host": "127.0.0.1:8000"}
COOKIE = f"{SESSION_COOKIE}_8000"
WRITE_KEY = re.compile(rb'<meta name="lambda-console-write-key" content="([^"]+)">')


def make_app(tmp_path, **settings):
    return create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "AUTHENTICATION": AUTH,
                       "CONSOLE": {"load_samples": True, **settings}})


@pytest.fixture
def guarded(tmp_path):
    app = make_app(tmp_path)
    yield app
    app.extensions[EXTENSION].close()


def sign_in(app) -> tuple[str, str]:
    """Open the token URL as the browser does; the session cookie's value and the write key its page handed over."""
    response = app.test_client().get("/?token=the-token", headers=HOST)
    assert response.status_code == 200
    cookie = re.match(rf"{COOKIE}=([^;]+);", response.headers["Set-Cookie"]).group(1)
    return cookie, WRITE_KEY.search(response.data).group(1).decode()


class Replay:
    """A client that holds nothing but the cookie, as a server that received it would."""

    def __init__(self, app, cookie: str, cookie_name: str = COOKIE) -> None:
        self.client = app.test_client(use_cookies=False)
        self.cookie = f"{cookie_name}={cookie}"

    def get(self, path: str, headers: dict[str, str] = HOST):
        return self.client.get(path, headers={**headers, "Cookie": self.cookie})

    def post(self, path: str, data: dict[str, str], headers: dict[str, str] = HOST):
        return self.client.post(path, data=data, headers={**headers, "Cookie": self.cookie})


def replay(app, cookie: str, cookie_name: str = COOKIE) -> Replay:
    return Replay(app, cookie, cookie_name)


def test_a_replayed_session_cookie_cannot_run_a_function(guarded):
    cookie, _ = sign_in(guarded)
    thief = replay(guarded, cookie)
    response = thief.post("/functions/hello_python/test", data={"event_json": "{}"}, headers=HOST)
    assert response.status_code == 403
    assert b"a session cookie alone changes nothing" in response.data
    response = thief.post("/functions/hello_python/test", data={"event_json": "{}", WRITE_KEY_FIELD: "guess"},
                          headers={**HOST, WRITE_KEY_HEADER: "guess"})
    assert response.status_code == 403
    assert guarded.extensions[EXTENSION].history.for_function("hello_python") == []


def test_a_replayed_session_cookie_cannot_create_a_function(guarded):
    cookie, _ = sign_in(guarded)
    response = replay(guarded, cookie).post("/functions/new",
                                            data={"name": "stolen", "handler": "a.b", "package": "x"})
    assert response.status_code == 403
    assert "stolen" not in [f.name for f in guarded.extensions[EXTENSION].functions.all()]


def test_no_page_a_replayed_cookie_can_fetch_holds_the_write_key(guarded):
    cookie, key = sign_in(guarded)
    thief = replay(guarded, cookie)
    for path in ("/", "/index.json", "/functions/new", "/functions/hello_python", "/functions/hello_python.json",
                 "/packages", "/packages.json", "/present/hello_python", "/?token=wrong"):
        response = thief.get(path, headers=HOST)
        assert key.encode() not in response.data, path


def test_the_signed_in_page_changes_things_with_its_write_key(guarded):
    cookie, key = sign_in(guarded)
    client = replay(guarded, cookie)
    event = '{"first_name": "Ada", "last_name": "L"}'
    by_header = client.post("/functions/hello_python/test", data={"event_json": event},
                            headers={**HOST, WRITE_KEY_HEADER: key, "HX-Request": "true"})
    assert b"Hello Ada" in by_header.data
    assert by_header.status_code == 200
    by_field = client.post("/functions/hello_python/test", data={"event_json": "{}", WRITE_KEY_FIELD: key})
    assert by_field.status_code == 303  # a whole-form submission (the field console.js adds) goes on to the run


def test_logout_ends_the_session_on_the_server(guarded):
    cookie, key = sign_in(guarded)
    page = replay(guarded, cookie).get("/")
    assert b">Log out</button>" in page.data
    response = replay(guarded, cookie).post("/logout", data={})
    assert response.status_code == 200
    assert b"Logged out" in response.data
    assert f"{COOKIE}=;" in response.headers["Set-Cookie"]  # the browser drops it
    # The cookie's secret no longer opens anything, even presented again, with the write key.
    again = replay(guarded, cookie)
    assert again.get("/", headers=HOST).status_code == 401
    refused = again.post("/functions/hello_python/test", data={"event_json": "{}"},
                         headers={**HOST, WRITE_KEY_HEADER: key})
    assert refused.status_code == 401
    assert b"Your session has ended" in refused.data


def test_a_session_ends_after_its_idle_time(tmp_path):
    app = make_app(tmp_path, session_idle_timeout=1.0, load_samples=False)
    try:
        client = replay(app, sign_in(app)[0])
        assert client.get("/").status_code == 200
        time.sleep(1.3)  # longer than the idle time, with no request in between (each one restarts it)
        response = client.get("/packages")
        assert response.status_code == 401
        assert b"idle for more than 1 second," in response.data
        assert client.get("/").status_code == 401  # ended for good, not only for one request
    finally:
        app.extensions[EXTENSION].close()


def test_a_session_in_use_does_not_expire(tmp_path):
    app = make_app(tmp_path, session_idle_timeout=1.5, load_samples=False)
    try:
        client = replay(app, sign_in(app)[0])
        started = time.monotonic()
        while time.monotonic() - started < 4:  # well past the idle time, never idle that long
            assert client.get("/packages").status_code == 200
            time.sleep(0.3)
    finally:
        app.extensions[EXTENSION].close()


def test_consoles_on_two_ports_keep_their_own_cookies(guarded):
    cookie, _ = sign_in(guarded)
    assert replay(guarded, cookie).get("/").status_code == 200
    # A console addressed on port 8001 reads its own cookie only, never port 8000's.
    assert replay(guarded, cookie).get("/", headers={"Host": "127.0.0.1:8001"}).status_code == 401


def test_the_sign_in_page_never_sends_the_browser_off_the_console(guarded):
    response = guarded.test_client().get("//evil.example/?token=the-token", headers=HOST)
    assert b'<meta name="lambda-console-next" content="/">' in response.data


def test_without_authentication_pages_offer_no_log_out(client):
    assert b"Log out" not in client.get("/").data
    assert client.post("/logout").status_code == 404


@pytest.mark.parametrize(("header", "port"), [("127.0.0.1:8000", "8000"), ("[::1]:8001", "8001"), ("localhost", ""),
                                              ("[::1]", ""), ("::1", ""), ("host:x", "")])
def test_host_port_parsing(header, port):
    assert host_port(header) == port


def test_signing_in_again_and_again_keeps_a_bounded_table_and_ends_the_oldest_first():
    from console.sessions import MAX_SESSIONS, Sessions

    sessions = Sessions(idle_timeout=60)
    first = sessions.start()
    later = [sessions.start() for _ in range(MAX_SESSIONS)]
    assert len(sessions) == MAX_SESSIONS
    assert sessions.find(first.secret) is None  # the least recently used made room
    assert sessions.find(later[-1].secret).write_key == later[-1].write_key
    assert sessions.find(later[0].secret) is not None
