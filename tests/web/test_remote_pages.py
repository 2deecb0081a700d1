"""Remotes on the pages, against a second real `lambda-console serve` as the remote (reached by its endpoint URL, as
any Lambda-compatible endpoint is): the Remotes page, a remote's functions beside the local ones (every page of
ListFunctions), Test on the remote with its log tail and REPORT figures, Compare, Deploy to remote, and refusals."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig

from tests.conftest import LiveServer
from tests.processes import wait_until
from tests.test_cli_remotes import KEYS, closed_port
from tests.zips import zip_bytes

HTMX = {"HX-Request": "true"}
ROLE = "arn:aws:iam::123456789012:role/lambda-basic-execution"
ADA = json.dumps({"first_name": "Ada", "last_name": "Lovelace"})


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The console's remote clients sign with these (botocore's chain reads the environment); no machine config."""
    for key in [key for key in __import__("os").environ if key.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


@pytest.fixture
def remote_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "remote-data")
    yield server
    server.stop()


def remote_lambda(server: LiveServer, keys: dict[str, str] = KEYS):
    return boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"], aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
                        config=BotoConfig(retries={"mode": "standard"}))


def add_remote(client, name: str, url: str) -> None:
    response = client.post("/remotes", data={"name": name, "kind": "endpoint", "endpoint_url": url}, headers=HTMX)
    assert response.status_code == 200, text(response)


def remote_run(client, remote: str, function: str, action: str, event: str, **form: str):
    """Press Test or Compare on the remote function's page as htmx does; the answer once the result is there (the
    page shows a running status, which polls, when the remote takes longer than a moment)."""
    response = client.post(f"/remotes/{remote}/functions/{function}/{action}", data={"event_json": event, **form},
                           headers=HTMX)
    status = re.search(r'hx-get="(/remotes/[^"]+/runs/\w+)"', text(response))
    if status is None:
        return response

    def finished():
        poll = client.get(status.group(1), headers=HTMX)
        return None if "/runs/" in text(poll) else poll

    return wait_until(finished, "the remote's answer")


def remote_listings(client) -> str:
    """The remotes' functions as the function list shows them: the placeholders it loads after the page, each then
    replaced by its remote's list (loaded as htmx loads it)."""
    placeholders = text(client.get("/remote-functions", headers=HTMX))
    urls = re.findall(r'hx-get="(/remotes/[\w-]+/functions)"', placeholders)
    assert urls or "<section" not in placeholders
    return "".join(text(client.get(url, headers=HTMX)) for url in urls)


def report_figures(html: str) -> dict[str, str]:
    """The REPORT line's figures as the page's Function Logs show it."""
    line = re.search(r"REPORT RequestId: [^\n<]*", html).group()
    return dict(re.findall(r"(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration): ([\d.]+)", line))


def test_the_remotes_page_adds_lists_and_removes_remotes_with_the_command_lines_refusals(client) -> None:
    page = client.get("/remotes")
    assert page.status_code == 200 and "No remotes yet" in text(page)
    added = client.post("/remotes", data={"name": "prod", "kind": "aws", "profile": "someone", "region": "eu-west-1"},
                        headers=HTMX)
    assert "Added remote prod: profile someone, region eu-west-1." in text(added)
    add_remote(client, "other", "http://127.0.0.1:8008/")
    listed = client.get("/remotes.json").get_json()["remotes"]
    assert [(r["name"], r["region"], r["profile"], r["endpoint_url"]) for r in listed] == [
        ("other", "us-east-1", None, "http://127.0.0.1:8008"), ("prod", "eu-west-1", "someone", None)]

    refused = {
        ("prod", "endpoint", "", "", "http://x:1"): "prod: there is a remote of that name already",
        ("two", "aws", "someone", "", ""): "--profile someone: give the --region",
        ("two", "aws", "someone", "Europe", ""): "--region Europe: not an AWS region name",
        ("two", "aws", "", "eu-west-1", ""): "Give either --profile",
        ("two", "endpoint", "", "", "ftp://host"): "--endpoint-url ftp://host: not an http:// or https:// URL",
        ("bad name!", "endpoint", "", "", "http://x:1"): "&#39;bad name!&#39;: not a remote name",
    }
    for (name, kind, profile, region, url), message in refused.items():
        response = client.post("/remotes", data={"name": name, "kind": kind, "profile": profile, "region": region,
                                                  "endpoint_url": url}, headers=HTMX)
        assert response.status_code == 422 and message in text(response), (name, text(response))
        # What was typed stays in the form.
        assert f'value="{url}"' in text(response) or not url

    removed = client.post("/remotes/other/remove", headers=HTMX)
    assert "Removed remote other" in text(removed)
    gone = client.post("/remotes/other/remove", headers=HTMX)
    assert gone.status_code == 404 and "other: no such remote (there are: prod)" in text(gone)
    assert [r["name"] for r in client.get("/remotes.json").get_json()["remotes"]] == ["prod"]
    assert client.get("/remotes/nowhere/functions/hello_python").status_code == 404


