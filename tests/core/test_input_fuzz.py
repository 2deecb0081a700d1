"""Random handler strings and event names: a clear refusal or Lambda's own error payload, never a crash, and
never a file outside the folder an export was given."""

from __future__ import annotations

import json
import zipfile

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
        echo = tmp_path_factory.mktemp("echo") / "echo.zip"
        with zipfile.ZipFile(echo, "w") as archive:
            archive.writestr("app.py", "def handler(event, context):\n    return event\n")
        console.create_function("echo_fuzz", echo.read_bytes(), "app.handler")
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


# Strings JSON can carry that UTF-8 pages cannot, or that break lines and headers.
HOSTILE_TEXT = st.text(alphabet=st.sampled_from(["\udc80", "\ud83d", "\x00", "\r", "\n", "\x1b", "\u2028", "a", "é"]),
                       max_size=6)


def _nested(depth: int, inner: str) -> str:
    return "[" * depth + inner + "]" * depth


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE_TEXT, depth=st.sampled_from([0, 1, 50, 1000, 3000]), runtime=st.sampled_from(["python3.11",
                                                                                                   "python3.12"]))
def test_hostile_but_valid_events_get_lambdas_answer(console, text, depth, runtime):
    """Lone surrogates and control characters (escaped, so valid JSON) and deep nesting: the event is accepted and
    the runtime answers as on Lambda: an echo, python3.12 exiting on a lone surrogate, or an unmarshal error."""
    from console.core.events import check_event

    console.update_function_configuration("echo_fuzz", runtime=runtime)
    event = _nested(depth, json.dumps(text))
    check_event(event)
    record = console.invoke("echo_fuzz", event.encode())
    # How deep an event may nest depends on the Python that reads it (3.12 reads 1000 levels, 3.11 does not): python3.12
    # runs on a local 3.12 where one is installed, else on the console's own.
    too_deep = 3000 if record.ran_on == "python3.12" else 1000
    if depth >= too_deep:
        assert record.error_type == "Runtime.UnmarshalError"
        assert json.loads(record.payload)["errorMessage"].startswith("Unable to unmarshal input: maximum recursion")
    elif runtime == "python3.12" and any("\ud800" <= char <= "\udfff" for char in json.loads(json.dumps(text))):
        # (a high and a low half in a row are read back as one whole character, which UTF-8 can write)
        assert record.error_type == "Runtime.ExitError"
    else:
        assert record.succeeded and json.loads(record.payload) == json.loads(event)
    assert console.history.get(record.id).event == event


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(min_value=990, max_value=5000), cut=st.integers(min_value=1, max_value=3))
def test_deep_json_with_a_mistake_is_refused_with_its_place(depth, cut):
    from console.core.events import EventError, check_event

    text = _nested(depth, "1")[:-cut]
    with pytest.raises(EventError, match=r"not valid JSON at line 1, column \d+") as refused:
        check_event(text)
    assert refused.value.column == len(text) + 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(qualifier=st.one_of(st.integers(min_value=2**31).map(str), st.integers(min_value=20, max_value=5000).map(
    lambda digits: "9" * digits), st.sampled_from(["\u00b2", "\u0663", "00000000000000000000001", "-1", "1.0"])))
def test_a_huge_or_odd_version_qualifier_is_a_version_that_does_not_exist(console, qualifier):
    from console.core.functions import FunctionNotFound

    with pytest.raises(FunctionNotFound):
        console.invoke("hello_python", b"{}", version=qualifier)
