"""The web console's pages through Flask's test client: pages and their fragments, JSON twins, refusals, 404s."""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import HANDLERS, zip_contents
from tests.processes import wait_until
from tests.zips import zip_bytes

HTMX = {"HX-Request": "true"}
PAGES = ["/", "/functions/new", "/functions/hello_python", "/functions/hello_python/configuration",
         "/functions/hello_python/history", "/packages", "/present/hello_python"]


def text(response) -> str:
    return response.get_data(as_text=True)




def run(client, function: str, event: str) -> str:
    """Press Test as htmx does and return the Execution result's HTML.

    The page waits a moment for the answer, then shows the running status, which polls until the result replaces it.
    The samples answer within that moment, except on a busy machine (a cold start alone can outlast it); the running
    status is then followed as htmx follows it.
    """
    response = client.post(f"/functions/{function}/test", data={"event_json": event}, headers=HTMX)
    assert response.status_code == 200
    return answer(client, response)


def answer(client, response) -> str:
    """The result a Test or Run again `response` shows, following its running status if it shows that instead."""
    status = re.search(r'hx-get="(/functions/[^"/]+/runs/\w+)"', text(response))
    return wait_until(lambda: _finished(client, status.group(1)), "the result") if status else text(response)


def _finished(client, status_url: str) -> str | None:
    """The result once the run at `status_url` has finished, as the running status's poll receives it."""
    poll = client.get(status_url, headers=HTMX)
    return text(poll) if poll.headers.get("HX-Retarget") == "#result-body" else None