def test_a_remotes_functions_are_listed_beside_the_local_ones_every_page_of_them(client, app, remote_server) -> None:
    from console import EXTENSION

    remote = remote_lambda(remote_server)
    code = zip_bytes({"app.py": "def handler(event, context):\n    return event\n"})
    for number in range(52):  # more than one page of ListFunctions (50 at most per page)
        remote.create_function(FunctionName=f"echo-{number:02}", Runtime="python3.12", Role=ROLE,
                               Handler="app.handler", Code={"ZipFile": code})
    on_remote = sorted(f["FunctionName"] for page in remote.get_paginator("list_functions").paginate()
                       for f in page["Functions"])
    assert len(on_remote) > 52
    add_remote(client, "other", remote_server.url)

    index = text(client.get("/"))
    assert 'hx-get="/remote-functions"' in index  # loaded after the page: a remote never holds up the local list
    placeholders = text(client.get("/remote-functions", headers=HTMX))
    assert "Listing the functions of remote other…" in placeholders
    listed = remote_listings(client)
    names = re.findall(r'<a href="/remotes/other/functions/([\w-]+)">', listed)
    assert names == on_remote
    assert listed.count('<span class="badge badge-remote" title="On remote other">other</span>') == len(on_remote)
    assert f"{len(on_remote)} functions" in listed

    # Pages of two: the console follows NextMarker to the end.
    console = app.extensions[EXTENSION]
    assert [f.name for f in console.list_remote_functions("other", page_size=2).functions] == on_remote
    twin = client.get("/remotes/other/functions.json").get_json()
    assert [f["name"] for f in twin["functions"]] == on_remote and twin["truncated"] is False

    page = text(client.get("/remotes/other/functions/echo-07"))
    assert 'data-testid="remote-badge"' in page and 'hx-get="/remotes/other/functions/echo-07/head"' in page
    head = text(client.get("/remotes/other/functions/echo-07/head", headers=HTMX))
    assert "<code>app.handler</code> · python3.12 · 128 MB · 3 s · Active" in head
    assert "<code>app.handler</code>" in text(client.get("/remotes/other/functions/echo-07/head"))  # without script


def test_test_on_a_remote_shows_the_execution_result_with_the_tails_report_figures(client, remote_server) -> None:
    add_remote(client, "other", remote_server.url)
    page = text(client.get("/remotes/other/functions/hello_python"))
    # The local function's saved events are offered, the first one opened.
    assert '<option value="ada-lovelace" selected>ada-lovelace</option>' in page
    assert "Lovelace" in page
    typed = text(client.get("/remotes/other/functions/hello_python/editor?event=", headers=HTMX))
    assert '<option value="" selected>Typed JSON</option>' in typed and "Lovelace" not in typed
    missing = text(client.get("/remotes/other/functions/hello_python/editor?event=nosuch", headers=HTMX))
    assert "Pick another event, or type the JSON." in missing

    ran = text(remote_run(client, "other", "hello_python", "test", ADA, event_name="ada-lovelace"))
    assert "Executing function: succeeded" in ran and "Ran on remote" in ran
    assert "&#34;message&#34;: &#34;Hello Ada Lovelace!&#34;" in ran
    figures = report_figures(ran)
    assert re.search(rf"<dt>Duration</dt><dd>{figures['Duration']} ms</dd>", ran)
    assert f"<dt>Billed duration</dt><dd>{figures['Billed Duration']} ms</dd>" in ran
    assert f"<dt>Resources configured</dt><dd>{figures['Memory Size']} MB</dd>" in ran
    assert figures["Memory Size"] == "128"
    assert ("Max Memory Used" not in figures) or f"{figures['Max Memory Used']} MB</dd>" in ran
    # The remote's invocation is not in the local history.
    assert "Open in History" not in ran and "/history/" not in ran
    assert client.get("/functions/hello_python/history.json").get_json()["invocations"] == []

    failed = text(remote_run(client, "other", "raise_error", "test", '{"quantity": 0}'))
    assert "Executing function: failed" in failed
    assert '<span data-testid="failure">ValueError: quantity must be positive, got 0</span>' in failed
    assert "[ERROR] ValueError: quantity must be positive, got 0" in failed  # the log tail

    bad = remote_run(client, "other", "hello_python", "test", '{"a": ')
    assert bad.status_code == 422 and "Nothing ran: the event needs fixing first." in text(bad)
    assert "line 1" in text(bad)

    unknown = text(remote_run(client, "other", "nothing_here", "test", "{}"))
    assert "The test could not run." in unknown
    assert "Remote other refused: ResourceNotFoundException (HTTP 404)" in unknown


