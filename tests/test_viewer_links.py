"""Viewer links against a real `serve --auth` over real HTTP, named after the attacks they stop: a viewer opens the
presenter page and runs its saved events, and nothing else; a revoked or expired link, a guessed token and a stolen
viewer cookie get nothing done. The browser's view of it is tests/browser/test_viewer_links.py."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
import pytest
import urllib3

from tests.conftest import HANDLERS, LiveServer, zip_contents

WRITE_KEY = re.compile(rb'<meta name="lambda-console-write-key" content="([^"]+)">')
NEXT = re.compile(rb'<meta name="lambda-console-next" content="([^"]+)">')
ADDRESS = re.compile(rb'id="new-viewer-address" readonly value="([^"]+)"')
HTTP = urllib3.PoolManager()


class Browser:
    """What a browser holds after opening a URL with a token: the session cookie and the write key its page kept."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.cookie = ""
        self.write_key = ""

    def open(self, path: str) -> urllib3.BaseHTTPResponse:
        """Open a token URL (the owner's or a viewer link) and keep what its sign-in page hands over."""
        response = self.get(path)
        if response.status == 200 and (key := WRITE_KEY.search(response.data)):
            self.cookie = response.headers["Set-Cookie"].split(";", 1)[0]
            self.write_key = key.group(1).decode()
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> urllib3.BaseHTTPResponse:
        return self._request("GET", path, headers=headers or {})

    def post(self, path: str, fields: dict[str, object] | None = None, *, key: bool = True,
             headers: dict[str, str] | None = None, multipart: bool = False) -> urllib3.BaseHTTPResponse:
        """A form submission as the console's page sends it (with the write key the page kept, unless `key` is
        False: a request made with the cookie alone)."""
        sent = dict(fields or {})
        if key and self.write_key:
            sent["lambda_console_key"] = self.write_key
        return self._request("POST", path, headers={"Origin": self.server.url, **(headers or {})}, fields=sent,
                             encode_multipart=multipart)

    def _request(self, method: str, path: str, headers: dict[str, str], **kwargs: object) -> urllib3.BaseHTTPResponse:
        cookie = {"Cookie": self.cookie} if self.cookie else {}
        return HTTP.request(method, self.server.url + path, headers={**cookie, **headers}, redirect=False,
                            retries=False, timeout=60, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("viewers") / "data", args=("--auth",))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def owner(server: LiveServer) -> Browser:
    browser = Browser(server)
    assert browser.open(f"/?token={server.token}").status == 200
    return browser


def make_link(owner: Browser, label: str, function: str = "hello_python", expires: str = "") -> str:
    """The owner makes a viewer link on the Viewer links page; the path and query of the address it shows once."""
    made = owner.post("/viewers", {"label": label, "function": function, "expires": expires})
    assert made.status == 201, made.data
    address = urlsplit(ADDRESS.search(made.data).group(1).decode().replace("&amp;", "&"))
    return f"{address.path}?{address.query}"


def viewer_of(server: LiveServer, owner: Browser, label: str, function: str = "hello_python") -> Browser:
    viewer = Browser(server)
    opened = viewer.open(make_link(owner, label, function))
    assert opened.status == 200 and viewer.write_key
    return viewer


def lambda_client(server: LiveServer):
    return boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=server.access_key_id, aws_secret_access_key=server.secret_access_key)


def run_presenter(browser: Browser, function: str, event: str, **kwargs: object) -> urllib3.BaseHTTPResponse:
    return browser.post(f"/present/{function}", {"event": event}, headers={"HX-Request": "true"}, **kwargs)


def test_a_viewer_runs_a_numbered_saved_event_and_sees_the_result(server, owner):
    viewer = viewer_of(server, owner, "Customer demo")
    page = viewer.get("/present/hello_python")
    assert page.status == 200
    assert b"Viewing as: <strong>Customer demo</strong> (read-only)" in page.data
    assert b'data-key="1"><kbd>1</kbd> ada-lovelace' in page.data  # the numbered button the audience sees
    assert b"Share with the audience" not in page.data  # the owner's part of the page
    ran = run_presenter(viewer, "hello_python", "ada-lovelace")
    assert ran.status == 200
    assert b"It worked" in ran.data and b"Hello Ada Lovelace!" in ran.data
    latest = json.loads(owner.get("/functions/hello_python/history.json").data)["invocations"][0]
    assert latest["source"] == "presenter"


