"""Saved events as tests on the pages: the expectation editor, Save as expected, Run all and the function list."""

from __future__ import annotations

import re
import time
from html import unescape

HTMX = {"HX-Request": "true"}


def poll_run(client, html: str) -> str:
    """Follow a running test run as htmx does, until its pass/fail list replaces it."""
    deadline = time.monotonic() + 60
    while match := re.search(r'hx-get="(/test-runs/[0-9a-f]+)"', html):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        html = client.get(match.group(1), headers=HTMX).get_data(as_text=True)
    return html


def form(event: str, body: str, **expected: str) -> dict[str, str]:
    return {"choice": f"event:{event}", "event_name": event, "event_json": body,
            **{f"expected_{key}": value for key, value in expected.items()}}


def test_the_expectation_editor_saves_refuses_and_clears(client) -> None:
    body = '{"first_name": "Ada", "last_name": "Lovelace"}'
    page = client.get("/functions/hello_python?event=ada-lovelace").get_data(as_text=True)
    assert "Expected result" in page and "none: Run all skips this event" in page

    refused = client.post("/functions/hello_python/expectation", headers=HTMX, data=form(
        "ada-lovelace", body, response='{"message": ', outcome="success", max_duration="soon"))
    assert refused.status_code == 422
    html = unescape(refused.get_data(as_text=True))
    assert "Expected response: not valid JSON at line 1, column 13" in html
    assert '{"message": </textarea>' in html  # what was typed is kept

    slow = client.post("/functions/hello_python/expectation", headers=HTMX, data=form(
        "ada-lovelace", body, response="", outcome="any", max_duration="soon"))
    assert slow.status_code == 422 and "Maximum duration &#39;soon&#39; is not a number" in slow.get_data(as_text=True)

    saved = client.post("/functions/hello_python/expectation", headers=HTMX, data=form(
        "ada-lovelace", body, response='{"message": "Hello Ada Lovelace!"}', outcome="success", max_duration="2500"))
    html = unescape(saved.get_data(as_text=True))
    assert saved.status_code == 200 and "Saved the expected result of ada-lovelace" in html
    assert 'value="2500"' in html and "Clear expected result" in html

    twin = client.get("/functions/hello_python.json").get_json()
    ada = next(event for event in twin["events"] if event["name"] == "ada-lovelace")
    assert ada["expected"] == {"response": {"message": "Hello Ada Lovelace!"}, "functionError": False,
                               "maxDurationMs": 2500}

    unsaved = client.post("/functions/hello_python/expectation", headers=HTMX, data=form(
        "not-saved", body, response="{}"))
    assert unsaved.status_code == 422
    assert "has no saved event named &#39;not-saved&#39;: save the event first" in unsaved.get_data(as_text=True)

    cleared = client.post("/functions/hello_python/expectation/clear", headers=HTMX, data=form("ada-lovelace", body))
    assert "Cleared the expected result of ada-lovelace" in cleared.get_data(as_text=True)


def test_save_as_expected_then_run_all_shows_passes_failures_and_the_diff(client) -> None:
    # A result of the saved event: Save as expected offers that event's name.
    done = client.post("/functions/raise_error/test", headers=HTMX, data={"event_json": '{"quantity": 0}'})
    html = done.get_data(as_text=True)
    deadline = time.monotonic() + 60
    while match := re.search(r'hx-get="(/functions/raise_error/runs/[0-9a-f]+)"', html):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        html = client.get(match.group(1), headers=HTMX).get_data(as_text=True)
    entry = re.search(r'/functions/raise_error/history/(\d+)/expected', html).group(1)
    assert 'name="event_name" value="zero-quantity"' in html
    # The history entry's page offers it too.
    assert "Save as expected" in client.get(f"/functions/raise_error/history/{entry}").get_data(as_text=True)
    saved = client.post(f"/functions/raise_error/history/{entry}/expected", headers=HTMX,
                        data={"event_name": "zero-quantity"})
    assert "Saved as the expected result of zero-quantity" in saved.get_data(as_text=True)
    # A saved event holding other JSON is refused, saying why.
    refused = client.post(f"/functions/raise_error/history/{entry}/expected", headers=HTMX,
                          data={"event_name": "too-many"})
    assert refused.status_code == 422 and "holds other JSON" in refused.get_data(as_text=True)
    # Expected to succeed, but it fails: a failure with its diff.
    client.post("/functions/raise_error/expectation", headers=HTMX, data=form(
        "too-many", '{"quantity": 11}', response='{"accepted": 11}', outcome="success"))

    html = poll_run(client, client.post("/functions/raise_error/test-runs", headers=HTMX).get_data(as_text=True))
    html = unescape(html)
    assert "1 passed, 1 failed" in html
    assert "outcome: expected the invocation to succeed, it failed (OrderRejected)" in html
    assert "missing  $.accepted: expected 11, the response has none" in html

    # The function list shows the last test run of each function, and its Run all covers every function.
    index = client.get("/").get_data(as_text=True)
    assert "1 passed, 1 failed" in index
    listed = {row["name"]: row for row in client.get("/index.json").get_json()["functions"]}
    assert listed["raise_error"]["last_test_run"]["failed"] == 1 and listed["hello_python"]["last_test_run"] is None
    everything = unescape(poll_run(client, client.post("/test-runs", headers=HTMX).get_data(as_text=True)))
    assert "1 passed, 1 failed" in everything and "raise_error" in everything
    # The Test tab shows the last run after a reload.
    tab = unescape(client.get("/functions/raise_error").get_data(as_text=True))
    assert "1 passed, 1 failed" in tab and "missing  $.accepted" in tab


def test_run_all_without_htmx_goes_to_the_run_page_and_an_unknown_run_is_a_404(client) -> None:
    response = client.post("/test-runs")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Test run" in page
    assert client.get("/test-runs/nope").status_code == 404
    assert client.post("/functions/nope/test-runs", headers=HTMX).status_code == 404
