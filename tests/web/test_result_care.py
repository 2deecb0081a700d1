"""Results read at a glance and agree with themselves: the failure banner, a failed init, the samples' first events."""

from __future__ import annotations

import re
from html import unescape

from console import EXTENSION
from tests.web.test_pages import run, text
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