def test_the_viewer_link_leads_to_its_presenter_page_without_the_token_in_the_address(server, owner):
    viewer = Browser(server)
    opened = viewer.open(make_link(owner, "Address check"))
    assert NEXT.search(opened.data).group(1) == b"/present/hello_python"
    assert opened.headers["Cache-Control"] == "no-store"
    assert "HttpOnly" in opened.headers["Set-Cookie"] and "SameSite=Strict" in opened.headers["Set-Cookie"]
    front = viewer.get("/")  # the console's front page sends a viewer to the page it may see
    assert front.status == 303 and front.headers["Location"].endswith("/present/hello_python")


def test_a_viewer_cannot_upload_a_package(server, owner, tmp_path):
    viewer = viewer_of(server, owner, "Uploader")
    before = json.loads(owner.get("/packages.json").data)
    package = zip_contents(HANDLERS / "hello_python", tmp_path / "viewer.zip").read_bytes()
    refused = viewer.post("/packages", {"package_file": ("viewer.zip", package, "application/zip")}, multipart=True)
    assert refused.status == 403
    assert b"Not available to viewers" in refused.data and b"Uploader (read-only)" in refused.data
    assert json.loads(owner.get("/packages.json").data) == before


def test_a_viewer_cannot_create_or_delete_a_function(server, owner, tmp_path):
    viewer = viewer_of(server, owner, "Creator")
    package = zip_contents(HANDLERS / "hello_python", tmp_path / "hello.zip").read_bytes()
    created = viewer.post("/functions/new", {"name": "made-by-a-viewer", "handler": "hello_python.my_handler",
                                             "package_file": ("hello.zip", package, "application/zip")},
                          multipart=True)
    assert created.status == 403
    assert viewer.post("/functions/hello_python/delete").status == 403
    assert viewer.post("/functions/hello_python/clone", {"new_name": "viewer-clone"}).status == 403
    names = [f["FunctionName"] for f in lambda_client(server).list_functions()["Functions"]]
    assert "hello_python" in names and "made-by-a-viewer" not in names and "viewer-clone" not in names


def test_a_viewer_cannot_change_configuration_code_or_the_function_url(server, owner):
    viewer = viewer_of(server, owner, "Configurator")
    before = lambda_client(server).get_function_configuration(FunctionName="hello_python")
    assert viewer.post("/functions/hello_python/configuration", {"timeout": "60", "memory": "1024",
                                                                  "handler": "x.y"}).status == 403
    assert viewer.post("/functions/hello_python/versions", {}).status == 403
    assert viewer.post("/functions/hello_python/url", {"auth_type": "NONE"}).status == 403
    after = lambda_client(server).get_function_configuration(FunctionName="hello_python")
    assert (after["Timeout"], after["MemorySize"], after["Handler"], after["RevisionId"]) == \
        (before["Timeout"], before["MemorySize"], before["Handler"], before["RevisionId"])


def test_a_viewer_cannot_read_configuration_code_history_or_other_pages(server, owner):
    viewer = viewer_of(server, owner, "Reader")
    for path in ("/functions/hello_python", "/functions/hello_python.json", "/functions/hello_python/configuration",
                 "/functions/hello_python/code", "/functions/hello_python/history",
                 "/functions/hello_python/history.json", "/functions/hello_python/editor", "/index.json",
                 "/packages", "/packages.json", "/layers", "/viewers", "/viewers.json", "/functions/new", "/present"):
        response = viewer.get(path)
        assert response.status == 403, path
        assert b"handler" not in response.data.lower(), path


def test_a_viewer_cannot_add_a_remote_deploy_or_run_anything_on_one(server, owner):
    # Remotes reach real AWS accounts with the owner's credentials: a viewer sees and does nothing there.
    viewer = viewer_of(server, owner, "Remote reacher")
    for path in ("/remotes", "/remotes.json", "/remote-functions", "/remotes/prod/functions",
                 "/remotes/prod/functions/hello_python", "/functions/hello_python/deploy"):
        assert viewer.get(path).status == 403, path
    refused = [viewer.post("/remotes", {"name": "attacker", "endpoint_url": "http://127.0.0.1:9"}),
               viewer.post("/functions/hello_python/deploy", {"remote": "prod", "role": "arn:aws:iam::1:role/x"}),
               viewer.post("/remotes/prod/functions/hello_python/test", {"event": "{}"}),
               viewer.post("/remotes/prod/functions/hello_python/compare", {"event": "{}"})]
    assert [response.status for response in refused] == [403, 403, 403, 403]
    listed = owner.get("/remotes.json")
    assert listed.status == 200 and b"attacker" not in listed.data


