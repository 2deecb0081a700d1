"""Results read at a glance and agree with themselves: the failure banner, a failed init, the samples' first events."""

from __future__ import annotations

import re
from html import unescape

from console import EXTENSION
from tests.processes import wait_until
from tests.web.test_pages import answer, run, text
from tests.zips import zip_bytes

HTMX = {"HX-Request": "true"}


def banner(html: str) -> str:
    return unescape(re.search(r'<span data-testid="failure">(.*?)</span>', html, re.DOTALL).group(1))


def test_the_failure_banner_says_type_and_message(client) -> None:
    html = run(client, "raise_error", '{"quantity": 0}')
    assert banner(html) == "ValueError: quantity must be positive, got 0"


def test_a_failed_init_is_a_cold_start_and_its_init_duration_says_the_init_failed(app, client) -> None:
    app.extensions[EXTENSION].create_function("broken", zip_bytes({"app.py": "import nope\n"}), "app.handler")
    html = run(client, "broken", "{}")
    assert banner(html) == "Runtime.ImportModuleError: Unable to import module 'app': No module named 'nope'"
    assert "<dt>Start</dt><dd>Cold</dd>" in html
    assert "<dt>Init duration</dt><dd>none: the init phase failed</dd>" in html
    assert "none (warm)" not in html


def test_the_raise_error_samples_first_saved_event_fails(client) -> None:
    page = text(client.get("/functions/raise_error"))
    first = re.search(r'<option value="event:([^"]+)" selected', page).group(1)
    body = unescape(re.search(r'<textarea id="event_json"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1))
    html = run(client, "raise_error", body)
    assert first == "too-many"
    assert banner(html) == "OrderRejected: at most 10 items per order, got 12"


def history_rows(client, function: str) -> list[dict]:
    return client.get(f"/functions/{function}/history.json").get_json()["invocations"]


def test_the_history_names_the_saved_event_run_and_labels_presenter_runs(client) -> None:
    saved = client.get("/functions/hello_python.json").get_json()["events"][0]
    # Test with the saved event open and unchanged, then edited: only the first names it.
    for body in (saved["event"], '{"first_name": "Edited", "last_name": "Event"}'):
        response = client.post("/functions/hello_python/test", headers=HTMX,
                               data={"event_json": body, "opened": saved["name"]})
        answer(client, response)
    response = client.post("/present/hello_python", headers=HTMX, data={"event": saved["name"]})
    assert response.status_code == 200
    wait_until(lambda: len(history_rows(client, "hello_python")) == 3, "the presenter's run in the history")
    rows = history_rows(client, "hello_python")
    assert [(r["source"], r["event_name"]) for r in rows] == \
        [("presenter", saved["name"]), ("console", ""), ("console", saved["name"])]
    html = text(client.get("/functions/hello_python/history"))
    assert "<th scope=\"col\">Saved event</th>" in html
    assert f"<td>presenter</td>\n        <td>{saved['name']}</td>" in html
    entry = text(client.get(f"/functions/hello_python/history/{rows[0]['id']}"))
    assert f"source presenter · saved event {saved['name']}" in entry


def test_times_are_time_elements_with_utc_as_text_and_in_the_tooltip(client) -> None:
    run(client, "hello_python", '{"first_name": "A", "last_name": "B"}')
    html = text(client.get("/functions/hello_python/history"))
    stamp = re.search(r'<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d{3}Z" title="([^"]+)">([^<]+)</time>', html)
    assert stamp and stamp.group(2) == stamp.group(3) == stamp.group(1).replace("T", " ") + " UTC"
    assert re.search(r'<script src="/assets/times\.js\?v=\w+" defer></script>', html)


def test_copy_buttons_are_hidden_until_script_shows_them(client) -> None:
    html = run(client, "hello_python", '{"first_name": "A", "last_name": "B"}')
    for label in ("Copy ID", "Copy response", "Copy log"):
        assert re.search(rf'<button class="button button-small" type="button" data-copy="[\w-]+" hidden>{label}</button>',
                         html), label
