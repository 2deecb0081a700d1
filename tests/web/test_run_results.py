"""A Test's result as the page polls it: read from the history, large events included; a result the history no
longer keeps says so."""

from __future__ import annotations

import json
import re
import time
from html import unescape

from console import EXTENSION, create_app

HTMX = {"HX-Request": "true"}


def poll_until_done(client, html: str) -> str:
    """Follow the running status as htmx does, until the result replaces it."""
    deadline = time.monotonic() + 60
    while match := re.search(r'hx-get="(/functions/[^"]+/runs/[0-9a-f]+)"', html):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        html = client.get(match.group(1), headers=HTMX).get_data(as_text=True)
    return html


def test_a_large_event_result_is_shown_from_the_history(client) -> None:
    blob = "y" * (2 * 1024 * 1024)
    event = json.dumps({"seconds": 0.8, "blob": blob})
    response = client.post("/functions/sleep_seconds/test", data={"event_json": event}, headers=HTMX)
    html = poll_until_done(client, response.get_data(as_text=True))
    assert "Executing function: succeeded" in html and re.search(r'"slept":\s*0\.8', unescape(html))
    entry = re.search(r'href="/functions/sleep_seconds/history/(\d+)"', html).group(1)
    stored = client.get(f"/functions/sleep_seconds/history/{entry}.json").get_json()
    assert stored["event"] == event and stored["response"] == {"slept": 0.8}


def test_a_result_the_history_no_longer_keeps_says_so(tmp_path) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "CONSOLE": {"history_keep": 1}})
    client = app.test_client()
    try:
        first = client.post("/functions/hello_python/test", data={"event_json": '{"first_name": "A", '
                                                                  '"last_name": "B"}'})
        assert first.status_code == 303
        for _ in range(2):  # the history keeps one entry per function: these push the first one out
            html = client.post("/functions/hello_python/test", data={"event_json": '{"first_name": "C", '
                                                                     '"last_name": "D"}'},
                               headers=HTMX).get_data(as_text=True)
            poll_until_done(client, html)
        page = client.get(first.headers["Location"]).get_data(as_text=True)
        assert "no longer in the history" in page and "Run the test again" in page
    finally:
        app.extensions[EXTENSION].close()
