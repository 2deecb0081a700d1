"""Events nested deeper than Python's JSON reader follows: accepted, saved, exported and imported back as written, as
Lambda accepts them; a mistake in one is reported with its place. The depth-free checker agrees with json.loads."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.config import load_config
from console.core.console import Console
from console.core.deepjson import check_json
from console.core.events import EventError

DEEP = "[" * 1500 + '{"a": "\\udc80"}' + "]" * 1500


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data")) as console:
        yield console


def test_a_deep_event_is_saved_exported_and_imported_back_as_written(console, tmp_path: Path) -> None:
    console.save_event("hello_python", "deep", DEEP)
    console.save_event("hello_python", "flat", '{"first_name": "A"}')
    bundle = console.events.export_bundle("hello_python")
    folder = tmp_path / "events"
    console.events.export_folder("hello_python", folder)
    assert (folder / "deep.json").read_text() == DEEP
    console.events.delete("hello_python", "deep")
    imported = console.events.import_bundle("hello_python", bundle, replace=True)
    assert {"deep", "flat"} <= {event.name for event in imported}
    assert console.events.get("hello_python", "deep").body == DEEP
    console.events.delete("hello_python", "deep")
    console.events.import_folder("hello_python", folder, replace=True)
    assert console.events.get("hello_python", "deep").body == DEEP


def test_a_deep_bundle_with_a_mistake_is_refused_with_its_place(console) -> None:
    bundle = '{"lambda-console-events": 1, "function": "f", "events": [{"name": "d", "event": ' + DEEP + "}"
    with pytest.raises(EventError, match=r"^bundle: not valid JSON at line 1, column \d+: Expecting ','") as refused:
        console.events.import_bundle("hello_python", bundle)
    assert refused.value.column == len(bundle) + 1


def test_a_deep_event_runs_and_the_runtime_answers_as_on_lambda(console, tmp_path: Path) -> None:
    package = tmp_path / "echo.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    console.create_function("echo", package.read_bytes(), "app.handler")
    console.save_event("echo", "deep", DEEP)
    record = console.test("echo", "deep")
    assert record.error_type == "Runtime.UnmarshalError"
    assert console.history.get(record.id).event == DEEP


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES, indent=st.sampled_from([None, 2]), cut=st.integers(min_value=0, max_value=40),
       junk=st.sampled_from(["", ",", "]", "}", ":", "x", '"', "\\", " 1"]))
def test_the_depth_free_checker_agrees_with_json_loads(value, indent, cut, junk) -> None:
    text = json.dumps(value, indent=indent)
    text = text[: max(0, len(text) - cut)] + junk if cut or junk else text
    try:
        json.loads(text)
        expected = None
    except json.JSONDecodeError as exc:
        expected = exc.pos
    try:
        check_json(text)
        found = None
    except json.JSONDecodeError as exc:
        found = exc.pos
    assert (found is None) == (expected is None), (text, expected, found)
