"""The pages say which Python runs a function and which ran each invocation, and mark deprecated runtimes."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest

from console import EXTENSION, create_app
from console.engine.interpreters import find
from tests.web.test_pages import run, text
from tests.zips import zip_bytes

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"
VERSION_ZIP = zip_bytes({"app.py": "import sys\n\ndef handler(event, context):\n    return list(sys.version_info[:2])\n"})


def page_text(response) -> str:
    """The page's words as a reader sees them: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text(response))).split())


def other_python():
    for runtime in ("python3.12", "python3.13", "python3.10", "python3.9"):
        found = find(runtime)[0] if runtime != OWN else None
        if found is not None:
            return found
    pytest.skip("no Python besides the console's own is installed (pyenv or uv): install one for this test")


def test_the_configuration_tab_shows_the_interpreter_and_a_deprecated_runtime(client, app):
    console = app.extensions[EXTENSION]
    console.create_function("seed", VERSION_ZIP, "app.handler", runtime="python3.6")
    console.create_function("current", VERSION_ZIP, "app.handler", runtime=OWN)
    words = page_text(client.get("/functions/seed/configuration"))
    assert "Runtime python3.6 deprecated since 2022-07-18" in words
    assert f"Runs on Python {'.'.join(map(str, sys.version_info[:3]))} · {sys.executable} (the console's own)" in words
    assert f"Not python3.6: this function runs on Python {OWN[6:]}, because " in words
    assert "Every result says so." in words
    current = page_text(client.get("/functions/current/configuration"))
    assert f"Runtime {OWN} Runs on Python" in current and "Not " + OWN not in current
    listing = page_text(client.get("/"))
    assert "seed app.handler python3.6 deprecated" in listing
    assert f"current app.handler {OWN} Not run yet" in listing or f"current app.handler {OWN} deprecated" in listing


def test_a_python_installed_here_is_shown_and_runs_the_function(client, app):
    python = other_python()
    app.extensions[EXTENSION].create_function("versioned", VERSION_ZIP, "app.handler", runtime=python.runtime)
    words = page_text(client.get("/functions/versioned/configuration"))
    assert f"Runs on Python {python.version_text} · {python.path}" in words
    result = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", run(client, "versioned", "{}"))).split())
    assert f"[ {python.version[0]}, {python.version[1]} ]" in result or str(list(python.version[:2])) in result
    assert f"Python {python.runtime}" in result and "Ran on" not in result


def test_every_result_says_when_another_python_ran_it(tmp_path: Path):
    python = other_python()
    runtime = python.runtime
    # The config names a script starting that Python; when the script is removed, the console's own runs the function.
    wrapper = tmp_path / "bin" / "python-wrapper"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{python.path}" "$@"\n')
    wrapper.chmod(0o755)
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data",
                      "CONSOLE": {"interpreters": {runtime: str(wrapper)}, "load_samples": False}})
    try:
        console = app.extensions[EXTENSION]
        console.create_function("moved", VERSION_ZIP, "app.handler", runtime=runtime)
        client = app.test_client()
        shown = page_text(client.get("/functions/moved/configuration"))
        assert f"{python.path} (named in the config)" in shown and "Not " + runtime not in shown
        wrapper.unlink()
        words = page_text(client.get("/functions/moved/configuration"))
        assert f"Not {runtime}: this function runs on Python {OWN[6:]}, because the configured interpreter: {wrapper} " \
               "does not exist" in words
        result = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", run(client, "moved", "{}"))).split())
        note = f"Ran on Python {OWN[6:]}; the function's runtime is {runtime} (the configured interpreter: {wrapper}"
        assert note in result
        assert f"Python {OWN}" in result  # the summary's Python row
        history = page_text(client.get("/functions/moved/history"))
        assert f"ran on Python {OWN[6:]}; the function's runtime is {runtime}" in history
        entry = client.get(f"/functions/moved/history/{console.last_invocation('moved').id}.json").get_json()
        assert entry["ran_on"] == OWN and entry["interpreter_note"].startswith(f"ran on Python {OWN[6:]}")
    finally:
        app.extensions[EXTENSION].close()
