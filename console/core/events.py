"""Saved test events: the JSON a person types or picks in the Test tab, kept per function under a name.

An event is one JSON value (an object, a list, a string, a number, true, false or null) of at most 6 MB of UTF-8:
what Lambda's Invoke accepts. Its body is stored as the person wrote it, formatting and all, because a handler
receives exactly those bytes (and may care about `1.10` against `1.1`). Names are 1 to 64 letters, digits, '-', '_'
and '.', unique per function ignoring case, so that every event exports to its own `<name>.json` on any file system.
Unlike the AWS console there is no limit of ten events per function.

How an event's JSON is read is in console.core.event_json; folders and bundles in console.core.event_transfer.
An import checks everything first and stores all or nothing (`store_imported`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from console.core.clock import now_iso
from console.core.event_json import (  # noqa: F401 - the events' errors and checks, where callers look for them
    DECODER,
    MAX_EVENT_BYTES,
    MAX_NAME_LENGTH,
    NAME_RULE,
    EventError,
    EventTooDeep,
    check_event,
    check_event_name,
    event_text,
    parse_event,
)
from console.core.functions import FunctionNotFound
from console.core.store import Store

if TYPE_CHECKING:
    from console.core.expectations import Expectation


class EventNotFound(KeyError):
    """No saved event of that name for that function."""

    def __str__(self) -> str:
        # KeyError's own str() would wrap the message in quotes.
        return self.args[0] if self.args else "Event not found"


class EventExists(EventError):
    """The function already has an event of that name."""

    def __init__(self, message: str, existing: str = "") -> None:
        super().__init__(message, field="name")
        self.existing = existing  # the saved event's name as it is stored (its case may differ)



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
        return DECODER.decode(self.body)

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
class Incoming:
    """An event read for import, before anything is stored."""

    name: str
    body: str
    expectation: Expectation | None = None  # from `<name>.expected.json`; None keeps the event's current one



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

    def duplicate(self, function: str, source: str, new: str) -> SavedEvent:
        """A copy of an event under a new name, with its expectation (a copy is the same test under another name)."""
        new = check_event_name(new)
        with self._store.write() as conn:
            _require_function(conn, function)
            row = conn.execute("SELECT id, body FROM events WHERE function = ? AND name = ?",
                               (function, source)).fetchone()
            if row is None:
                raise EventNotFound(_not_found(function, source))
            _refuse_taken(conn, function, new)
            event_id = _insert(conn, function, new, row["body"], now_iso())
            conn.execute(
                "INSERT INTO expectations (event_id, response, function_error, max_duration_ms, updated_at)"
                " SELECT ?, response, function_error, max_duration_ms, updated_at FROM expectations WHERE event_id = ?",
                (event_id, row["id"]))
        return self._by_id(event_id)

    def copy_all(self, source: str, target: str) -> int:
        """Copy every event of `source`, with its expectation, to `target` (which has none yet), in one transaction;
        the number copied."""
        with self._store.write() as conn:
            _require_function(conn, target)
            rows = conn.execute("SELECT id, name, body FROM events WHERE function = ?", (source,)).fetchall()
            stamp = now_iso()
            for row in rows:
                event_id = _insert(conn, target, row["name"], row["body"], stamp)
                conn.execute(
                    "INSERT INTO expectations (event_id, response, function_error, max_duration_ms, updated_at)"
                    " SELECT ?, response, function_error, max_duration_ms, updated_at FROM expectations"
                    " WHERE event_id = ?", (event_id, row["id"]))
        return len(rows)

    def delete(self, function: str, name: str) -> None:
        with self._store.write() as conn:
            if conn.execute("DELETE FROM events WHERE function = ? AND name = ?", (function, name)).rowcount == 0:
                raise EventNotFound(_not_found(function, name))

    def _by_id(self, event_id: int) -> SavedEvent:
        row = self._store.query_one("SELECT * FROM events WHERE id = ?", (event_id,))
        if row is None:
            raise EventNotFound(f"No saved event has id {event_id}.")
        return _from_row(row)

    # in and out: console.core.event_transfer

    def export_folder(self, function: str, folder: Path) -> list[Path]:
        from console.core import event_transfer

        return event_transfer.export_folder(self, function, folder)

    def import_folder(self, function: str, folder: Path, *, replace: bool = False) -> list[SavedEvent]:
        from console.core import event_transfer

        return event_transfer.import_folder(self, function, folder, replace=replace)

    def export_bundle(self, function: str) -> str:
        from console.core import event_transfer

        return event_transfer.export_bundle(self, function)

    def import_bundle(self, function: str, text: str | bytes, *, replace: bool = False) -> list[SavedEvent]:
        from console.core import event_transfer

        return event_transfer.import_bundle(self, function, text, replace=replace)

    def expectations(self, function: str) -> dict[str, Expectation]:
        """The function's expectations by event name (they travel with the events)."""
        from console.core.expectations import ExpectationStore

        return ExpectationStore(self._store).for_function(function)

    def for_export(self, function: str) -> list[SavedEvent]:
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

    def store_imported(
        self, function: str, incoming: list[Incoming], problems: list[str], replace: bool, source: str
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
                if event.expectation is not None:
                    from console.core.expectations import set_in

                    set_in(conn, function, event.name, event.expectation)
        wanted = {event.name for event in incoming}
        return [event for event in self.for_function(function) if event.name in wanted]



# -- helpers ----------------------------------------------------------------------------------------------------


def _checked_body(body: str, name: object) -> str:
    source = f"event {name!r}" if isinstance(name, str) and name else "event"
    if not isinstance(body, str):
        raise TypeError(f"an event body is str, not {type(body).__name__}")
    text = event_text(body, source)
    check_event(text, source)
    return text


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
            " or save over that one.",
            existing=row["name"],
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