def test_a_slow_remote_run_shows_the_running_status_then_its_result(client, remote_server) -> None:
    add_remote(client, "other", remote_server.url)
    started = client.post("/remotes/other/functions/sleep_seconds/test", data={"event_json": '{"seconds": 1.5}'},
                          headers=HTMX)
    assert "Running sleep_seconds on remote other…" in text(started)
    done = text(remote_run(client, "other", "sleep_seconds", "test", '{"seconds": 1.5}'))
    assert "Executing function: succeeded" in done and "&#34;slept&#34;: 1.5" in done
    assert float(report_figures(done)["Duration"]) >= 1500

    # Past the function's 2-second timeout on the remote: Lambda's timeout, as the remote reported it.
    timed_out = text(remote_run(client, "other", "sleep_seconds", "test", '{"seconds": 5}'))
    assert "Executing function: failed" in timed_out and "Sandbox.Timedout" in timed_out
    assert "Task timed out after 2.00 seconds" in timed_out

    # Without htmx: the run's own page, which shows the result once finished.
    plain = client.post("/remotes/other/functions/hello_python/test", data={"event_json": ADA})
    assert plain.status_code == 303
    page = wait_until(lambda: (html := text(client.get(plain.headers["Location"]))) and
                      "Executing function" in html and html, "the result page")
    assert page.startswith("<!doctype html>") and "Hello Ada Lovelace!" in page
    assert client.get("/remotes/other/functions/hello_python/runs/nosuchjob").status_code == 404


def test_compare_says_same_response_or_shows_the_difference(client, remote_server) -> None:
    add_remote(client, "other", remote_server.url)
    same = text(remote_run(client, "other", "hello_python", "compare", ADA))
    assert "<strong>Same response</strong>" in same and 'data-testid="compare-diff"' not in same
    assert same.count("Hello Ada Lovelace!") == 2
    # The local run is in the local history, as any Test is.
    assert len(client.get("/functions/hello_python/history.json").get_json()["invocations"]) == 1

    failing = text(remote_run(client, "other", "raise_error", "compare", '{"quantity": 0}'))
    assert "<strong>Same response</strong>" in failing and "both failed with ValueError" in failing

    remote_lambda(remote_server).update_function_code(FunctionName="hello_python", ZipFile=zip_bytes({
        "hello_python.py": "def my_handler(event, context):\n"
                           "    return {'message': f\"Hi {event['first_name']}!\", 'v': 2}\n"}))
    different = text(remote_run(client, "other", "hello_python", "compare", ADA))
    assert "<strong>Different responses</strong>" in different
    diff = re.search(r'data-testid="compare-diff">(.*?)</pre>', different, re.DOTALL).group(1)
    lines = re.sub(r"<[^>]+>", "", diff).replace("&#34;", '"').splitlines()
    assert '-  "message": "Hello Ada Lovelace!"' in lines
    assert '+  "message": "Hi Ada!",' in lines and '+  "v": 2' in lines

    nolocal = client.post("/remotes/other/functions/echo/compare", data={"event_json": "{}"}, headers=HTMX)
    assert nolocal.status_code == 422 and "There is no local function echo to compare with" in text(nolocal)


def deployed(client, response) -> str:
    """The deploy's outcome, following its status as the page's polling does."""
    status = re.search(r'hx-get="(/functions/[^"/]+/deploys/\w+)"', text(response))
    if status is None:
        return text(response)

    def finished() -> str | None:
        poll = text(client.get(status.group(1), headers=HTMX))
        return None if 'hx-trigger="load delay:500ms"' in poll else poll

    return wait_until(finished, "the deploy's outcome")