# -- pages and fragments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_a_whole_page_that_varies_on_hx_request(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert text(response).startswith("<!doctype html>")
    assert "HX-Request" in response.headers["Vary"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style(client, url: str) -> None:
    html = text(client.get(url))
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script>"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert not re.search(r"\sstyle=", html), "a style attribute"
    assert '"includeIndicatorStyles": false' in html
    assert "htmx-2.0.11.min.js" in html


def test_results_and_the_running_status_have_no_inline_script_or_style(client) -> None:
    fragments = [run(client, name, event) for name, event in
                 (("api_gateway_html", "{}"), ("raise_error", '{"quantity": 0}'), ("return_none", "{}"))]
    fragments.append(text(client.post("/functions/sleep_seconds/test", data={"event_json": '{"seconds": 0.9}'},
                                      headers=HTMX)))
    fragments.append(text(client.get("/functions/return_none/history/3")))
    for html in fragments:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=", html)


def test_a_tab_is_a_fragment_for_htmx_and_the_page_includes_it(client) -> None:
    page = text(client.get("/functions/hello_python/history"))
    fragment = text(client.get("/functions/hello_python/history", headers=HTMX))
    assert not fragment.lstrip().startswith("<!doctype")
    assert "Recent invocations" in fragment
    # The page holds the same fragment, inside its layout.
    assert fragment.strip().splitlines()[2].strip() in page


def test_a_history_restore_gets_the_whole_page(client) -> None:
    response = client.get("/functions/hello_python/history",
                          headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert text(response).startswith("<!doctype html>")


def test_the_function_list_shows_name_handler_runtime_and_last_result(client) -> None:
    run(client, "hello_python", '{"first_name": "Ada", "last_name": "Lovelace"}')
    html = text(client.get("/"))
    assert "hello_python.my_handler" in html
    assert re.search(r"status-succeeded\">succeeded</span> <time", html)
    assert "Not run yet" in html
    assert "Create function" in html


def test_unknown_function_is_a_helpful_404(client) -> None:
    for url in ("/functions/nope", "/functions/nope/history", "/functions/nope/configuration", "/present/nope"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Function not found: nope" in text(response)
        assert "See all functions" in text(response)
    assert client.get("/functions/nope.json").get_json() == {
        "error": "Function not found: nope. It may have been deleted, or the name is mistyped."}


# -- JSON twins -------------------------------------------------------------------------------------------------


def test_json_twins(client) -> None:
    run(client, "return_none", "{}")
    functions = client.get("/index.json").get_json()["functions"]
    assert {f["name"] for f in functions} >= {"hello_python", "return_none"}
    assert next(f for f in functions if f["name"] == "return_none")["last_result"] == "succeeded"
    function = client.get("/functions/hello_python.json").get_json()
    assert function["handler"] == "hello_python.my_handler"
    assert function["events"][0]["name"] == "ada-lovelace"
    history = client.get("/functions/return_none/history.json").get_json()["invocations"]
    assert history[0]["status"] == "succeeded"
    entry = client.get(f"/functions/return_none/history/{history[0]['id']}.json").get_json()
    assert entry["response"] is None
    assert "REPORT RequestId" in entry["log"]
    packages = client.get("/packages.json").get_json()["packages"]
    assert any("hello_python" in p["used_by"] for p in packages)


# -- the Test tab -----------------------------------------------------------------------------------------------


def test_test_shows_response_logs_request_id_and_summary(client) -> None:
    html = run(client, "hello_python", '{"first_name": "Ada", "last_name": "Lovelace"}')
    assert "Executing function: succeeded" in html
    assert "Hello Ada Lovelace!" in html
    for label in ("Code SHA-256", "Request ID", "Init duration", "Duration", "Billed duration",
                  "Resources configured", "Max memory used", "Cold"):
        assert f">{label}<" in html
    assert "START RequestId" in html and "END RequestId" in html and "REPORT RequestId" in html


def test_none_is_shown_as_null(client) -> None:
    assert '<pre class="code" data-testid="response">null</pre>' in run(client, "return_none", "{}")


def test_an_exception_shows_the_failed_banner_and_the_error_payload(client) -> None:
    html = run(client, "raise_error", '{"quantity": 0}')
    assert "Executing function: failed" in html
    assert "errorType" in html and "stackTrace" in html


def test_invalid_json_is_refused_with_line_and_column_before_anything_runs(client) -> None:
    response = client.post("/functions/hello_python/test", data={"event_json": '{\n  "a": 1,,\n}'}, headers=HTMX)
    assert response.status_code == 422
    assert "Nothing ran: the event needs fixing first." in text(response)
    assert "line 2, column 10" in text(response)
    assert client.get("/functions/hello_python/history.json").get_json()["invocations"] == []


def test_an_event_over_6_mb_is_refused_with_the_limit(client) -> None:
    event = '{"first_name": "' + "A" * 6_300_000 + '", "last_name": "B"}'
    response = client.post("/functions/hello_python/test", data={"event_json": event}, headers=HTMX)
    assert response.status_code == 422
    assert "Lambda accepts an event of at most 6,291,456 bytes (6 MB). Make the event smaller." in text(response)


def test_without_htmx_test_redirects_to_the_run_page(client) -> None:
    response = client.post("/functions/return_none/test", data={"event_json": "{}"})
    assert response.status_code == 303
    # The run page shows the running status until the result is in (a cold start on a busy machine), then the result.
    page = wait_until(lambda: (html := text(client.get(response.headers["Location"])))
                      and "banner-running" not in html and html, "the run page with the result")
    assert "Executing function: succeeded" in page
    assert page.startswith("<!doctype html>")


def test_a_long_run_polls_then_retargets_the_result(client) -> None:
    response = client.post("/functions/sleep_seconds/test", data={"event_json": '{"seconds": 30}'}, headers=HTMX)
    html = text(response)
    assert 'hx-trigger="load delay:500ms"' in html
    assert "Cancel" in html
    status_url = re.search(r'hx-get="(/functions/sleep_seconds/runs/\w+)"', html).group(1)
    poll = client.get(status_url, headers=HTMX)
    assert "elapsed" in text(poll)
    cancel = client.post(status_url + "/cancel", headers=HTMX)
    assert "Executing function: failed" in text(cancel)
    assert "(cancelled)" in text(cancel)
    done = client.get(status_url, headers=HTMX)
    assert done.headers["HX-Retarget"] == "#result-body"
    assert "Executing function: failed" in text(done)


def test_unknown_run_is_a_404(client) -> None:
    assert client.get("/functions/hello_python/runs/0123abc", headers=HTMX).status_code == 404


def test_choosing_a_template_or_a_saved_event_fills_the_editor(client) -> None:
    response = client.get("/functions/hello_python/editor?choice=template:sqs", headers=HTMX)
    assert response.headers["HX-Push-Url"] == "/functions/hello_python?template=sqs"
    html = text(response)
    assert html.lstrip().startswith('<form id="test-form"')
    assert "eventSourceARN" in html
    unknown = text(client.get("/functions/hello_python/editor?choice=template:nope", headers=HTMX))
    assert "No event template named &#39;nope&#39;. The templates are: alb," in unknown
    saved = text(client.get("/functions/hello_python?event=ada-lovelace"))
    assert "&#34;first_name&#34;: &#34;Ada&#34;" in saved or "&#34;Ada&#34;" in saved


def test_save_refusals_keep_what_was_typed(client) -> None:
    typed = '{"first_name": "Grace"'
    response = client.post("/functions/hello_python/events", data={"event_name": "grace", "event_json": typed},
                           headers=HTMX)
    assert response.status_code == 422
    assert "not valid JSON at line 1" in text(response)
    assert "{&#34;first_name&#34;: &#34;Grace&#34;" in text(response)
    response = client.post("/functions/hello_python/events", data={"event_name": "a b", "event_json": "{}"},
                           headers=HTMX)
    assert response.status_code == 422
    assert "Event name &#39;a b&#39; contains &#39; &#39;" in text(response)


def test_save_then_delete_an_event(client) -> None:
    response = client.post("/functions/hello_python/events", data={"event_name": "kept", "event_json": "[1, 2]"},
                           headers=HTMX)
    assert "Saved event kept." in text(response)
    assert [e["name"] for e in client.get("/functions/hello_python.json").get_json()["events"]] == \
        ["ada-lovelace", "kept"]
    response = client.post("/functions/hello_python/events/delete", data={"event_name": "kept"}, headers=HTMX)
    assert "Deleted event kept." in text(response)
    response = client.post("/functions/hello_python/events/delete", data={"event_name": "kept"}, headers=HTMX)
    assert response.status_code == 422
    assert "nothing was deleted" in text(response)


# -- creating a function ----------------------------------------------------------------------------------------


def test_create_a_function_from_an_uploaded_zip(client, tmp_path) -> None:
    package = zip_contents(HANDLERS / "hello_python", tmp_path / "hello.zip").read_bytes()
    response = client.post("/functions/new", data={
        "package_file": (io.BytesIO(package), "hello.zip"), "name": "greeter", "handler": "hello_python.my_handler",
        "timeout": "5", "memory": "256", "environment": "GREETING=hi\n# a comment\n", "description": "",
    })
    assert response.status_code == 303
    assert response.headers["Location"] == "/functions/greeter"
    function = client.get("/functions/greeter.json").get_json()
    assert (function["timeout"], function["memory"], function["environment"]) == (5, 256, {"GREETING": "hi"})


def test_uploading_the_package_offers_its_handlers(client, tmp_path) -> None:
    package = zip_contents(HANDLERS / "with_dependency", tmp_path / "dep.zip").read_bytes()
    response = client.post("/functions/new/package", data={"package_file": (io.BytesIO(package), "dep.zip")},
                           headers=HTMX)
    assert response.status_code == 200
    assert '<option value="app.handler">' in text(response)
    assert "selected>dep.zip" in text(response)


def test_choosing_a_stored_package_offers_its_handlers(client) -> None:
    sha = client.get("/functions/with_dependency.json").get_json()["package_sha256"]
    response = client.get(f"/functions/new/package?package={sha}", headers=HTMX)
    assert '<option value="app.handler">' in text(response)
    assert f'<option value="{sha}" selected>' in text(response)


def test_a_zip_slip_is_refused_beside_the_package_field(client) -> None:
    evil = zip_bytes({"../evil.py": "x = 1"})
    response = client.post("/functions/new/package", data={"package_file": (io.BytesIO(evil), "evil.zip")},
                           headers=HTMX)
    assert response.status_code == 422
    assert 'id="package-error"' in text(response)
    assert "evil.zip: the zip&#39;s entry" in text(response) and "outside the package" in text(response)


def test_a_file_that_is_not_a_zip_is_refused(client) -> None:
    response = client.post("/functions/new", data={
        "package_file": (io.BytesIO(b"hello"), "notes.txt"), "name": "x", "handler": "a.b"})
    assert response.status_code == 422
    assert "notes.txt: not a zip file" in text(response)
    assert 'value="x"' in text(response)  # what was typed is kept


def test_the_folder_mistake_is_explained_beside_the_package(client) -> None:
    wrapped = zip_bytes({"hello/hello_python.py": "def my_handler(event, context):\n    return 1\n"})
    response = client.post("/functions/new", data={
        "package_file": (io.BytesIO(wrapped), "wrapped.zip"), "name": "wrapped", "handler": "hello_python.my_handler"})
    assert response.status_code == 422
    assert "zip the folder&#39;s contents, not the folder" in text(response)
    assert client.get("/functions/wrapped").status_code == 404


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "bad name", "Function name &#39;bad name&#39; is not valid"),
    ("handler", "", "Give the handler as file.function"),
    ("timeout", "soon", "Timeout &#39;soon&#39; is not a whole number"),
    ("memory", "64", "Memory 64 is not valid"),
    ("environment", "NOEQUALS", "is not KEY=value"),
])
def test_create_refusals_appear_beside_their_field(client, field: str, value: str, message: str) -> None:
    sha = client.get("/functions/hello_python.json").get_json()["package_sha256"]
    data = {"package": sha, "name": "fresh", "handler": "hello_python.my_handler", "timeout": "3", "memory": "128",
            "environment": "", field: value}
    response = client.post("/functions/new", data=data)
    assert response.status_code == 422
    assert re.search(rf'<p class="error" id="{field}-error">[^<]*{re.escape(message)}', text(response))


