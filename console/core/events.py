"""Saved test events: the JSON a person types or picks in the Test tab, kept per function under a name.

An event is one JSON value (an object, a list, a string, a number, true, false or null) of at most 6 MB of UTF-8:
what Lambda's Invoke accepts. Its body is stored as the person wrote it, formatting and all, because a handler
receives exactly those bytes (and may care about `1.10` against `1.1`). Names are 1 to 64 letters, digits, '-', '_'
and '.', unique per function ignoring case, so that every event exports to its own `<name>.json` on any file system.
Unlike the AWS console there is no limit of ten events per function.

Events move in and out in two forms:

- a folder of `<name>.json` files, one event each, the habit of SAM projects' `events/` folders
  (`export_folder`, `import_folder`);
- a bundle, one JSON document holding all of a function's events (`export_bundle`, `import_bundle`)::

      {
        "lambda-console-events": 1,
        "function": "my-function",
        "events": [
          {"name": "hello", "event": {"key1": "value1"}},
          {"name": "empty-list", "event": []}
        ]
      }

  `lambda-console-events` is the format's version (1); a later version is refused rather than half understood.
  `function` names the function the events were exported from; importing into another function is allowed.
  `events` lists `{"name": <event name>, "event": <the event, any JSON value>}` objects in name order. Each event is
  written into the bundle as its stored text, so an import gets back the text between the `"event":` and the next
  member exactly as written (the whitespace around it aside), formatting included.

An import checks everything first and stores all or nothing: the first problem of every bad file or entry is
reported (with its line and column), and names that already exist are refused unless `replace=True`, which then
overwrites those events (other events of the function are kept).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from console.core.clock import now_iso
from console.core.deepjson import check_json, value_end
from console.core.functions import FunctionNotFound
from console.core.limits import MAX_REQUEST_BYTES
from console.core.store import Store

MAX_EVENT_BYTES = MAX_REQUEST_BYTES  # an event is what a synchronous Invoke sends
MAX_NAME_LENGTH = 64
BUNDLE_FORMAT = "lambda-console-events"
BUNDLE_VERSION = 1
NAME_RULE = f"1 to {MAX_NAME_LENGTH} letters, digits, '-', '_' and '.' (but not '.' or '..' alone)"
_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+")  # ASCII only: \w and \d would let other scripts' letters through
_BOM = "\ufeff"
_JSON_WHITESPACE = " \t\n\r"  # str.strip() alone would also take Unicode spaces, which JSON does not allow


class EventError(ValueError):
    """An event, a name or an import that cannot be accepted; the message says what, where and what to do.

    `line` and `column` (1-based) point into the JSON text when the problem has a place there; `field` is "name"
    when the event's name is what is wrong, "event" otherwise.
    """

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, field: str = "event"
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.field = field


class EventNotFound(KeyError):
    """No saved event of that name for that function."""

    def __str__(self) -> str:
        # KeyError's own str() would wrap the message in quotes.
        return self.args[0] if self.args else "Event not found"


class EventExists(EventError):
    """The function already has an event of that name."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="name")


class EventTooDeep(EventError):
    """JSON nested deeper than Python's reader can follow: valid or not, its value cannot be built here."""


# -- checks -----------------------------------------------------------------------------------------------------


def parse_event(text: str | bytes, source: str = "event") -> object:
    """The JSON value of an event's text, or EventError saying what is wrong and where (`source` starts the message).

    JSON nested deeper than Python can build is refused with EventTooDeep; `check_event` accepts it.
    """
    return _parse_json(_event_text(text, source), source)


def check_event(text: str | bytes, source: str = "event") -> None:
    """Refuse, with EventError, an event Lambda's Invoke would refuse; accept any other, however deeply nested.

    Lambda passes a payload of any depth on to the function's runtime, which then reports whether it could read it.
    """
    decoded = _event_text(text, source)
    try:
        _parse_json(decoded, source)
    except EventTooDeep:
        _check_deep(decoded, source)


def _check_deep(text: str, source: str) -> None:
    """EventError, with its place, unless the text is JSON; for text too deeply nested for Python's reader."""
    try:
        check_json(text)
    except json.JSONDecodeError as exc:
        raise EventError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {_EXPLAINED.get(exc.msg, exc.msg)}",
            line=exc.lineno,
            column=exc.colno,
        ) from None


