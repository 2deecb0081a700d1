"""Hostile but valid input through the web console and its JSON twins: lone surrogates, deep nesting, a Content-Type
that would inject a header, numbers too large for the database. Each gets Lambda's answer or a page saying what to
fix, never a 500."""

from __future__ import annotations

import pytest

from console import EXTENSION
from tests.zips import zip_bytes

HTMX = {"HX-Request": "true"}
DEEP = "[" * 1000 + "]" * 1000  # valid JSON, deeper than Python's reader follows




@pytest.fixture
def console(app):
    return app.extensions[EXTENSION]


def make(console, name: str, source: str, runtime: str = "python3.12") -> str:
    console.create_function(name, zip_bytes({"app.py": source}), "app.handler", runtime=runtime)
    return name


def test_run(client, name: str, event: str) -> str:
    response = client.post(f"/functions/{name}/test", data={"event_json": event}, headers=HTMX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


test_run.__test__ = False  # a helper, not a test


def every_view_of_the_latest_entry(client, console, name: str) -> dict:
    """The History tab, the entry page and both JSON twins answer 200; the entry's JSON twin is returned."""
    entry = console.history.latest(name)
    for url in (f"/functions/{name}/history", f"/functions/{name}/history.json", f"/functions/{name}/history/{entry.id}"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[-400:])
    twin = client.get(f"/functions/{name}/history/{entry.id}.json")
    assert twin.status_code == 200
    return twin.get_json()


def test_a_lone_surrogate_in_a_python311_response_is_shown_as_its_escape(client, console) -> None:
    # python3.11's runtime escapes it (ensure_ascii), so the payload is valid JSON holding "\ud83d".
    name = make(console, "half_pair", "def handler(event, context):\n    return {'text': 'half a pair: \\ud83d'}\n",
                runtime="python3.11")
    html = test_run(client, name, "{}")
    assert "Executing function: succeeded" in html
    assert "half a pair: \\ud83d" in html
    twin = every_view_of_the_latest_entry(client, console, name)
    assert twin["response"] == {"text": "half a pair: \ud83d"}
    assert "half a pair: \\ud83d" in client.get(f"/functions/{name}/history/{twin['id']}").get_data(as_text=True)


def test_a_lone_surrogate_in_an_event_reaches_the_handler_as_lambda_passes_it(client, console) -> None:
    old = make(console, "echo311", "def handler(event, context):\n    return event\n", runtime="python3.11")
    html = test_run(client, old, '{"a": "\\udc80"}')
    assert "Executing function: succeeded" in html and "\\udc80" in html
    twin = every_view_of_the_latest_entry(client, console, old)
    assert twin["response"] == {"a": "\udc80"} and twin["event"] == '{"a": "\\udc80"}'
    # python3.12 writes UTF-8, which a lone surrogate has no form in: its runtime exits, as on Lambda.
    new = make(console, "echo312", "def handler(event, context):\n    return event\n")
    html = test_run(client, new, '"\\udc80"')
    assert "Runtime.ExitError" in html
    assert every_view_of_the_latest_entry(client, console, new)["error_type"] == "Runtime.ExitError"
    assert "\\udc80" in client.get(f"/functions/{new}/history/{console.history.latest(new).id}").get_data(as_text=True)


def test_a_content_type_with_a_line_break_is_not_previewed_and_injects_no_header(client, console) -> None:
    name = make(console, "evil_header", (
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'headers': {'Content-Type': 'text/html\\r\\nX-Evil: 1'}, 'body': '<p>hi</p>'}\n"
    ))
    html = test_run(client, name, "{}")
    assert "Executing function: succeeded" in html
    assert 'data-testid="preview-refused"' in html
    assert "Not previewed: the response&#39;s Content-Type header holds &#39;\\r&#39;" in html
    assert "<iframe" not in html
    every_view_of_the_latest_entry(client, console, name)
    preview = client.get(f"/functions/{name}/history/{console.history.latest(name).id}/preview")
    assert preview.status_code == 422
    assert "X-Evil" not in preview.headers
    assert preview.headers["Content-Type"].startswith("text/plain")
    assert "Return a Content-Type of printable ASCII" in preview.get_data(as_text=True)


def test_deeply_nested_json_is_accepted_as_lambda_accepts_it_and_the_runtime_answers(client, console) -> None:
    # python3.11's reader stops at this depth (3.12's reads it): the function runs on a local 3.11, or on the console's
    # own Python, itself 3.10 or 3.11 when no 3.11 is installed.
    name = make(console, "deep", "def handler(event, context):\n    return 'read it'\n", runtime="python3.11")
    html = test_run(client, name, DEEP)
    # Lambda's Invoke takes it; the runtime's JSON reader gives up, as on Lambda.
    assert "Runtime.UnmarshalError" in html and "Unable to unmarshal input" in html
    twin = every_view_of_the_latest_entry(client, console, name)
    assert twin["event"] == DEEP
    entry = client.get(f"/functions/{name}/history/{twin['id']}").get_data(as_text=True)
    assert "[[[[[[[[]]]]]]]]" in entry  # the event shown as the text it is, not pretty printed


def test_deeply_nested_json_with_a_mistake_is_refused_with_its_place(client, console) -> None:
    response = client.post("/functions/hello_python/test", data={"event_json": DEEP[:-1] + "}"}, headers=HTMX)
    assert response.status_code == 422
    assert "Event JSON: not valid JSON at line 1, column 2000" in response.get_data(as_text=True)


def test_a_deeply_nested_saved_event_is_kept_as_written(client, console) -> None:
    response = client.post("/functions/hello_python/events", data={
        "choice": "new", "event_name": "deep", "event_json": DEEP}, headers=HTMX)
    assert response.status_code < 400, response.get_data(as_text=True)[-400:]
    assert console.events.get("hello_python", "deep").body == DEEP


@pytest.mark.parametrize("url", [
    "/functions/hello_python/history/99999999999999999999999",
    "/functions/hello_python/history/99999999999999999999999.json",
    "/functions/hello_python/history/99999999999999999999999/preview",
])
def test_an_entry_number_too_large_for_the_database_is_not_found(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "No invocation 99999999999999999999999 in the history" in response.get_data(as_text=True)


def test_a_version_too_large_for_the_database_is_not_found(console) -> None:
    from console.core.functions import FunctionNotFound

    with pytest.raises(FunctionNotFound, match=r"Function not found: hello_python:99999999999999999999999$"):
        console.invoke("hello_python", b"{}", version="99999999999999999999999")
    with pytest.raises(FunctionNotFound, match="is not \\$LATEST or a published version number"):
        console.functions.get("hello_python", "\u00b2")  # a digit to str.isdigit(), not to int()



def test_a_memory_figure_that_could_not_be_measured_says_so(client, console, monkeypatch) -> None:
    from console.engine.memory import READER_VARIABLE

    monkeypatch.setenv(READER_VARIABLE, "none")
    html = test_run(client, make(console, "unmeasured", "def handler(event, context):\n    return 1\n"), "{}")
    assert "<dt>Max memory used</dt><dd>not measured</dd>" in html
    assert "Max Memory Used" not in html
    assert console.history.latest("unmeasured").max_memory_used_mb is None