def test_create_without_a_package_says_to_choose_one(client) -> None:
    response = client.post("/functions/new", data={"name": "x", "handler": "a.b"})
    assert response.status_code == 422
    assert "Choose a package" in text(response)


# -- configuration, code, versions ------------------------------------------------------------------------------


def test_configuration_saves_and_refuses(client) -> None:
    response = client.post("/functions/hello_python/configuration", headers=HTMX, data={
        "handler": "hello_python.my_handler", "timeout": "9", "memory": "512", "environment": "A_B=1",
        "description": "changed"})
    assert "Configuration saved" in text(response)
    assert client.get("/functions/hello_python.json").get_json()["timeout"] == 9
    response = client.post("/functions/hello_python/configuration", headers=HTMX, data={
        "handler": "hello_python.my_handler", "timeout": "9", "memory": "512", "environment": "AWS_REGION=x",
        "description": ""})
    assert response.status_code == 422
    assert "Lambda sets these environment variables itself" in text(response)
    assert client.get("/functions/hello_python.json").get_json()["environment"] == {"A_B": "1"}


def test_configuration_tab_shows_and_saves_ephemeral_storage(client) -> None:
    page = text(client.get("/functions/hello_python/configuration", headers=HTMX))
    assert re.search(r'<input id="ephemeral_storage" name="ephemeral_storage" value="512"', page)
    assert client.get("/functions/hello_python.json").get_json()["ephemeral_storage"] == 512
    fields = {"handler": "hello_python.my_handler", "timeout": "3", "memory": "128", "environment": "",
              "description": ""}
    response = client.post("/functions/hello_python/configuration", headers=HTMX,
                           data={**fields, "ephemeral_storage": "2048"})
    assert "Configuration saved" in text(response)
    assert re.search(r'name="ephemeral_storage" value="2048"', text(response))
    assert client.get("/functions/hello_python.json").get_json()["ephemeral_storage"] == 2048
    for value, says in (("100", ("Ephemeral storage 100 is not valid: give a whole number of MB of /tmp from 512 to "
                                "10240.")),
                        ("lots", "Ephemeral storage &#39;lots&#39; is not a whole number: type digits only")):
        response = client.post("/functions/hello_python/configuration", headers=HTMX,
                               data={**fields, "ephemeral_storage": value})
        assert response.status_code == 422
        assert f'<p class="error" id="ephemeral_storage-error">{says}' in text(response)
        assert client.get("/functions/hello_python.json").get_json()["ephemeral_storage"] == 2048


