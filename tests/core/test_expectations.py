"""Expectations: the matcher on random JSON, the readable diff, the checks of a hand-written expectation, storage."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.config import load_config
from console.core.console import Console
from console.core.events import EventError, EventNotFound
from console.core.expectations import (
    Expectation,
    ExpectationError,
    check_expectation,
    read_expectation_file,
)
from console.core.functions import FunctionError
from console.core.json_match import differences, key_path, matches
from tests.zips import zip_bytes

# Any JSON value (no NaN: JSON has none).
scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False,
                                                                               allow_infinity=False) | st.text()
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6),
                                                                                                 inner, max_size=4),
                           max_leaves=25)


@st.composite
def value_and_subset(draw: st.DrawFn) -> tuple[object, object]:
    """A value and a subset of it in toMatchObject's sense: objects lose keys (at any depth), the rest stays whole."""
    value = draw(json_values)

    def subset(node: object) -> object:
        if isinstance(node, dict):
            kept = [key for key in node if draw(st.booleans())]
            return {key: subset(node[key]) for key in kept}
        return copy.deepcopy(node)

    return value, subset(value)


@st.composite
def value_and_leaf_path(draw: st.DrawFn) -> tuple[object, list[object], str]:
    """A value holding at least one leaf, and the way to one of its leaves through objects only, with its JSONPath."""
    value = draw(st.dictionaries(st.text(max_size=6), json_values, min_size=1, max_size=4))
    steps: list[object] = []
    path, node = "$", value
    while isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        steps.append(key)
        path, node = key_path(path, key), node[key]
    return value, steps, path


@given(json_values)
def test_a_response_always_matches_itself(value: object) -> None:
    assert differences(value, copy.deepcopy(value)) == []
    assert differences(value, copy.deepcopy(value), whole=True) == []


@given(value_and_subset())
def test_a_response_matches_any_subset_of_itself(pair: tuple[object, object]) -> None:
    value, subset = pair
    assert matches(subset, value)


@given(value_and_leaf_path(), st.text(min_size=1))
@settings(max_examples=200)
def test_a_changed_leaf_is_reported_at_its_path(case: tuple[object, list[object], str], marker: str) -> None:
    value, steps, path = case
    actual = copy.deepcopy(value)
    node = actual
    for step in steps[:-1]:
        node = node[step]  # type: ignore[index]
    old = node[steps[-1]]  # type: ignore[index]
    # Another string for a string (same type, other value); the string for anything else (another type).
    new: object = old + marker if isinstance(old, str) else marker
    node[steps[-1]] = new  # type: ignore[index]
    assert [(d.kind, d.path) for d in differences(value, actual)] == [("changed", path)]


def test_subset_of_objects_but_arrays_and_scalars_whole() -> None:
    actual = {"statusCode": 200, "headers": {"a": "1", "b": "2"}, "items": [{"id": 1, "x": 0}], "ok": True}
    assert matches({"headers": {"a": "1"}}, actual)
    assert matches({"errorType": "KeyError"}, {"errorType": "KeyError", "stackTrace": ["..."], "requestId": "r"})
    # An array is compared whole: an object inside it may not have extra keys, nor the array extra items.
    assert [(d.kind, d.path) for d in differences({"items": [{"id": 1}]}, actual)] == [("added", "$.items[0].x")]
    assert [(d.kind, d.path) for d in differences({"items": []}, actual)] == [("added", "$.items[0]")]
    # JSON types are kept apart: true is not 1, "200" is not 200; 1 is 1.0.
    assert not matches({"ok": 1}, actual)
    assert not matches({"statusCode": "200"}, actual)
    assert matches({"statusCode": 200.0}, actual)


def test_the_diff_names_added_missing_and_changed_with_their_paths() -> None:
    expected = {"statusCode": 200, "body": {"name": "Ada", "tags": ["a", "b"]}, "first name": "x"}
    actual = {"statusCode": 500, "body": {"tags": ["a", "b", "c"]}}
    lines = [d.describe() for d in differences(expected, actual)]
    assert lines == [
        "changed  $.statusCode: expected 200, got 500",
        'missing  $.body.name: expected "Ada", the response has none',
        'added    $.body.tags[2]: "c", not expected',
        'missing  $["first name"]: expected "x", the response has none',
    ]


