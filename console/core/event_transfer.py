"""Saved events in and out of the console, in two forms:

- a folder of `<name>.json` files, one event each, the habit of SAM projects' `events/` folders
  (`export_folder`, `import_folder`), with `<name>.expected.json` beside an event that has an expectation (its form
  is in console.core.expectations);
- a bundle, one JSON document holding all of a function's events (`export_bundle`, `import_bundle`)::

      {
        "lambda-console-events": 1,
        "function": "my-function",
        "events": [
          {"name": "hello", "event": {"key1": "value1"}},
          {"name": "empty-list", "event": [], "expected": {"response": []}}
        ]
      }

  `lambda-console-events` is the format's version (1); a later version is refused rather than half understood.
  `function` names the function the events were exported from; importing into another function is allowed.
  `events` lists `{"name": <event name>, "event": <the event, any JSON value>}` objects in name order. Each event is
  written into the bundle as its stored text, so an import gets back the text between the `"event":` and the next
  member exactly as written (the whitespace around it aside), formatting included. `expected`, when present, is
  the event's expectation in the form of an `<name>.expected.json` file.

An import checks everything first and stores all or nothing: the first problem of every bad file or entry is
reported (with its line and column), and names that already exist are refused unless `replace=True`, which then
overwrites those events (other events of the function are kept).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from console.core.event_json import (
    JSON_WHITESPACE,
    NAME_RULE,
    EventError,
    EventTooDeep,
    check_deep,
    check_event,
    check_event_name,
    check_size,
    event_text,
    is_object,
    items_with_spans,
    last_span,
    line_column,
    members_with_spans,
    parse_json,
    value_at,
)
from console.core.events import Incoming, SavedEvent
from console.core.expectations import Expectation, ExpectationError, read_expectation_file
from console.core.files import write_atomically

if TYPE_CHECKING:
    from console.core.events import EventStore

BUNDLE_FORMAT = "lambda-console-events"
BUNDLE_VERSION = 1
EXPECTED_SUFFIX = ".expected.json"


def export_folder(store: EventStore, function: str, folder: Path) -> list[Path]:
    """Write each event as `<folder>/<name>.json` (its text as stored), replacing files of those names only."""
    events = store.for_export(function)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EventError(
            f"Cannot make the folder {folder}: {exc.strerror or exc}. Choose another folder."
        ) from None
    expectations = store.expectations(function)
    clashes = [event.name for event in events if event.name.lower().endswith(EXPECTED_SUFFIX[:-5])]
    if clashes:
        raise EventError(
            f"The event {clashes[0]!r} would be written as {clashes[0]}.json, the name of an expectation file: rename"
            " it (its name may not end in .expected), then export again."
        )
    written: list[Path] = []
    for event in events:
        # Names are checked on the way in, so they cannot climb out of the folder; check again all the same,
        # since a name is about to become a path.
        target = folder / f"{check_event_name(event.name)}.json"
        if target.parent != folder:
            raise EventError(f"Event {event.name!r} would be written outside {folder}: rename it.")
        try:
            write_atomically(target, event.payload)
            expectation = expectations.get(event.name)
            expected_file = folder / f"{event.name}{EXPECTED_SUFFIX}"
            if expectation is not None:
                write_atomically(expected_file, expectation.file_text().encode("utf-8"))
            else:  # an earlier export's file would bring back an expectation that was cleared
                expected_file.unlink(missing_ok=True)
        except OSError as exc:
            raise EventError(
                f"Cannot write {target}: {exc.strerror or exc}. {len(written)} of {len(events)} events were"
                " exported; choose a folder you can write to."
            ) from None
        written.append(target)
    return written


def import_folder(store: EventStore, function: str, folder: Path, *, replace: bool = False) -> list[SavedEvent]:
    """Import every `*.json` file of the folder (not its subfolders) as the event `<file name without .json>`, and
    each `<name>.expected.json` as the expectation of the event `<name>` (an event imported without one keeps the
    expectation it has)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EventError(f"{folder} is not a folder: give the folder that holds the <name>.json event files.")
    files = sorted(
        (path for path in folder.iterdir() if path.suffix.lower() == ".json" and path.is_file()),
        key=lambda path: path.name,
    )
    if not files:
        raise EventError(f"{folder} holds no .json files: nothing was imported. Each event is one <name>.json.")
    return import_files(store, function, files, str(folder), replace=replace)


def import_files(store: EventStore, function: str, files: Sequence[Path], source: str, *,
                 replace: bool = False) -> list[SavedEvent]:
    """Import each `<name>.json` file as the event `<name>`, with `<name>.expected.json` as its expectation: all of
    them, or none (`source` names them in errors)."""
    expected = {path.name[: -len(EXPECTED_SUFFIX)]: path for path in files if _is_expected(path)}
    files = [path for path in files if not _is_expected(path)]
    incoming, problems = [], []
    for path in files:
        try:
            name = _name_from_file(path)
            size = path.stat().st_size
            # Check the size before reading: a stray video renamed .json should not be read whole.
            check_size(size, str(path))
            body = event_text(path.read_bytes(), str(path))
            check_event(body, str(path))
        except EventError as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{path}: cannot be read: {exc.strerror or exc}.")
        else:
            incoming.append(Incoming(name, body, _expected_file(expected.pop(name, None), problems)))
    problems.extend(f"{path}: no {name}.json beside it, so no event for this expectation: add the event's file or"
                    " remove this one." for name, path in sorted(expected.items()))
    return store.store_imported(function, incoming, problems, replace, source)