def check_event_name(name: str) -> str:
    """The name if it is a valid event name, else EventError stating the rule."""
    if not isinstance(name, str):
        raise EventError(f"Event name must be text, not {type(name).__name__}: use {NAME_RULE}.", field="name")
    if not name:
        raise EventError(f"Event name is empty: give it a name of {NAME_RULE}.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise EventError(f"Event name {name[:20]!r}... is {len(name)} characters long: use {NAME_RULE}.", field="name")
    if not _NAME_PATTERN.fullmatch(name):
        bad = next(char for char in name if not _NAME_PATTERN.fullmatch(char))
        raise EventError(f"Event name {name!r} contains {bad!r}, which is not allowed: use {NAME_RULE}.", field="name")
    if name in (".", ".."):
        raise EventError(f"Event name {name!r} is not allowed (it means a folder): use {NAME_RULE}.", field="name")
    return name


def _event_text(text: str | bytes, source: str, *, bounded: bool = True) -> str:
    """The text of an event given as text or as bytes (UTF-8, a leading byte order mark dropped).

    Bounded, it is refused over MAX_EVENT_BYTES; a bundle is not bounded, each event in it is.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if bounded:
            _check_size(len(data), source)
        decoded = _decode(data, source)
    elif isinstance(text, str):
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            line, column = _line_column(text, exc.start)
            raise EventError(
                f"{source}: not UTF-8 at line {line}, column {column}: the character U+{ord(text[exc.start]):04X}"
                " (half of a surrogate pair) has no UTF-8 form. Write it as a \\u escape inside a string,"
                " or remove it.",
                line=line,
                column=column,
            ) from None
        if bounded:
            _check_size(size, source)
        decoded = text
    else:
        raise TypeError(f"an event is str or bytes, not {type(text).__name__}")
    # Editors on Windows start UTF-8 files with a byte order mark; it is an encoding mark, not part of the JSON.
    return decoded[1:] if decoded.startswith(_BOM) else decoded


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        raise EventError(
            f"{source}: not UTF-8 at line {line}, column {column}: byte 0x{data[exc.start]:02x} cannot be decoded."
            " Save it as UTF-8 text.",
            line=line,
            column=column,
        ) from None


def _check_size(size: int, source: str) -> None:
    if size > MAX_EVENT_BYTES:
        raise EventError(
            f"{source}: {size:,} bytes is too large: Lambda accepts an event of at most {MAX_EVENT_BYTES:,} bytes"
            " (6 MB)."
            " Make the event smaller."
        )


def _line_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


# Python's messages that end in " at", expecting a position after them; ours gives the position before.
_EXPLAINED = {
    "Unterminated string starting at": "Unterminated string (its closing quote is missing)",
    "Invalid control character at": "Invalid control character in a string (write a tab as \\t, a new line as \\n)",
    "Invalid \\escape": "Invalid escape in a string (write a backslash as \\\\)",
    "Invalid \\uXXXX escape": "Invalid \\uXXXX escape (give four hexadecimal digits)",
}


class _NotJsonConstant(ValueError):
    pass


def _refuse_constant(name: str) -> object:
    raise _NotJsonConstant(name)


# Python's json reads NaN and Infinity, which are not JSON: Lambda's Invoke refuses an event holding them.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _parse_json(text: str, source: str) -> object:
    """The value of a JSON text (its size already checked), or EventError."""
    if not text.strip(_JSON_WHITESPACE):
        raise EventError(f'{source}: empty: an event is one JSON value, such as {{}}, {{"key": "value"}}, [] or null.')
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise EventError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {_EXPLAINED.get(exc.msg, exc.msg)}",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except _NotJsonConstant as exc:
        line, column = _line_column(text, _constant_position(text))
        raise EventError(
            f"{source}: not valid JSON at line {line}, column {column}: {exc.args[0]} is not a JSON value"
            " (Lambda refuses it). Write a number, null or a string instead.",
            line=line,
            column=column,
        ) from None
    except RecursionError:
        raise EventTooDeep(
            f"{source}: nested too deeply: the arrays and objects go deeper than Python's JSON reader can follow."
            " Flatten the event."
        ) from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python reads integers of at most 4300 digits; the runtime's json is the same
            raise EventError(
                f"{source}: a number has more digits than Python's JSON reader accepts ({sys.get_int_max_str_digits()}"
                "), so the handler could not receive it. Write it as a string."
            ) from None
        raise EventError(f"{source}: not a JSON value Python can read: {exc}.") from None


def _constant_position(text: str) -> int:
    """Where the first NaN/Infinity outside a string starts (the decoder read everything before it as JSON)."""
    in_string = escaped = False
    for pos, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "NI":  # outside strings, valid JSON has letters only in true, false and null
            return pos - 1 if char == "I" and pos and text[pos - 1] == "-" else pos
    return 0


# -- saved events -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedEvent:
    """One saved event of a function; `body` is the text exactly as the person wrote it."""

    id: int
    function: str
    name: str
    body: str
    created_at: str
    updated_at: str

    @property
    def value(self) -> object:
        """The event as a Python value."""
        return _DECODER.decode(self.body)

    @property
    def payload(self) -> bytes:
        """The bytes the engine hands the handler."""
        return self.body.encode("utf-8")


def _from_row(row: sqlite3.Row) -> SavedEvent:
    return SavedEvent(
        id=row["id"],
        function=row["function"],
        name=row["name"],
        body=row["body"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass(frozen=True)
class _Incoming:
    """An event read for import, before anything is stored."""

    name: str
    body: str


class EventStore:
    """The saved events of every function, in the console's database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # reading

    def for_function(self, function: str) -> list[SavedEvent]:
        """The function's events by name (ignoring case); empty for a function without events."""
        rows = self._store.query(
            "SELECT * FROM events WHERE function = ? ORDER BY name COLLATE NOCASE, name", (function,)
        )
        return [_from_row(row) for row in rows]

    def get(self, function: str, name: str) -> SavedEvent:
        row = self._store.query_one("SELECT * FROM events WHERE function = ? AND name = ?", (function, name))
        if row is None:
            raise EventNotFound(_not_found(function, name))
        return _from_row(row)

    # changing

    def create(self, function: str, name: str, body: str) -> SavedEvent:
        """A new event; EventExists when the function already has one of that name (ignoring case)."""
        name, body = check_event_name(name), _checked_body(body, name)
        with self._store.write() as conn:
            _require_function(conn, function)
            _refuse_taken(conn, function, name)
            event_id = _insert(conn, function, name, body, now_iso())
        return self._by_id(event_id)

    def update(self, function: str, name: str, body: str) -> SavedEvent:
        """Replace the body of an existing event."""
        body = _checked_body(body, name)
        with self._store.write() as conn:
            _require_function(conn, function)
            cursor = conn.execute(
                "UPDATE events SET body = ?, updated_at = ? WHERE function = ? AND name = ?",
                (body, now_iso(), function, name),
            )
            if cursor.rowcount == 0:
                raise EventNotFound(_not_found(function, name))
        return self.get(function, name)

    def save(self, function: str, name: str, body: str) -> SavedEvent:
        """Update the event of that name, or create it."""
        name, body = check_event_name(name), _checked_body(body, name)
        with self._store.write() as conn:
            _require_function(conn, function)
            cursor = conn.execute(
                "UPDATE events SET body = ?, updated_at = ? WHERE function = ? AND name = ?",
                (body, now_iso(), function, name),
            )
            if cursor.rowcount == 0:
                _refuse_taken(conn, function, name)
                _insert(conn, function, name, body, now_iso())
        return self.get(function, name)

    def rename(self, function: str, old: str, new: str) -> SavedEvent:
        """Give an event a new name; its body and creation time stay."""
        new = check_event_name(new)
        with self._store.write() as conn:
            _require_function(conn, function)
            row = conn.execute("SELECT id FROM events WHERE function = ? AND name = ?", (function, old)).fetchone()
            if row is None:
                raise EventNotFound(_not_found(function, old))
            if new != old:
                _refuse_taken(conn, function, new, except_id=row["id"])
                conn.execute("UPDATE events SET name = ?, updated_at = ? WHERE id = ?", (new, now_iso(), row["id"]))
        return self.get(function, new)

    def delete(self, function: str, name: str) -> None:
        with self._store.write() as conn:
            if conn.execute("DELETE FROM events WHERE function = ? AND name = ?", (function, name)).rowcount == 0:
                raise EventNotFound(_not_found(function, name))

    def _by_id(self, event_id: int) -> SavedEvent:
        row = self._store.query_one("SELECT * FROM events WHERE id = ?", (event_id,))
        if row is None:
            raise EventNotFound(f"No saved event has id {event_id}.")
        return _from_row(row)

    # folders

    def export_folder(self, function: str, folder: Path) -> list[Path]:
        """Write each event as `<folder>/<name>.json` (its text as stored), replacing files of those names only."""
        events = self._events_to_export(function)
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EventError(
                f"Cannot make the folder {folder}: {exc.strerror or exc}. Choose another folder."
            ) from None
        written: list[Path] = []
        for event in events:
            # Names are checked on the way in, so they cannot climb out of the folder; check again all the same,
            # since a name is about to become a path.
            target = folder / f"{check_event_name(event.name)}.json"
            if target.parent != folder:
                raise EventError(f"Event {event.name!r} would be written outside {folder}: rename it.")
            try:
                _write_atomically(target, event.payload)
            except OSError as exc:
                raise EventError(
                    f"Cannot write {target}: {exc.strerror or exc}. {len(written)} of {len(events)} events were"
                    " exported; choose a folder you can write to."
                ) from None
            written.append(target)
        return written

    def import_folder(self, function: str, folder: Path, *, replace: bool = False) -> list[SavedEvent]:
        """Import every `*.json` file of the folder (not its subfolders) as the event `<file name without .json>`."""
        folder = Path(folder)
        if not folder.is_dir():
            raise EventError(f"{folder} is not a folder: give the folder that holds the <name>.json event files.")
        files = sorted(
            (path for path in folder.iterdir() if path.suffix.lower() == ".json" and path.is_file()),
            key=lambda path: path.name,
        )
        if not files:
            raise EventError(f"{folder} holds no .json files: nothing was imported. Each event is one <name>.json.")
        incoming, problems = [], []
        for path in files:
            try:
                name = _name_from_file(path)
                size = path.stat().st_size
                # Check the size before reading: a stray video renamed .json should not be read whole.
                _check_size(size, str(path))
                body = _event_text(path.read_bytes(), str(path))
                check_event(body, str(path))
            except EventError as exc:
                problems.append(str(exc))
            except OSError as exc:
                problems.append(f"{path}: cannot be read: {exc.strerror or exc}.")
            else:
                incoming.append(_Incoming(name, body))
        return self._import(function, incoming, problems, replace, str(folder))

    # bundles

    def export_bundle(self, function: str) -> str:
        """All of the function's events as one JSON document (the format is in this module's docstring)."""
        events = self._events_to_export(function)
        entries = []
        for event in events:
            # The stored text goes in as it is, so that the import gets back what the person wrote.
            body = event.body.strip(_JSON_WHITESPACE)
            entries.append(f'    {{"name": {json.dumps(event.name)}, "event": {body}}}')
        events_text = "[\n" + ",\n".join(entries) + "\n  ]" if entries else "[]"
        return (
            "{\n"
            f'  "{BUNDLE_FORMAT}": {BUNDLE_VERSION},\n'
            f'  "function": {json.dumps(function)},\n'
            f'  "events": {events_text}\n'
            "}\n"
        )

    def import_bundle(self, function: str, text: str | bytes, *, replace: bool = False) -> list[SavedEvent]:
        """Import every event of a bundle made by `export_bundle` (or written by hand in its format)."""
        source = "bundle"
        text = _event_text(text, source, bounded=False)
        try:
            _parse_json(text, source)
        except EventTooDeep:
            # Events nested deeper than Python reads (accepted when saved): check the whole, read it member by member.
            _check_deep(text, source)
        incoming, problems = [], []
        top = _members_with_spans(text) if _is_object(text, 0) else None
        if top is None:
            raise EventError(
                f'{source}: not a lambda-console events bundle: expected an object with "{BUNDLE_FORMAT}": '
                f'{BUNDLE_VERSION} and "events". Export a bundle from lambda-console, or import a folder of .json'
                " files."
            )
        version_span = _last_span(top, BUNDLE_FORMAT)
        version = _value_end(text, version_span[0])[0] if version_span else None
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
        events_span = _last_span(top, "events")
        if events_span is None or text[events_span[0]] != "[":
            raise EventError(f'{source}: "events" must be a list of {{"name": ..., "event": ...}} objects.')
        for index, (item, start, _end) in enumerate(_items_with_spans(text, events_span[0])):
            line, column = _line_column(text, start)
            where = f"{source}: events[{index}] (line {line}, column {column})"
            if not _is_object(text, start):
                problems.append(f'{where}: expected an object {{"name": ..., "event": ...}}.')
                continue
            members = _members_with_spans(text, start)
            name_span, event_span = _last_span(members, "name"), _last_span(members, "event")
            name = _value_end(text, name_span[0])[0] if name_span else None
            if event_span is None:
                problems.append(f'{where}: has no "event".')
                continue
            try:
                if not isinstance(name, str):
                    raise EventError(f'has no "name" (text): give it one of {NAME_RULE}.')
                check_event_name(name)
                body = text[event_span[0] : event_span[1]]
                _check_size(len(body.encode("utf-8", "surrogatepass")), f"event {name!r}")
            except EventError as exc:
                problems.append(f"{where}: {exc}")
            else:
                incoming.append(_Incoming(name, body))
        return self._import(function, incoming, problems, replace, source)

    # import and export, shared

    def _events_to_export(self, function: str) -> list[SavedEvent]:
        if self._store.query_one("SELECT 1 FROM functions WHERE name = ?", (function,)) is None:
            raise FunctionNotFound(function)
        events = self.for_function(function)
        names: dict[str, str] = {}
        for event in events:
            clash = names.setdefault(event.name.casefold(), event.name)
            if clash != event.name:  # only from a database written before names were compared ignoring case
                raise EventError(
                    f"Events {clash!r} and {event.name!r} of function {function} differ only in case and would be"
                    " the same file on macOS and Windows: rename one of them, then export again."
                )
        return events

    def _import(
        self, function: str, incoming: list[_Incoming], problems: list[str], replace: bool, source: str
    ) -> list[SavedEvent]:
        seen: dict[str, str] = {}
        for event in incoming:
            first = seen.get(event.name.casefold())
            if first is None:
                seen[event.name.casefold()] = event.name
            else:
                same = (
                    "twice"
                    if first == event.name
                    else f"as {first!r} and {event.name!r} (names are compared ignoring case)"
                )
                problems.append(f"{source}: holds the event {event.name!r} {same}: keep one of them.")
        if problems:
            raise EventError("Nothing was imported: fix these and import again.\n" + "\n".join(problems))
        if not incoming:
            raise EventError(f"{source}: holds no events: nothing was imported.")
        with self._store.write() as conn:
            _require_function(conn, function)
            existing = {
                row["name"].casefold(): row
                for row in conn.execute("SELECT id, name FROM events WHERE function = ?", (function,))
            }
            clashes = [
                existing[event.name.casefold()]["name"] for event in incoming if event.name.casefold() in existing
            ]
            if clashes and not replace:
                raise EventExists(
                    f"Function {function} already has events named {_quoted(sorted(clashes))}: nothing was imported."
                    " Rename or delete them first, or import again replacing them."
                )
            stamp = now_iso()
            for event in incoming:
                row = existing.get(event.name.casefold())
                if row is None:
                    _insert(conn, function, event.name, event.body, stamp)
                else:
                    conn.execute(
                        "UPDATE events SET name = ?, body = ?, updated_at = ? WHERE id = ?",
                        (event.name, event.body, stamp, row["id"]),
                    )
        wanted = {event.name for event in incoming}
        return [event for event in self.for_function(function) if event.name in wanted]


# -- helpers ----------------------------------------------------------------------------------------------------


def _checked_body(body: str, name: object) -> str:
    source = f"event {name!r}" if isinstance(name, str) and name else "event"
    if not isinstance(body, str):
        raise TypeError(f"an event body is str, not {type(body).__name__}")
    text = _event_text(body, source)
    check_event(text, source)
    return text


def _name_from_file(path: Path) -> str:
    name = path.name[: -len(path.suffix)]
    try:
        return check_event_name(name)
    except EventError as exc:
        raise EventError(f"{path}: the file name is the event's name. {exc}") from None


def _require_function(conn: sqlite3.Connection, function: str) -> None:
    if conn.execute("SELECT 1 FROM functions WHERE name = ?", (function,)).fetchone() is None:
        raise FunctionNotFound(function)


def _refuse_taken(conn: sqlite3.Connection, function: str, name: str, except_id: int | None = None) -> None:
    row = conn.execute(
        "SELECT id, name FROM events WHERE function = ? AND name = ? COLLATE NOCASE AND id IS NOT ?",
        (function, name, except_id),
    ).fetchone()
    if row is not None:
        same = "" if row["name"] == name else " (names are compared ignoring case, so each has its own file)"
        raise EventExists(
            f"Function {function} already has an event named {row['name']!r}{same}: choose another name,"
            " or save over that one."
        )


def _insert(conn: sqlite3.Connection, function: str, name: str, body: str, stamp: str) -> int:
    cursor = conn.execute(
        "INSERT INTO events (function, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (function, name, body, stamp, stamp),
    )
    assert cursor.lastrowid is not None  # an INSERT that returned sets it
    return cursor.lastrowid


def _not_found(function: str, name: str) -> str:
    return f"Function {function} has no saved event named {name!r}."


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write data to target so that a reader sees the old file or the new one, never half of it."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # os.replace renames over a symlink rather than through it: a link in the folder cannot send us elsewhere.
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


# -- where values are in a JSON text (for bundles, whose events keep their exact text) ---------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    assert match is not None  # the pattern matches the empty string too
    return match.end()


# Stands for a value nested deeper than Python's reader can build; its text is still found by its span.
_TOO_DEEP = object()


def _value_end(text: str, pos: int) -> tuple[object, int]:
    """The valid JSON value at pos and where it ends; `_TOO_DEEP` for the value when it cannot be built."""
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        return _TOO_DEEP, value_end(text, pos)


def _is_object(text: str, pos: int) -> bool:
    pos = _skip(text, pos)
    return pos < len(text) and text[pos] == "{"


def _members_with_spans(text: str, pos: int = 0) -> list[tuple[str, int, int]]:
    """(key, start, end) of each member of the valid JSON object starting at or after pos."""
    pos = _skip(text, pos)
    assert text[pos] == "{"
    members: list[tuple[str, int, int]] = []
    pos = _skip(text, pos + 1)
    if text[pos] == "}":
        return members
    while True:
        key, pos = _value_end(text, pos)
        assert isinstance(key, str)  # an object's keys are strings in valid JSON
        pos = _skip(text, pos)
        pos = _skip(text, pos + 1)  # the ':'
        _, end = _value_end(text, pos)
        members.append((key, pos, end))
        pos = _skip(text, end)
        if text[pos] == "}":
            return members
        pos = _skip(text, pos + 1)  # the ','


def _items_with_spans(text: str, pos: int) -> list[tuple[object, int, int]]:
    """(value, start, end) of each item of the valid JSON array starting at pos."""
    pos = _skip(text, pos)
    assert text[pos] == "["
    items: list[tuple[object, int, int]] = []
    pos = _skip(text, pos + 1)
    if text[pos] == "]":
        return items
    while True:
        value, end = _value_end(text, pos)
        items.append((value, pos, end))
        pos = _skip(text, end)
        if text[pos] == "]":
            return items
        pos = _skip(text, pos + 1)


def _last_span(members: list[tuple[str, int, int]], key: str) -> tuple[int, int] | None:
    """Where the member's value is; the last one wins, as in the parsed object."""
    spans = [(start, end) for member, start, end in members if member == key]
    return spans[-1] if spans else None