def test_a_hand_written_expectation_is_checked_with_clear_errors() -> None:
    assert check_expectation('{"a": 1}').response == '{"a": 1}'
    assert check_expectation("", "failure").function_error is True
    assert check_expectation(None, "any", "250").max_duration_ms == 250.0
    with pytest.raises(ExpectationError, match="line 1, column 7") as bad:
        check_expectation('{"a": }')
    assert bad.value.field == "response"
    with pytest.raises(ExpectationError, match="checks something"):
        check_expectation("  ", "any", "")
    with pytest.raises(ExpectationError, match="not a number") as slow:
        check_expectation(None, "any", "fast")
    assert slow.value.field == "max_duration"
    with pytest.raises(ExpectationError, match="out of range"):
        check_expectation(None, "any", "-5")
    with pytest.raises(ExpectationError, match="choose any, success or failure"):
        check_expectation("{}", "maybe")


def test_an_expectation_file_round_trips_and_is_checked() -> None:
    original = Expectation('{\n  "statusCode": 200\n}', False, 750.0)
    back = read_expectation_file(original.file_text(), "x.expected.json")
    assert (json.loads(back.response), back.function_error, back.max_duration_ms) == ({"statusCode": 200}, False, 750)
    assert read_expectation_file('{"response": null}', "f").response == "null"  # a handler returning None
    with pytest.raises(ExpectationError, match="unknown key 'statusCode'"):
        read_expectation_file('{"statusCode": 200}', "f")
    with pytest.raises(ExpectationError, match='"functionError" must be true'):
        read_expectation_file('{"functionError": "yes"}', "f")
    with pytest.raises(ExpectationError, match="f: not valid JSON at line 1"):
        read_expectation_file("{", "f")


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False})) as console:
        console.create_function("greet", zip_bytes({"app.py": (
            "def handler(event, context):\n"
            "    if 'name' not in event:\n"
            "        raise KeyError('name')\n"
            "    return {'greeting': 'hello ' + event['name'], 'length': len(event['name'])}\n")}), "app.handler")
        yield console


def test_expectations_are_stored_with_the_event_kept_on_rename_and_deleted_with_it(console) -> None:
    console.save_event("greet", "ada", '{"name": "Ada"}')
    console.set_expectation("greet", "ada", '{"greeting": "hello Ada"}', "success", "1000")
    console.events.rename("greet", "ada", "ada-lovelace")
    kept = console.get_expectation("greet", "ada-lovelace")
    assert kept is not None and kept.response == '{"greeting": "hello Ada"}' and kept.function_error is False
    assert console.clear_expectation("greet", "ada-lovelace") is True
    assert console.get_expectation("greet", "ada-lovelace") is None
    console.set_expectation("greet", "ada-lovelace", None, "success")
    console.delete_event("greet", "ada-lovelace")
    assert console.store.query("SELECT * FROM expectations") == []
    with pytest.raises(EventNotFound):
        console.set_expectation("greet", "nobody", "{}")


def test_save_as_expected_takes_a_success_whole_and_a_failure_by_its_type(console) -> None:
    console.save_event("greet", "ada", '{"name": "Ada"}')
    ok = console.test("greet", "ada")
    event, expectation = console.save_as_expected("greet", ok.id, "ada")
    assert json.loads(expectation.response) == {"greeting": "hello Ada", "length": 3}
    assert expectation.function_error is False
    failed = console.invoke("greet", b"{}")
    # No saved event of that name: it is saved from the entry's event, with its expectation.
    event, expectation = console.save_as_expected("greet", failed.id, "no-name")
    assert event.body == "{}" and expectation.function_error is True
    assert json.loads(expectation.response) == {"errorType": "KeyError", "errorMessage": "'name'"}
    # A saved event holding other JSON did not produce this result: refused, nothing changed.
    with pytest.raises(ExpectationError, match="holds other JSON"):
        console.save_as_expected("greet", failed.id, "ada")
    assert json.loads(console.get_expectation("greet", "ada").response)["length"] == 3


@given(json_values, st.sampled_from(["any", "success", "failure"]),
       st.none() | st.floats(min_value=0.001, max_value=900_000) | st.integers(1, 900_000))
def test_any_expectation_survives_its_file(response: object, outcome: str, duration: float | None) -> None:
    written = check_expectation(json.dumps(response), outcome, duration)
    back = read_expectation_file(written.file_text(), "x.expected.json")
    assert (back.outcome, back.max_duration_ms) == (outcome, None if duration is None else float(duration))
    assert differences(json.loads(written.response), json.loads(back.response), whole=True) == []


