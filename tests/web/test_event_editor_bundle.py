"""The event editor's script: the function page loads the one versioned file, served from the console itself, and
that file says what it is made of and under which licence (CodeMirror's MIT notice travels with the copy)."""

from __future__ import annotations

import re

from console.web.rendering import CODEMIRROR_VERSION


def test_the_function_page_loads_the_versioned_editor_from_the_console(client) -> None:
    html = client.get("/functions/hello_python").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    (editor,) = [src for src in scripts if "codemirror" in src]
    assert editor.startswith(f"/assets/codemirror-{CODEMIRROR_VERSION}.min.js?v=")
    # Every script from the console itself, none from a CDN.
    assert all(script.startswith("/assets/") for script in scripts)
    response = client.get(editor.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.mimetype.endswith("javascript")
    head = response.get_data(as_text=True)[:3000]
    assert head.startswith(f"/*! CodeMirror {CODEMIRROR_VERSION} ")
    assert "@codemirror/view" in head and "MIT License" in head
    assert "Permission is hereby granted, free of charge" in head
    assert "window.LambdaConsoleEditor" in response.get_data(as_text=True)


def test_the_textarea_stays_the_form_field_the_editor_attaches_to(client) -> None:
    html = client.get("/functions/hello_python").get_data(as_text=True)
    field = re.search(r"<textarea[^>]*>", html).group(0)
    assert 'name="event_json"' in field and "data-code-editor" in field and "hidden" not in field
    assert re.search(r'<label for="event_json">Event JSON</label>', html)
