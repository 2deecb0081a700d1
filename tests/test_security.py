"""Request checks, named after the attacks they stop. The console runs uploaded code: who reaches it is everything."""

from __future__ import annotations

import pytest

from console.security import host_name


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "0.0.0.0:8000",
                                  "192.168.1.10:8000", "", "127.0.0.2.nip.io:8000", "localhost.evil.example",
                                  "[::2]:8000", "[::ffff:7f00:2]:8000"])
def test_dns_rebinding_foreign_host_is_refused(client, host):
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert b"is not served here" in response.data


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost:8000", "[::1]:8000", "app.localhost",
                                  "127.0.0.2:8000", "127.255.0.9", "[::1]"])
def test_loopback_hosts_are_served(client, host):
    assert client.get("/2015-03-31/functions", headers={"Host": host}).status_code != 400


def test_configured_host_is_served(tmp_path):
    from console import EXTENSION, create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path, "ALLOWED_HOSTS": ["console.internal"],
                      "CONSOLE": {"load_samples": False}})
    try:
        assert app.test_client().get("/", headers={"Host": "console.internal:80"}).status_code != 400
    finally:
        app.extensions[EXTENSION].close()


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:9999"},  # another local site on another port
        {"Origin": "null"},  # a sandboxed or file:// page
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"},
    ],
)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_cross_site_request_forgery_is_refused(client, method, headers):
    response = client.open("/2015-03-31/functions", method=method, headers={"Host": "127.0.0.1:8000", **headers})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},  # SDKs and the AWS CLI send no Origin
        {"Origin": "http://127.0.0.1:8000"},
        {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar
    ],
)
def test_same_origin_and_sdk_requests_pass(client, headers):
    response = client.post("/2015-03-31/functions", headers={"Host": "127.0.0.1:8000", **headers})
    assert response.status_code != 403


def test_responses_carry_security_headers(client):
    response = client.get("/2015-03-31/functions", headers={"Host": "127.0.0.1"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("header", "name"), [("127.0.0.1:80", "127.0.0.1"), ("[::1]:8000", "[::1]"),
                                              ("LOCALHOST", "localhost"), ("::1", "::1")])
def test_host_name_parsing(header, name):
    assert host_name(header) == name


def test_serve_answers_on_loopback_and_stops_cleanly(live_server):
    import http.client
    from urllib.parse import urlsplit

    conn = http.client.HTTPConnection(urlsplit(live_server.url).netloc, timeout=10)
    conn.request("GET", "/", headers={"Host": "evil.example"})
    assert conn.getresponse().status == 400  # the real server applies the same checks
    conn.close()
    live_server.stop()
    assert live_server.process.returncode == 0


def test_an_oversized_request_is_refused_before_it_is_read(tmp_path):
    from console import EXTENSION, create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path, "CONSOLE": {"load_samples": False,
                                                                         "max_zip_bytes": 3000}})
    try:
        response = app.test_client().post("/2015-03-31/functions", data=b"x" * 100_000,
                                          headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.headers["x-amzn-ErrorType"] == "RequestEntityTooLargeException"
    finally:
        app.extensions[EXTENSION].close()


HOSTS = {"127.0.0.1:8000": True, "localhost:8000": True, "[::1]:8000": True, "evil.example": False,
         "127.0.0.1.nip.io": False}
ORIGINS = {None: "none", "http://127.0.0.1:8000": "same", "http://localhost:8000": "other-local",
           "http://evil.example": "foreign", "null": "opaque"}
FETCH_SITES = [None, "same-origin", "same-site", "cross-site", "none"]


@pytest.fixture(scope="module")
def matrix_client(tmp_path_factory):
    from console import EXTENSION, create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path_factory.mktemp("matrix"),
                      "CONSOLE": {"load_samples": False}})
    yield app.test_client()
    app.extensions[EXTENSION].close()


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("fetch_site", FETCH_SITES)
@pytest.mark.parametrize("origin", list(ORIGINS))
@pytest.mark.parametrize("host", list(HOSTS))
def test_every_header_combination_gets_the_rule(matrix_client, host, origin, fetch_site, method):
    """The rule, stated once: a foreign Host is refused (DNS rebinding); a write whose Origin is not the Host's own,
    or that a browser says comes from another site, is refused (CSRF); everything else reaches the console."""
    headers = {"Host": host}
    if origin is not None:
        headers["Origin"] = origin
    if fetch_site is not None:
        headers["Sec-Fetch-Site"] = fetch_site
    response = matrix_client.open("/2015-03-31/functions", method=method, headers=headers)
    if not HOSTS[host]:
        expected = 400
    elif method != "GET" and (
        (origin is not None and origin != f"http://{host}") or fetch_site == "cross-site"
    ):
        expected = 403
    else:
        expected = None
    if expected is None:
        assert response.status_code not in (400, 403) or response.headers.get("x-amzn-ErrorType"), response.data
    else:
        assert response.status_code == expected, (host, origin, fetch_site, method, response.data)


def test_serve_stops_on_sigterm_while_a_client_keeps_its_connection(live_server):
    import http.client
    import time
    from urllib.parse import urlsplit

    conn = http.client.HTTPConnection(urlsplit(live_server.url).netloc, timeout=10)
    conn.request("GET", "/2015-03-31/functions/")
    conn.getresponse().read()  # the connection stays open (keep-alive)
    started = time.monotonic()
    live_server.stop()
    assert live_server.process.returncode == 0
    assert time.monotonic() - started < 10
    conn.close()


def test_serve_on_another_loopback_address_answers_to_its_own_url(tmp_path):
    """`serve --host 127.0.0.2` prints http://127.0.0.2:PORT/; a browser sends that as Host, and is served. Other
    names for the same address are still refused (DNS rebinding)."""
    import http.client
    from urllib.parse import urlsplit

    from tests.conftest import LiveServer

    server = LiveServer(tmp_path / "data", args=("--host", "127.0.0.2"))
    try:
        netloc = urlsplit(server.url).netloc
        assert netloc.startswith("127.0.0.2:") and server.token is None  # loopback: no token needed
        for host, status in ((netloc, 200), ("rebound.example:" + netloc.split(":")[1], 400)):
            conn = http.client.HTTPConnection(netloc, timeout=10)
            conn.request("GET", "/", headers={"Host": host})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            assert response.status == status, (host, body[:200])
        assert b"Functions" in http_get(server.url + "/")
    finally:
        server.stop()


def http_get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:  # Host is exactly what the URL says, as a browser's
        return response.read()