def test_a_viewer_cannot_call_the_lambda_api_with_its_cookie(server, owner):
    viewer = viewer_of(server, owner, "API caller")
    listed = viewer.get("/2015-03-31/functions/")
    assert listed.status == 403
    assert listed.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    invoked = viewer.post("/2015-03-31/functions/hello_python/invocations", {},
                          headers={"X-Lambda-Console-Key": viewer.write_key})
    assert invoked.status == 403
    configured = urllib3.request("PUT", server.url + "/2015-03-31/functions/hello_python/configuration",
                                 body=b'{"Timeout": 99}', retries=False, timeout=30,
                                 headers={"Cookie": viewer.cookie, "Content-Type": "application/json"})
    assert configured.status == 403
    assert lambda_client(server).get_function_configuration(FunctionName="hello_python")["Timeout"] != 99


def test_a_viewer_cannot_edit_saved_events(server, owner):
    viewer = viewer_of(server, owner, "Editor")
    for path, fields in (("/functions/hello_python/events", {"event_name": "ada-lovelace", "event_json": "{}"}),
                         ("/functions/hello_python/events/rename", {"event_name": "ada-lovelace", "new_name": "x"}),
                         ("/functions/hello_python/events/delete", {"event_name": "ada-lovelace"}),
                         ("/functions/hello_python/expectation", {"event_name": "ada-lovelace"}),
                         ("/functions/hello_python/test", {"event_json": "{}"})):
        assert viewer.post(path, fields).status == 403, path
    events = json.loads(owner.get("/functions/hello_python.json").data)["events"]
    assert [(e["name"], json.loads(e["event"])) for e in events] == \
        [("ada-lovelace", {"first_name": "Ada", "last_name": "Lovelace"})]


def test_a_viewer_cannot_make_or_revoke_viewer_links(server, owner):
    viewer = viewer_of(server, owner, "Link maker")
    made = viewer.post("/viewers", {"label": "Made by a viewer", "function": "", "expires": ""})
    assert made.status == 403
    own_id = max(int(n) for n in re.findall(rb'data-viewer="(\d+)"', owner.get("/viewers").data))
    assert viewer.post(f"/viewers/{own_id}/revoke").status == 403
    listing = owner.get("/viewers").data
    assert b"Made by a viewer" not in listing
    assert viewer.get("/present/hello_python").status == 200  # still open: nothing was revoked


def test_a_viewer_of_one_function_cannot_present_another(server, owner):
    viewer = viewer_of(server, owner, "One function")
    assert viewer.get("/present/raise_error").status == 403
    assert run_presenter(viewer, "raise_error", "too-many").status == 403


def test_a_stolen_viewer_cookie_without_the_write_key_runs_nothing(server, owner):
    viewer = viewer_of(server, owner, "Stolen")
    refused = run_presenter(viewer, "hello_python", "ada-lovelace", key=False)
    assert refused.status == 403
    assert b"a session cookie alone changes nothing" in refused.data


def test_a_revoked_link_and_its_sessions_stop_at_the_next_request(server, owner):
    link = make_link(owner, "To revoke")
    viewer, second = Browser(server), Browser(server)
    viewer.open(link)
    second.open(link)
    assert viewer.get("/present/hello_python").status == 200
    row = re.search(rb'<tr data-viewer="(\d+)">\s*<th scope="row">To revoke</th>', owner.get("/viewers").data)
    assert b"2 browsers" in owner.get("/viewers").data.split(row.group(0), 1)[1].split(b"</tr>", 1)[0]
    listed = {v["label"]: v for v in json.loads(owner.get("/viewers.json").data)["viewer_links"]}
    assert (listed["To revoke"]["state"], listed["To revoke"]["browsers"]) == ("active", 2)
    assert listed["To revoke"]["last_used_at"] and link.split("viewer=")[1] not in json.dumps(listed)
    revoked = owner.post(f"/viewers/{row.group(1).decode()}/revoke")
    assert revoked.status == 303
    listed = {v["label"]: v for v in json.loads(owner.get("/viewers.json").data)["viewer_links"]}
    assert (listed["To revoke"]["state"], listed["To revoke"]["browsers"]) == ("revoked", 0)
    page = viewer.get("/present/hello_python")
    assert page.status == 401
    assert b"was revoked by the console&#39;s owner" in page.data
    ran = run_presenter(second, "hello_python", "ada-lovelace")
    assert ran.status == 401 and b"was revoked" in ran.data
    again = Browser(server).open(link)
    assert again.status == 403 and b"was revoked" in again.data
    assert "Set-Cookie" not in again.headers