def test_deploy_from_the_pages_creates_then_updates_the_remote_function(client, app, remote_server, tmp_path) -> None:
    from console import EXTENSION

    console = app.extensions[EXTENSION]
    folder = tmp_path / "greeter"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return {'greeting': 'Hello ' + event['name']}\n")
    console.create_folder_function("greeter", str(folder), "app.handler", memory=256)
    page = text(client.get("/functions/greeter"))
    assert 'href="/functions/greeter/deploy">Deploy to remote</a>' in page
    assert "There are no remotes yet" in text(client.get("/functions/greeter/deploy"))
    add_remote(client, "other", remote_server.url)
    remote = remote_lambda(remote_server)

    bad_role = client.post("/functions/greeter/deploy", data={"remote": "other", "role": "admin"}, headers=HTMX)
    assert bad_role.status_code == 422 and "--role admin: not an IAM role&#39;s ARN" in text(bad_role)
    unknown = client.post("/functions/greeter/deploy", data={"remote": "nowhere"}, headers=HTMX)
    assert unknown.status_code == 422 and "nowhere: no such remote (there are: other)" in text(unknown)
    no_role = deployed(client, client.post("/functions/greeter/deploy", data={"remote": "other"}, headers=HTMX))
    assert "The deploy did not finish." in no_role
    assert "greeter is not on remote other yet: a new function needs --role ARN" in no_role

    created = deployed(client, client.post("/functions/greeter/deploy", data={"remote": "other", "role": ROLE},
                                           headers=HTMX))
    assert "Created greeter on other" in created
    progress = re.search(r'data-testid="deploy-progress">(.*?)</pre>', created, re.DOTALL).group(1).splitlines()
    assert progress[0].startswith("Creating greeter on other (") and "Waiting for State Active..." in progress
    assert progress[-1] == "State Active."
    config = remote.get_function_configuration(FunctionName="greeter")
    assert (config["Handler"], config["MemorySize"], config["Role"]) == ("app.handler", 256, ROLE)

    (folder / "app.py").write_text("def handler(event, context):\n    return {'greeting': 'Hi ' + event['name']}\n")
    updated = deployed(client, client.post("/functions/greeter/deploy", data={"remote": "other", "publish": "on"},
                                           headers=HTMX))
    assert "Updated greeter on other" in updated and "version 1 published" in updated
    assert "Updating the code of greeter on other" in updated and "Published version 1." in updated
    answer = remote.invoke(FunctionName="greeter", Qualifier="1", Payload=b'{"name": "Ada"}')
    assert json.loads(answer["Payload"].read()) == {"greeting": "Hi Ada"}
    # The remote function's page runs it there.
    ran = text(remote_run(client, "other", "greeter", "test", '{"name": "Ada"}'))
    assert "&#34;greeting&#34;: &#34;Hi Ada&#34;" in ran

    # Without htmx: the deploy's own page, which shows the same outcome once finished.
    plain = client.post("/functions/greeter/deploy", data={"remote": "other"})
    assert plain.status_code == 303
    wait_until(lambda: "Updated greeter on other" in text(client.get(plain.headers["Location"])), "the deploy")
    assert client.get("/functions/greeter/deploys/nosuchjob").status_code == 404


def test_an_unreachable_remote_is_a_notice_and_the_local_list_is_not_held_up(client, tmp_path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    add_remote(client, "gone", url)
    started = time.monotonic()
    index = client.get("/")
    assert index.status_code == 200 and "hello_python" in text(index)
    assert time.monotonic() - started < 2  # the remote is not asked while the local list is made
    listed = remote_listings(client)
    assert f"Remote gone: cannot reach {url}" in listed and "Check that the endpoint is running" in listed
    # Without script: one page listing every remote's functions, or the notice.
    page = client.get("/remote-functions")
    assert page.status_code == 200 and f"Remote gone: cannot reach {url}" in text(page)
    page = client.get("/remotes/gone/functions/hello_python")
    assert page.status_code == 200 and "Lovelace" in text(page)  # the editor, with the local saved event
    head = client.get("/remotes/gone/functions/hello_python/head", headers=HTMX)
    assert head.status_code == 200 and f"Remote gone: cannot reach {url}" in text(head)
    assert client.get("/remotes/gone/functions.json").status_code == 502


def test_a_remote_under_auth_refuses_unknown_keys_and_answers_its_own(client, monkeypatch, tmp_path) -> None:
    server = LiveServer(tmp_path / "locked-data", args=("--auth",))
    try:
        add_remote(client, "locked", server.url)
        refused = remote_listings(client)
        assert "Remote locked refused: UnrecognizedClientException (HTTP 403)" in refused
        ran = text(remote_run(client, "locked", "hello_python", "test", ADA))
        assert "Remote locked refused: UnrecognizedClientException (HTTP 403)" in ran

        monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_access_key)
        listed = remote_listings(client)
        assert '<a href="/remotes/locked/functions/hello_python">hello_python</a>' in listed
        same = text(remote_run(client, "locked", "hello_python", "compare", ADA))
        assert "<strong>Same response</strong>" in same
    finally:
        server.stop()