def _is_expected(path: Path) -> bool:
    return path.name.lower().endswith(EXPECTED_SUFFIX)


def _expected_file(path: Path | None, problems: list[str]) -> Expectation | None:
    if path is None:
        return None
    try:
        check_size(path.stat().st_size, str(path))
        return read_expectation_file(path.read_bytes(), str(path))
    except (EventError, ExpectationError) as exc:
        problems.append(str(exc))
    except OSError as exc:
        problems.append(f"{path}: cannot be read: {exc.strerror or exc}.")
    return None


def export_bundle(store: EventStore, function: str) -> str:
    """All of the function's events as one JSON document (the format is in this module's docstring)."""
    events = store.for_export(function)
    expectations = store.expectations(function)
    entries = []
    for event in events:
        # The stored text goes in as it is, so that the import gets back what the person wrote.
        body = event.body.strip(JSON_WHITESPACE)
        expectation = expectations.get(event.name)
        expected = f', "expected": {expectation.file_text().strip()}' if expectation is not None else ""
        entries.append(f'    {{"name": {json.dumps(event.name)}, "event": {body}{expected}}}')
    events_text = "[\n" + ",\n".join(entries) + "\n  ]" if entries else "[]"
    return (
        "{\n"
        f'  "{BUNDLE_FORMAT}": {BUNDLE_VERSION},\n'
        f'  "function": {json.dumps(function)},\n'
        f'  "events": {events_text}\n'
        "}\n"
    )


def import_bundle(store: EventStore, function: str, text: str | bytes, *, replace: bool = False) -> list[SavedEvent]:
    """Import every event of a bundle made by `export_bundle` (or written by hand in its format)."""
    source = "bundle"
    text = event_text(text, source, bounded=False)
    try:
        parse_json(text, source)
    except EventTooDeep:
        # Events nested deeper than Python reads (accepted when saved): check the whole, read it member by member.
        check_deep(text, source)
    incoming, problems = [], []
    top = members_with_spans(text) if is_object(text, 0) else None
    if top is None:
        raise EventError(
            f'{source}: not a lambda-console events bundle: expected an object with "{BUNDLE_FORMAT}": '
            f'{BUNDLE_VERSION} and "events". Export a bundle from lambda-console, or import a folder of .json'
            " files."
        )
    version_span = last_span(top, BUNDLE_FORMAT)
    version = value_at(text, version_span[0])[0] if version_span else None
    if version != BUNDLE_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > BUNDLE_VERSION:
            raise EventError(
                f"{source}: made by a newer lambda-console (format {version}; this one reads format "
                f"{BUNDLE_VERSION}). Upgrade lambda-console to import it."
            )
        raise EventError(
            f'{source}: not a lambda-console events bundle: "{BUNDLE_FORMAT}" must be {BUNDLE_VERSION}, '
            f"found {json.dumps(version) if version is not None else 'nothing'}. Export a bundle from"
            " lambda-console, or import a folder of .json files."
        )
    events_span = last_span(top, "events")
    if events_span is None or text[events_span[0]] != "[":
        raise EventError(f'{source}: "events" must be a list of {{"name": ..., "event": ...}} objects.')
    for index, (item, start, _end) in enumerate(items_with_spans(text, events_span[0])):
        line, column = line_column(text, start)
        where = f"{source}: events[{index}] (line {line}, column {column})"
        if not is_object(text, start):
            problems.append(f'{where}: expected an object {{"name": ..., "event": ...}}.')
            continue
        members = members_with_spans(text, start)
        name_span, event_span = last_span(members, "name"), last_span(members, "event")
        name = value_at(text, name_span[0])[0] if name_span else None
        if event_span is None:
            problems.append(f'{where}: has no "event".')
            continue
        try:
            if not isinstance(name, str):
                raise EventError(f'has no "name" (text): give it one of {NAME_RULE}.')
            check_event_name(name)
            body = text[event_span[0] : event_span[1]]
            check_size(len(body.encode("utf-8", "surrogatepass")), f"event {name!r}")
            expected_span = last_span(members, "expected")
            expectation = None if expected_span is None else read_expectation_file(
                text[expected_span[0] : expected_span[1]], '"expected"')
        except (EventError, ExpectationError) as exc:
            problems.append(f"{where}: {exc}")
        else:
            incoming.append(Incoming(name, body, expectation))
    return store.store_imported(function, incoming, problems, replace, source)


def _name_from_file(path: Path) -> str:
    name = path.name[: -len(path.suffix)]
    try:
        return check_event_name(name)
    except EventError as exc:
        raise EventError(f"{path}: the file name is the event's name. {exc}") from None