def test_an_expired_link_stops_working(server, owner):
    link = make_link(owner, "Short lived", expires="1h")
    viewer = Browser(server)
    viewer.open(link)
    assert viewer.get("/present/hello_python").status == 200
    # An hour passes: the stored expiry is moved into the past in the console's own database file.
    with sqlite3.connect(server.data_dir / "lambda-console.sqlite3") as db:
        db.execute("UPDATE viewers SET expires_at = ? WHERE label = 'Short lived'", (time.time() - 1,))
    page = viewer.get("/present/hello_python")
    assert page.status == 401 and b"has expired" in page.data
    assert Browser(server).open(link).status == 403


@pytest.mark.parametrize("token", ["", "guess", "A" * 43, "the-owners-token"])
def test_a_guessed_viewer_token_is_refused(server, owner, token):
    make_link(owner, "Guess target")
    if token == "the-owners-token":
        token = server.token
    guesser = Browser(server)
    response = guesser.open(f"/present/hello_python?viewer={token}")
    assert response.status == 403
    assert b"That viewer link is not valid" in response.data
    assert "Set-Cookie" not in response.headers


def test_a_viewer_token_is_not_the_owners_token_and_is_never_stored(server, owner):
    link = make_link(owner, "Not the owner")
    token = link.split("viewer=", 1)[1]
    as_owner = Browser(server).open(f"/?token={token}")
    assert as_owner.status == 403 and "Set-Cookie" not in as_owner.headers
    with sqlite3.connect(server.data_dir / "lambda-console.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert token not in dump and "Not the owner" in dump


def test_a_viewer_logs_out(server, owner):
    viewer = viewer_of(server, owner, "Leaving")
    assert viewer.post("/logout").status == 200
    assert viewer.get("/present/hello_python").status == 401


def test_a_viewer_of_every_function_sees_the_list_and_only_presenter_responses(server, owner):
    viewer = viewer_of(server, owner, "Every function", function="")
    listing = viewer.get("/present")
    assert listing.status == 200 and b"/present/api_gateway_html" in listing.data
    # The owner's own Test-tab run of the page function: its response is not the audience's to see.
    owner.post("/functions/api_gateway_html/test", {"event_json": "{}"}, headers={"HX-Request": "true"})
    entries = json.loads(owner.get("/functions/api_gateway_html/history.json").data)["invocations"]
    assert viewer.get(f"/functions/api_gateway_html/history/{entries[0]['id']}/preview").status == 403
    ran = run_presenter(viewer, "api_gateway_html", "get-hello")
    assert ran.status == 200
    preview = re.search(rb'src="(/functions/api_gateway_html/history/\d+/preview)"', ran.data).group(1).decode()
    assert viewer.get(preview).status == 200


def test_a_viewer_follows_and_cancels_its_own_run_but_never_the_owners(server, owner):
    viewer = viewer_of(server, owner, "Follower", function="sleep_seconds")
    ran = run_presenter(viewer, "sleep_seconds", "too-long")  # still running when the first answer comes
    status = re.search(rb'hx-get="(/present/sleep_seconds/runs/(\w+))"', ran.data)
    assert status, ran.data
    assert viewer.get(status.group(1).decode()).status == 200
    cancelled = viewer.post(f"/present/sleep_seconds/runs/{status.group(2).decode()}/cancel",
                            headers={"HX-Request": "true"})
    assert cancelled.status == 200 and b"It was cancelled" in cancelled.data
    # The owner's own Test-tab run of the same function: its progress and its cancel are not the viewer's.
    tested = owner.post("/functions/sleep_seconds/test", {"event_json": '{"seconds": 1.5}'},
                        headers={"HX-Request": "true"})
    job_id = re.search(rb"/functions/sleep_seconds/runs/(\w+)", tested.data).group(1).decode()
    assert viewer.get(f"/present/sleep_seconds/runs/{job_id}").status == 403
    assert viewer.post(f"/present/sleep_seconds/runs/{job_id}/cancel").status == 403
    finished = owner.get(f"/functions/sleep_seconds/runs/{job_id}")
    for _ in range(40):
        if b"Executing function: succeeded" in finished.data:
            break
        time.sleep(0.1)
        finished = owner.get(f"/functions/sleep_seconds/runs/{job_id}")
    assert b"Executing function: succeeded" in finished.data  # never cancelled by the viewer