def test_a_new_function_is_created_with_its_ephemeral_storage(client) -> None:
    code = zip_bytes({"app.py": "def handler(event, context):\n    return 1\n"})
    response = client.post("/functions/new", data={
        "name": "roomy", "handler": "app.handler", "timeout": "3", "memory": "128", "ephemeral_storage": "4096",
        "environment": "", "description": "", "package_file": (io.BytesIO(code), "app.zip")})
    assert response.status_code == 303
    assert client.get("/functions/roomy.json").get_json()["ephemeral_storage"] == 4096


def test_new_code_is_hot_reloaded(client) -> None:
    code = zip_bytes({"hello_python.py": "def my_handler(event, context):\n    return 'new code'\n"})
    response = client.post("/functions/hello_python/code", headers=HTMX,
                           data={"package_file": (io.BytesIO(code), "new.zip")})
    assert "New code uploaded" in text(response)
    assert "new code" in run(client, "hello_python", "{}")


def test_publish_a_version(client) -> None:
    response = client.post("/functions/hello_python/versions", headers=HTMX, data={"version_description": "first"})
    assert "Version 1 is published." in text(response)
    assert client.get("/functions/hello_python.json").get_json()["versions"] == ["$LATEST", "1"]


# -- history, preview, presenter, packages ----------------------------------------------------------------------


