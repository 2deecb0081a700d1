"""Random handler strings and event names: a clear refusal or Lambda's own error payload, never a crash, and
never a file outside the folder an export was given."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.config import load_config
from console.core.console import Console
from console.core.events import EventError
from console.core.functions import FunctionError

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HANDLERS = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", ".", "..", "a.", ".b", "a..b", "sys.exit", "os.system", "../app.handler", "/etc/passwd.x",
                     "app/../app.handler", "hello_python.my_handler", "hello_python.__init__", "a b.c", "日本.語"]),
    st.lists(st.sampled_from(["a", "hello_python", "my_handler", "..", "/", "__main__", "builtins"]), max_size=4)
    .map(".".join),
)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with Console(load_config(tmp_path_factory.mktemp("data"))) as console:
        yield console


@FUZZ
@given(handler=HANDLERS)
def test_any_handler_string_is_refused_or_answered_as_lambda_would(console, handler):
    try:
        console.update_function_configuration("hello_python", handler=handler)
    except FunctionError as exc:
        assert exc.field == "handler" and "Handler" in str(exc)
        return
    record = console.invoke("hello_python", b'{"first_name": "A", "last_name": "B"}')
    if record.succeeded:  # some string named a callable that took (event, context): its answer is JSON
        json.loads(record.payload)
        return
    payload = json.loads(record.payload)
    assert record.error_type == payload["errorType"]
    assert payload["errorType"].startswith("Runtime.") or payload["errorType"].endswith("Error"), payload
    assert payload["errorMessage"]


@FUZZ
@given(name=st.text(max_size=80), body=st.sampled_from(["{}", "[]", "null", '"x"', "1.10", "{"]))
def test_any_event_name_is_refused_or_saved_and_exported_inside_the_folder(console, tmp_path_factory, name, body):
    try:
        event = console.save_event("return_none", name, body)
    except EventError as exc:
        assert str(exc).strip()
        return
    folder = tmp_path_factory.mktemp("export")
    written = console.events.export_folder("return_none", folder)
    assert all(path.resolve().parent == folder.resolve() for path in written)
    assert (folder / f"{event.name}.json").read_text() == body
    console.events.delete("return_none", event.name)
