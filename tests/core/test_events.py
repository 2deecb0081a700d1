"""Saved test events: what a person sees when naming, typing, saving, exporting and importing events."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core.events import (
    MAX_EVENT_BYTES,
    EventError,
    EventExists,
    EventNotFound,
    EventStore,
    check_event_name,
    parse_event,
)
from console.core.functions import FunctionNotFound, FunctionStore
from console.core.store import Store

PACKAGE_SHA256 = "0" * 64


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "data" / "console.db")
    # A stored package for the functions to point at; the package store itself is not under test here.
    with store.write() as conn:
        conn.execute(
            "INSERT INTO packages (sha256, code_sha256, size, unzipped_size, files, filename, created_at)"
            " VALUES (?, 'AAAA', 1, 1, 1, 'hello.zip', '2024-11-22T12:00:00.000+0000')",
            (PACKAGE_SHA256,),
        )
    functions = FunctionStore(store)
    for name in ("orders", "billing"):
        functions.create(name, PACKAGE_SHA256, "app.handler")
    yield store
    store.close()


@pytest.fixture
def events(store: Store) -> EventStore:
    return EventStore(store)


def error_of(call, *args, **kwargs) -> EventError:
    with pytest.raises(EventError) as info:
        call(*args, **kwargs)
    return info.value


# -- names ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "Z", "9", "hello-world", "s3_put.v2", "...", ".hidden", "-", "x" * 64])
def test_valid_names_are_accepted(name: str) -> None:
    assert check_event_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Event name is empty: give it a name of 1 to 64 letters, digits, '-', '_' and '.'"),
        ("x" * 65, "is 65 characters long: use 1 to 64 letters, digits, '-', '_' and '.'"),
        ("my event", "Event name 'my event' contains ' ', which is not allowed: use 1 to 64 letters"),
        ("a/b", "Event name 'a/b' contains '/', which is not allowed"),
        ("a\\b", "contains '\\\\', which is not allowed"),
        ("café", "Event name 'café' contains 'é', which is not allowed"),
        ("٣", "contains '٣', which is not allowed"),  # a digit, but not an ASCII one
        ("name\n", "contains '\\n', which is not allowed"),
        (".", "Event name '.' is not allowed (it means a folder)"),
        ("..", "Event name '..' is not allowed (it means a folder)"),
    ],
)
def test_invalid_names_are_refused_with_the_rule(name: str, message: str) -> None:
    error = error_of(check_event_name, name)
    assert message in str(error)
    assert "(but not '.' or '..' alone)" in str(error)


# -- JSON -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"key1": "value1"}', {"key1": "value1"}),
        ("{}", {}),
        ("[1, 2, 3]", [1, 2, 3]),
        ("[]", []),
        ('"just a string"', "just a string"),
        ("42", 42),
        ("-1.5e3", -1500.0),
        ("true", True),
        ("false", False),
        ("null", None),
        (
            '\n  {"nested": {"list": [null, true, {"x": "\\u00e9"}]}}  \n',
            {"nested": {"list": [None, True, {"x": "é"}]}},
        ),
        ('{"NaN": "NaN", "Infinity": "-Infinity"}', {"NaN": "NaN", "Infinity": "-Infinity"}),
        ('{"a": 1, "a": 2}', {"a": 2}),  # JSON allows duplicate keys; the last one counts, as in the runtime
    ],
)
def test_every_kind_of_json_value_is_an_event(text: str, value: object) -> None:
    assert parse_event(text) == value
    assert parse_event(text.encode("utf-8")) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n  "a": 1,\n  "b" 2\n}', "event: not valid JSON at line 3, column 7: Expecting ':' delimiter"),
        ("{'a': 1}", "event: not valid JSON at line 1, column 2: Expecting property name enclosed in double quotes"),
        ('{"a": 1} {"b": 2}', "event: not valid JSON at line 1, column 10: Extra data"),
        ("[1, 2\n", "event: not valid JSON at line 2, column 1: Expecting ',' delimiter"),
        ('{"a":\n\n\n      }', "event: not valid JSON at line 4, column 7: Expecting value"),
        ("tru", "event: not valid JSON at line 1, column 1: Expecting value"),
        (
            '{\n  "message": "hello\n}',
            (
                "event: not valid JSON at line 2, column 20: Invalid control character in a string"
                " (write a tab as \\t, a new line as \\n)"
            ),
        ),
        ('{"a": "b}', "event: not valid JSON at line 1, column 7: Unterminated string (its closing quote is missing)"),
        ('{"path": "C:\\dir"}', "event: not valid JSON at line 1, column 13: Invalid escape in a string"),
    ],
)
def test_invalid_json_is_refused_with_its_line_and_column(text: str, message: str) -> None:
    error = error_of(parse_event, text)
    assert str(error).startswith(message)
    line, column = message.split(" at line ")[1].split(":")[0].split(", column ")
    assert (error.line, error.column) == (int(line), int(column))


def test_a_trailing_comma_is_refused_where_it_is() -> None:
    # Python words this differently from version to version; the place is what a person needs.
    error = error_of(parse_event, '{\n  "a": 1,\n}')
    assert str(error).startswith("event: not valid JSON at line 3, column 1: ")


@pytest.mark.parametrize(
    ("text", "where", "constant"),
    [
        ('{"a": NaN}', "line 1, column 7", "NaN"),
        ('{"price": "NaN",\n "a": [1,\n   -Infinity]}', "line 3, column 4", "-Infinity"),
        ("Infinity", "line 1, column 1", "Infinity"),
    ],
)
def test_nan_and_infinity_are_refused_as_lambda_refuses_them(text: str, where: str, constant: str) -> None:
    assert str(error_of(parse_event, text)) == (
        f"event: not valid JSON at {where}: {constant} is not a JSON value (Lambda refuses it)."
        " Write a number, null or a string instead."
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", b""])
def test_an_empty_event_is_refused(text: str | bytes) -> None:
    assert str(error_of(parse_event, text)) == (
        'event: empty: an event is one JSON value, such as {}, {"key": "value"}, [] or null.'
    )


def test_bytes_that_are_not_utf8_are_refused_where_they_are() -> None:
    error = error_of(parse_event, b'{\n  "name": "Jos\xe9"\n}', "events/latin1.json")
    assert str(error) == (
        "events/latin1.json: not UTF-8 at line 2, column 15: byte 0xe9 cannot be decoded. Save it as UTF-8 text."
    )
    assert (error.line, error.column) == (2, 15)


def test_a_utf8_byte_order_mark_is_not_part_of_the_event() -> None:
    assert parse_event(b'\xef\xbb\xbf{"a": "\xc3\xa9"}') == {"a": "é"}


def test_an_event_of_6_mb_is_accepted_and_one_byte_more_is_refused() -> None:
    largest = '"' + "a" * (MAX_EVENT_BYTES - 2) + '"'
    assert len(parse_event(largest)) == MAX_EVENT_BYTES - 2
    assert str(error_of(parse_event, largest + " ")) == (
        "event: 6,291,457 bytes is too large: Lambda accepts an event of at most 6,291,456 bytes (6 MB)."
        " Make the event smaller."
    )


def test_the_limit_counts_utf8_bytes_not_characters() -> None:
    text = '"' + "é" * (MAX_EVENT_BYTES // 2) + '"'  # fewer characters than the limit, twice as many bytes
    assert "bytes is too large" in str(error_of(parse_event, text))


def test_deep_nesting_is_refused_with_a_message() -> None:
    assert "nested too deeply" in str(error_of(parse_event, "[" * 100_000 + "]" * 100_000))


def test_the_source_starts_the_message() -> None:
    assert str(error_of(parse_event, "{", "event 'broken'")).startswith("event 'broken': not valid JSON at line 1")


# -- saving -----------------------------------------------------------------------------------------------------


def test_an_event_is_saved_with_the_text_as_written(events: EventStore) -> None:
    body = '{\n    "price": 1.10,\n    "items": [ 1,2 ]\n}\n'
    saved = events.create("orders", "order-placed", body)
    assert (saved.function, saved.name, saved.body) == ("orders", "order-placed", body)
    assert saved.value == {"price": 1.1, "items": [1, 2]}
    assert saved.payload == body.encode("utf-8")
    assert saved.created_at == saved.updated_at
    assert events.get("orders", "order-placed") == saved


def test_a_bad_event_is_not_saved(events: EventStore) -> None:
    error = error_of(events.create, "orders", "broken", '{\n  "a": 1\n  "b": 2\n}')
    assert str(error) == "event 'broken': not valid JSON at line 3, column 3: Expecting ',' delimiter"
    assert events.for_function("orders") == []


def test_a_bad_name_is_not_saved(events: EventStore) -> None:
    assert "contains ' '" in str(error_of(events.create, "orders", "my event", "{}"))
    assert events.for_function("orders") == []


def test_update_replaces_the_body_and_keeps_the_creation_time(events: EventStore) -> None:
    first = events.create("orders", "hello", '{"a": 1}')
    second = events.update("orders", "hello", '{"a": 2}')
    assert (second.id, second.body, second.created_at) == (first.id, '{"a": 2}', first.created_at)
    assert second.updated_at >= first.updated_at
    assert "not valid JSON" in str(error_of(events.update, "orders", "hello", "{"))
    assert events.get("orders", "hello").body == '{"a": 2}'


def test_save_creates_then_updates(events: EventStore) -> None:
    created = events.save("orders", "hello", "1")
    updated = events.save("orders", "hello", "2")
    assert (updated.id, updated.body) == (created.id, "2")
    assert [event.name for event in events.for_function("orders")] == ["hello"]


def test_rename_keeps_the_body(events: EventStore) -> None:
    original = events.create("orders", "old-name", '{"a": 1}')
    renamed = events.rename("orders", "old-name", "new-name")
    assert (renamed.id, renamed.name, renamed.body) == (original.id, "new-name", '{"a": 1}')
    assert [event.name for event in events.for_function("orders")] == ["new-name"]
    with pytest.raises(EventNotFound):
        events.get("orders", "old-name")


def test_rename_may_change_only_the_case(events: EventStore) -> None:
    events.create("orders", "hello", "{}")
    assert events.rename("orders", "hello", "Hello").name == "Hello"


def test_rename_onto_a_taken_name_is_refused(events: EventStore) -> None:
    events.create("orders", "a", "1")
    events.create("orders", "b", "2")
    with pytest.raises(EventExists) as info:
        events.rename("orders", "a", "b")
    assert (
        str(info.value) == "Function orders already has an event named 'b': choose another name, or save over that one."
    )
    assert [(event.name, event.body) for event in events.for_function("orders")] == [("a", "1"), ("b", "2")]
    assert "not allowed" in str(error_of(events.rename, "orders", "a", "a b"))


def test_delete(events: EventStore) -> None:
    events.create("orders", "hello", "{}")
    events.delete("orders", "hello")
    assert events.for_function("orders") == []
    with pytest.raises(EventNotFound) as info:
        events.delete("orders", "hello")
    assert str(info.value) == "Function orders has no saved event named 'hello'."


def test_missing_events_are_reported_by_name(events: EventStore) -> None:
    for call, args in [
        (events.get, ("orders", "nope")),
        (events.update, ("orders", "nope", "{}")),
        (events.rename, ("orders", "nope", "other")),
    ]:
        with pytest.raises(EventNotFound) as info:
            call(*args)
        assert str(info.value) == "Function orders has no saved event named 'nope'."


def test_events_belong_to_an_existing_function(events: EventStore) -> None:
    with pytest.raises(FunctionNotFound) as info:
        events.create("ghost", "hello", "{}")
    assert str(info.value) == "Function not found: ghost"
    assert events.for_function("ghost") == []


def test_names_are_unique_per_function(events: EventStore) -> None:
    events.create("orders", "hello", '{"for": "orders"}')
    with pytest.raises(EventExists) as info:
        events.create("orders", "hello", "{}")
    assert str(info.value) == (
        "Function orders already has an event named 'hello': choose another name, or save over that one."
    )
    # The same name for another function is another event.
    events.create("billing", "hello", '{"for": "billing"}')
    assert events.get("orders", "hello").body == '{"for": "orders"}'
    assert events.get("billing", "hello").body == '{"for": "billing"}'


def test_names_differing_only_in_case_are_the_same_name(events: EventStore) -> None:
    # Each event must export to its own file, also on macOS and Windows, whose file names ignore case.
    events.create("orders", "Hello", "{}")
    with pytest.raises(EventExists) as info:
        events.create("orders", "hello", "{}")
    assert "already has an event named 'Hello' (names are compared ignoring case" in str(info.value)


def test_more_than_ten_events_listed_by_name(events: EventStore) -> None:
    names = [f"event-{number:02d}" for number in range(25)] + ["Zebra", "apple", "Mango"]
    for name in reversed(names):
        events.create("orders", name, json.dumps({"name": name}))
    listed = events.for_function("orders")
    assert [event.name for event in listed] == ["apple", *names[:25], "Mango", "Zebra"]
    assert all(event.value == {"name": event.name} for event in listed)


def test_deleting_a_function_deletes_its_events(store: Store, events: EventStore) -> None:
    events.create("orders", "hello", "{}")
    events.create("billing", "hello", "{}")
    FunctionStore(store).delete("orders")
    assert events.for_function("orders") == []
    assert [event.function for event in events.for_function("billing")] == ["billing"]
    assert [tuple(row) for row in store.query("SELECT function FROM events")] == [("billing",)]


# -- folders ----------------------------------------------------------------------------------------------------


BODIES = {
    "hello-world": '{"key1": "value1", "key2": "value2", "key3": "value3"}',
    "order.v2": '{\n    "price": 1.10,\n    "tags": ["a","b"]\n}\n',
    "just-null": "null",
    "Text": '"caf\\u00e9 or café"',
}


def fill(events: EventStore, function: str = "orders") -> None:
    for name, body in BODIES.items():
        events.create(function, name, body)


def test_export_folder_writes_one_file_per_event_as_written(events: EventStore, tmp_path: Path) -> None:
    fill(events)
    folder = tmp_path / "project" / "events"
    written = events.export_folder("orders", folder)
    assert sorted(path.name for path in written) == sorted(f"{name}.json" for name in BODIES)
    for name, body in BODIES.items():
        assert (folder / f"{name}.json").read_bytes() == body.encode("utf-8")
    assert sorted(os.listdir(folder)) == sorted(f"{name}.json" for name in BODIES)  # no temporary files left


def test_export_folder_replaces_its_own_files_and_leaves_others(events: EventStore, tmp_path: Path) -> None:
    fill(events)
    (tmp_path / "hello-world.json").write_text("old")
    (tmp_path / "README.md").write_text("notes")
    events.export_folder("orders", tmp_path)
    assert (tmp_path / "hello-world.json").read_text() == BODIES["hello-world"]
    assert (tmp_path / "README.md").read_text() == "notes"


def test_export_folder_writes_over_a_link_not_through_it(events: EventStore, tmp_path: Path) -> None:
    events.create("orders", "hello", '{"a": 1}')
    outside = tmp_path / "outside.json"
    outside.write_text("precious")
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "hello.json").symlink_to(outside)
    events.export_folder("orders", folder)
    assert outside.read_text() == "precious"
    assert not (folder / "hello.json").is_symlink()
    assert (folder / "hello.json").read_text() == '{"a": 1}'


def test_folder_round_trip_keeps_every_event_exactly(events: EventStore, tmp_path: Path) -> None:
    fill(events)
    events.export_folder("orders", tmp_path / "events")
    imported = events.import_folder("billing", tmp_path / "events")
    assert {event.name: event.body for event in imported} == BODIES
    assert {event.name: event.body for event in events.for_function("billing")} == BODIES
    assert all(event.function == "billing" for event in imported)


def test_import_folder_reads_a_sam_events_folder(events: EventStore, tmp_path: Path) -> None:
    (tmp_path / "event.json").write_bytes(b'\xef\xbb\xbf{"body": "{\\"message\\": \\"hello world\\"}"}')
    (tmp_path / "template.yaml").write_text("Resources: {}")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "ignored.json").write_text("{}")
    imported = events.import_folder("orders", tmp_path)
    assert [(event.name, event.body) for event in imported] == [
        ("event", '{"body": "{\\"message\\": \\"hello world\\"}"}')
    ]


def test_import_folder_with_one_bad_file_imports_nothing(events: EventStore, tmp_path: Path) -> None:
    (tmp_path / "a-good.json").write_text('{"fine": true}')
    (tmp_path / "b-bad.json").write_text('{\n  "id": 1,\n  "name" "x"\n}')
    (tmp_path / "c-good.json").write_text("[]")
    error = error_of(events.import_folder, "orders", tmp_path)
    assert str(error) == (
        "Nothing was imported: fix these and import again.\n"
        f"{tmp_path / 'b-bad.json'}: not valid JSON at line 3, column 10: Expecting ':' delimiter"
    )
    assert events.for_function("orders") == []


def test_import_folder_names_every_bad_file(events: EventStore, tmp_path: Path) -> None:
    (tmp_path / "nan.json").write_text('{"a": NaN}')
    (tmp_path / "latin1.json").write_bytes(b'"\xe9"')
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "my event.json").write_text("{}")
    message = str(error_of(events.import_folder, "orders", tmp_path))
    lines = message.splitlines()
    assert lines[0] == "Nothing was imported: fix these and import again."
    assert lines[1:] == [
        f'{tmp_path / "empty.json"}: empty: an event is one JSON value, such as {{}}, {{"key": "value"}}, [] or null.',
        (
            f"{tmp_path / 'latin1.json'}: not UTF-8 at line 1, column 2: byte 0xe9 cannot be decoded."
            " Save it as UTF-8 text."
        ),
        (
            f"{tmp_path / 'my event.json'}: the file name is the event's name. Event name 'my event' contains ' ',"
            " which is not allowed: use 1 to 64 letters, digits, '-', '_' and '.' (but not '.' or '..' alone)."
        ),
        (
            f"{tmp_path / 'nan.json'}: not valid JSON at line 1, column 7: NaN is not a JSON value (Lambda refuses it)."
            " Write a number, null or a string instead."
        ),
    ]
    assert events.for_function("orders") == []


def test_import_folder_refuses_a_file_over_6_mb(events: EventStore, tmp_path: Path) -> None:
    (tmp_path / "big.json").write_text('"' + "a" * MAX_EVENT_BYTES + '"')
    assert f"{tmp_path / 'big.json'}: 6,291,458 bytes is too large" in str(
        error_of(events.import_folder, "orders", tmp_path)
    )


def test_import_folder_needs_json_files(events: EventStore, tmp_path: Path) -> None:
    assert str(error_of(events.import_folder, "orders", tmp_path)) == (
        f"{tmp_path} holds no .json files: nothing was imported. Each event is one <name>.json."
    )
    assert "is not a folder" in str(error_of(events.import_folder, "orders", tmp_path / "missing"))


def test_import_refuses_names_that_exist_and_names_them(events: EventStore, tmp_path: Path) -> None:
    events.create("orders", "hello-world", '"mine"')
    events.create("orders", "Text", '"mine too"')
    fill(events, "billing")
    events.export_folder("billing", tmp_path)
    with pytest.raises(EventExists) as info:
        events.import_folder("orders", tmp_path)
    assert str(info.value) == (
        "Function orders already has events named 'Text', 'hello-world': nothing was imported."
        " Rename or delete them first, or import again replacing them."
    )
    assert {event.name: event.body for event in events.for_function("orders")} == {
        "hello-world": '"mine"',
        "Text": '"mine too"',
    }


def test_import_with_replace_overwrites_those_names_and_keeps_the_others(events: EventStore, tmp_path: Path) -> None:
    events.create("orders", "hello-world", '"mine"')
    events.create("orders", "kept", '"kept"')
    (tmp_path / "hello-world.json").write_text('"theirs"')
    (tmp_path / "new.json").write_text('"new"')
    imported = events.import_folder("orders", tmp_path, replace=True)
    assert [(event.name, event.body) for event in imported] == [("hello-world", '"theirs"'), ("new", '"new"')]
    assert {event.name: event.body for event in events.for_function("orders")} == {
        "hello-world": '"theirs"',
        "kept": '"kept"',
        "new": '"new"',
    }


# -- bundles ----------------------------------------------------------------------------------------------------


def test_export_bundle_is_one_json_document(events: EventStore) -> None:
    fill(events)
    bundle = events.export_bundle("orders")
    document = json.loads(bundle)
    assert document == {
        "lambda-console-events": 1,
        "function": "orders",
        "events": [
            {"name": "hello-world", "event": {"key1": "value1", "key2": "value2", "key3": "value3"}},
            {"name": "just-null", "event": None},
            {"name": "order.v2", "event": {"price": 1.1, "tags": ["a", "b"]}},
            {"name": "Text", "event": "café or café"},
        ],
    }
    assert '"price": 1.10' in bundle  # the event's own text, not a re-serialization


def test_an_empty_bundle(events: EventStore) -> None:
    assert json.loads(events.export_bundle("orders")) == {
        "lambda-console-events": 1,
        "function": "orders",
        "events": [],
    }
    assert "holds no events" in str(error_of(events.import_bundle, "billing", events.export_bundle("orders")))


def test_bundle_round_trip_keeps_each_event_as_written(events: EventStore) -> None:
    fill(events)
    imported = events.import_bundle("billing", events.export_bundle("orders"))
    # Whitespace around an event is not kept in a bundle; everything between is.
    assert {event.name: event.body for event in imported} == {name: body.strip() for name, body in BODIES.items()}
    assert {event.name: event.value for event in events.for_function("billing")} == {
        event.name: event.value for event in events.for_function("orders")
    }


def test_a_bundle_written_by_hand(events: EventStore) -> None:
    bundle = (
        '{"lambda-console-events": 1, "function": "elsewhere", "events": [\n'
        '  {"event": {"a" :  1}, "name": "first"},\n'
        '  {"name": "second", "event": [ 1.0 , 2 ]}\n'
        "]}"
    )
    imported = events.import_bundle("orders", bundle.encode("utf-8"))
    assert [(event.name, event.body) for event in imported] == [("first", '{"a" :  1}'), ("second", "[ 1.0 , 2 ]")]


def test_a_bundle_with_one_bad_entry_imports_nothing(events: EventStore) -> None:
    bundle = (
        '{"lambda-console-events": 1, "function": "orders", "events": [\n'
        '  {"name": "good", "event": {}},\n'
        '  {"name": "bad name", "event": {}},\n'
        '  {"event": {}},\n'
        '  {"name": "no-event"},\n'
        '  "not an object",\n'
        '  {"name": "good", "event": 2}\n'
        "]}"
    )
    assert str(error_of(events.import_bundle, "orders", bundle)).splitlines() == [
        "Nothing was imported: fix these and import again.",
        (
            "bundle: events[1] (line 3, column 3): Event name 'bad name' contains ' ', which is not allowed:"
            " use 1 to 64 letters, digits, '-', '_' and '.' (but not '.' or '..' alone)."
        ),
        (
            'bundle: events[2] (line 4, column 3): has no "name" (text): give it one of 1 to 64 letters, digits,'
            " '-', '_' and '.' (but not '.' or '..' alone)."
        ),
        'bundle: events[3] (line 5, column 3): has no "event".',
        'bundle: events[4] (line 6, column 3): expected an object {"name": ..., "event": ...}.',
        "bundle: holds the event 'good' twice: keep one of them.",
    ]
    assert events.for_function("orders") == []


def test_a_bundle_that_is_not_json_is_refused_where_it_breaks(events: EventStore) -> None:
    bundle = '{"lambda-console-events": 1,\n "events": [\n  {"name": "a", "event": NaN}\n]}'
    assert str(error_of(events.import_bundle, "orders", bundle)).startswith(
        "bundle: not valid JSON at line 3, column 26: NaN is not a JSON value"
    )
    assert str(error_of(events.import_bundle, "orders", '{"events": [}')) == (
        "bundle: not valid JSON at line 1, column 13: Expecting value"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "bundle: not a lambda-console events bundle: expected an object with"),
        (
            '{"events": []}',
            'bundle: not a lambda-console events bundle: "lambda-console-events" must be 1, found nothing.',
        ),
        ('{"lambda-console-events": "1", "events": []}', '"lambda-console-events" must be 1, found "1".'),
        (
            '{"lambda-console-events": 2, "events": []}',
            "bundle: made by a newer lambda-console (format 2; this one reads format 1). Upgrade lambda-console",
        ),
        (
            '{"lambda-console-events": 1, "events": {}}',
            'bundle: "events" must be a list of {"name": ..., "event": ...}',
        ),
    ],
)
def test_a_document_that_is_not_a_bundle_is_refused(events: EventStore, text: str, message: str) -> None:
    assert message in str(error_of(events.import_bundle, "orders", text))


def test_bundle_import_refuses_clashes_unless_replacing(events: EventStore) -> None:
    events.create("orders", "HELLO-WORLD", '"mine"')
    fill(events, "billing")
    bundle = events.export_bundle("billing")
    with pytest.raises(EventExists) as info:
        events.import_bundle("orders", bundle)
    assert "already has events named 'HELLO-WORLD': nothing was imported" in str(info.value)
    assert [event.name for event in events.for_function("orders")] == ["HELLO-WORLD"]
    events.import_bundle("orders", bundle, replace=True)
    assert {event.name: event.body for event in events.for_function("orders")} == {
        name: body.strip() for name, body in BODIES.items()
    }


def test_a_bundle_event_over_6_mb_is_refused(events: EventStore) -> None:
    big = '"' + "a" * MAX_EVENT_BYTES + '"'
    bundle = '{"lambda-console-events": 1, "events": [{"name": "big", "event": ' + big + "}]}"
    assert "event 'big': 6,291,458 bytes is too large" in str(error_of(events.import_bundle, "orders", bundle))


def test_a_bundle_holding_one_name_twice_ignoring_case_imports_nothing(events: EventStore) -> None:
    bundle = '{"lambda-console-events": 1, "events": [{"name": "Hello", "event": 1}, {"name": "hello", "event": 2}]}'
    assert str(error_of(events.import_bundle, "orders", bundle)).splitlines()[1:] == [
        "bundle: holds the event 'hello' as 'Hello' and 'hello' (names are compared ignoring case): keep one of them."
    ]
    assert events.for_function("orders") == []


def test_text_with_half_a_surrogate_pair_is_refused(events: EventStore) -> None:
    # A lone surrogate has no UTF-8 form, so no handler could be given it; the \u escape of it is fine JSON.
    assert str(error_of(parse_event, '{\n "a": "\ud800"}')) == (
        "event: not UTF-8 at line 2, column 8: the character U+D800 (half of a surrogate pair) has no UTF-8 form."
        " Write it as a \\u escape inside a string, or remove it."
    )
    assert parse_event('"\\ud800"') == "\ud800"
    bundle = '{"lambda-console-events": 1, "events": [{"name": "a", "event": "\ud800"}]}'
    assert "not UTF-8 at line 1, column 65" in str(error_of(events.import_bundle, "orders", bundle))


def test_an_event_name_is_text() -> None:
    assert str(error_of(check_event_name, 7)) == (
        "Event name must be text, not int: use 1 to 64 letters, digits, '-', '_' and '.' (but not '.' or '..' alone)."
    )


def test_export_needs_an_existing_function_and_a_folder(events: EventStore, tmp_path: Path) -> None:
    with pytest.raises(FunctionNotFound):
        events.export_folder("ghost", tmp_path)
    with pytest.raises(FunctionNotFound):
        events.export_bundle("ghost")
    (tmp_path / "a-file").write_text("")
    assert str(error_of(events.export_folder, "orders", tmp_path / "a-file")).startswith(
        f"Cannot make the folder {tmp_path / 'a-file'}: File exists. Choose another folder."
    )