def test_history_lists_runs_and_runs_one_again(client) -> None:
    run(client, "hello_python", '{"first_name": "A", "last_name": "B"}')
    html = text(client.get("/functions/hello_python/history"))
    assert "succeeded" in html and "cold" in html and "console" in html
    entry_id = client.get("/functions/hello_python/history.json").get_json()["invocations"][0]["id"]
    entry = text(client.get(f"/functions/hello_python/history/{entry_id}"))
    assert "Hello A B!" in entry and "Run again" in entry
    again = answer(client, client.post(f"/functions/hello_python/history/{entry_id}/rerun", headers=HTMX))
    assert "Hello A B!" in again and "warm" in again
    assert client.get(f"/functions/return_none/history/{entry_id}").status_code == 404


def test_preview_of_an_html_response_is_sandboxed(client) -> None:
    html = run(client, "api_gateway_html", '{"queryStringParameters": {"name": "Ada"}}')
    frame = re.search(r'<iframe[^>]*sandbox=""[^>]*src="([^"]+)"', html)
    assert frame, "a sandboxed preview frame"
    preview = client.get(frame.group(1))
    assert preview.mimetype == "text/html"
    assert b"<h1>Hello Ada!</h1>" in preview.data
    policy = preview.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "script-src" not in policy and "frame-ancestors 'self'" in policy


def test_preview_of_json_and_image_responses(client, tmp_path) -> None:
    code = zip_bytes({"app.py": (
        "import base64, json\n"
        "PNG = base64.b64encode(bytes.fromhex('89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082')).decode()\n"
        "def handler(event, context):\n"
        "    if event.get('image'):\n"
        "        return {'statusCode': 200, 'headers': {'Content-Type': 'image/png'}, 'body': PNG,"
        " 'isBase64Encoded': True}\n"
        "    return {'statusCode': 201, 'body': json.dumps({'ok': True})}\n")})
    client.post("/functions/new", data={"package_file": (io.BytesIO(code), "app.zip"), "name": "api",
                                        "handler": "app.handler"})
    html = run(client, "api", "{}")
    assert "HTTP 201 · application/json" in html
    assert "&#34;ok&#34;: true" in html
    html = run(client, "api", '{"image": true}')
    src = re.search(r'<img class="preview-image" src="([^"]+)"', html).group(1)
    assert client.get(src).data.startswith(b"\x89PNG")


def test_presenter_shows_saved_events_and_results_not_configuration(client) -> None:
    page = text(client.get("/present/api_gateway_html"))
    assert "<kbd>1</kbd> get-hello</button>" in page
    assert "Configuration" not in page and "Environment" not in page
    html = text(client.post("/present/api_gateway_html", data={"event": "get-hello"}, headers=HTMX))
    status = re.search(r'hx-get="(/present/api_gateway_html/runs/\w+)"', html)
    if status:  # still running after the page's first wait (a cold start on a busy machine): poll as htmx does
        html = wait_until(lambda: "banner-running" not in (polled := text(client.get(status.group(1), headers=HTMX)))
                          and polled, "the presenter's result")
    assert "<strong>It worked</strong>" in html
    assert "Open in History" not in html


def test_packages_upload_refuse_and_delete(client) -> None:
    response = client.post("/packages", headers=HTMX,
                           data={"package_file": (io.BytesIO(zip_bytes({"a.py": "x = 1"})), "a.zip")})
    assert "Stored a.zip (1 files)." in text(response)
    sha = next(p["sha256"] for p in client.get("/packages.json").get_json()["packages"] if p["filename"] == "a.zip")
    response = client.post("/packages", headers=HTMX, data={"package_file": (io.BytesIO(b""), "empty.zip")})
    assert response.status_code == 422
    used = client.get("/functions/hello_python.json").get_json()["package_sha256"]
    response = client.post(f"/packages/{used}/delete", headers=HTMX)
    assert response.status_code == 409
    assert "is used by hello_python" in text(response)
    response = client.post(f"/packages/{sha}/delete", headers=HTMX)
    assert "Deleted a.zip." in text(response)
    assert sha not in text(client.get("/packages"))