def test_a_folder_import_keeps_an_expectation_it_has_no_file_for_and_export_drops_a_cleared_one(console,
                                                                                                 tmp_path) -> None:
    console.save_event("greet", "ada", '{"name": "Ada"}')
    console.set_expectation("greet", "ada", '{"length": 3}')
    folder = tmp_path / "events"
    console.export_events("greet", folder)
    assert sorted(path.name for path in folder.iterdir()) == ["ada.expected.json", "ada.json"]
    (folder / "ada.expected.json").unlink()
    console.import_events("greet", folder, replace=True)
    assert console.get_expectation("greet", "ada").response == '{"length": 3}'
    console.clear_expectation("greet", "ada")
    console.export_events("greet", folder)
    assert sorted(path.name for path in folder.iterdir()) == ["ada.json"]
    # An event whose name would read back as an expectation file is refused at export, saying what to do.
    console.save_event("greet", "x.expected", "{}")
    with pytest.raises(EventError, match="rename it"):
        console.export_events("greet", folder)


def test_a_diff_of_many_differences_lists_the_first_hundred() -> None:
    from console.core.expectations import Verdict

    found = tuple(differences([], list(range(250))))
    text = Verdict(found).diff_text().splitlines()
    assert len(text) == 101 and text[0] == "added    $[0]: 0, not expected"
    assert text[-1] == "... and 150 more differences"


def test_an_expectation_file_keeps_the_response_as_written() -> None:
    text = '{\n  "maxDurationMs": 10,\n  "response": {"price": 1.10,   "ok": true}\n}\n'
    expectation = read_expectation_file(text, "x.expected.json")
    assert expectation.response == '{"price": 1.10,   "ok": true}'
    assert '"response": {"price": 1.10,   "ok": true}' in expectation.file_text()


def test_renaming_through_the_console_moves_the_expectation_and_a_duplicate_copies_it(console) -> None:
    console.save_event("greet", "ada", '{"name": "Ada"}')
    console.set_expectation("greet", "ada", '{"greeting": "hello Ada"}', "success")
    console.rename_event("greet", "ada", "lovelace")
    assert [e.name for e in console.list_events("greet")] == ["lovelace"]
    assert console.get_expectation("greet", "lovelace").response == '{"greeting": "hello Ada"}'
    copy_ = console.duplicate_event("greet", "lovelace", "lovelace-2")
    assert copy_.body == '{"name": "Ada"}'
    assert console.get_expectation("greet", "lovelace-2").function_error is False
    console.delete_event("greet", "lovelace")  # the copy keeps its own expectation
    assert console.get_expectation("greet", "lovelace-2") is not None
    with pytest.raises(EventError, match="already has an event named 'lovelace-2'"):
        console.duplicate_event("greet", "lovelace-2", "LOVELACE-2")
    with pytest.raises(EventNotFound):
        console.rename_event("greet", "nobody", "somebody")


def test_saving_without_replace_refuses_a_taken_name_and_names_the_saved_event(console) -> None:
    console.save_event("greet", "Ada", '{"name": "Ada"}')
    with pytest.raises(EventError) as refused:
        console.save_event("greet", "ada", '{"name": "someone else"}', replace=False)
    assert refused.value.existing == "Ada"  # type: ignore[attr-defined]
    assert console.get_event("greet", "Ada").body == '{"name": "Ada"}'  # nothing was replaced
    assert console.save_event("greet", "Ada", '{"name": "Lady Ada"}').body == '{"name": "Lady Ada"}'


def test_a_clone_has_the_code_configuration_and_events_with_expectations_but_no_history(console) -> None:
    console.update_function_configuration("greet", timeout=9, memory=256, environment={"GREETING": "hi"})
    console.save_event("greet", "ada", '{"name": "Ada"}')
    console.set_expectation("greet", "ada", '{"greeting": "hello Ada"}', "success")
    console.invoke("greet", b'{"name": "Ada"}')
    clone = console.clone_function("greet", "greet-copy")
    original = console.get_function("greet")
    assert (clone.package_sha256, clone.handler, clone.timeout, clone.memory, clone.environment) == \
        (original.package_sha256, original.handler, 9, 256, {"GREETING": "hi"})
    assert [(e.name, e.body) for e in console.list_events("greet-copy")] == [("ada", '{"name": "Ada"}')]
    assert console.get_expectation("greet-copy", "ada").response == '{"greeting": "hello Ada"}'
    assert console.list_invocations("greet-copy") == []
    assert console.invoke("greet-copy", b'{"name": "Bo"}').payload == b'{"greeting": "hello Bo", "length": 2}'
    with pytest.raises(FunctionError, match="greet"):
        console.clone_function("greet", "greet-copy")
