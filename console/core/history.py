"""Invocation history: every invocation, from the web, the REST API or the command line, with what it returned.

The latest `keep` entries per function are kept (200 by default); older ones are removed in the same transaction that
records a new one. Logs are stored capped, with a marker where they were cut.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, fields

from console.core.clock import now_iso
from console.core.store import Store, is_disk_full
from console.engine import InvocationResult

log = logging.getLogger(__name__)

DEFAULT_KEEP = 200
DEFAULT_LOG_LIMIT = 256 * 1024
SOURCES = ("console", "api", "cli", "event", "url", "presenter")


class HistoryNotFound(KeyError):
    def __str__(self) -> str:
        return self.args[0] if self.args else "No such invocation"


@dataclass(frozen=True, kw_only=True)
class InvocationRecord(InvocationResult):
    """One recorded invocation: the engine's result, with the function, the event it was given and where it came
    from, as the Test tab and the History tab show it."""

    id: int
    function: str
    source: str
    event: str
    code_sha256: str
    created_at: str
    # Why the invocation is not in the history (a full disk...), or None once it is kept; `id` is then 0.
    not_kept: str | None = None
    # The saved event that was run, as it was saved; empty when the event was typed or edited.
    event_name: str = ""

    @property
    def error_message(self) -> str:
        """A failure's errorMessage as Lambda's payload gives it (cut to 300 characters), empty when it has none."""
        if self.succeeded:
            return ""
        try:
            message = json.loads(self.payload).get("errorMessage")
        except (ValueError, AttributeError, RecursionError):
            return ""
        if not isinstance(message, str):
            return ""
        return message if len(message) <= 300 else message[:299] + "…"


def _cap(log: str, limit: int) -> str:
    data = log.encode()
    if len(data) <= limit:
        return log
    half = limit // 2
    omitted = len(data) - 2 * half
    head = data[:half].decode("utf-8", "ignore")
    tail = data[-half:].decode("utf-8", "ignore")
    return f"{head}\n... [log cut: {omitted} bytes omitted] ...\n{tail}"


def _from_row(row: sqlite3.Row) -> InvocationRecord:
    return InvocationRecord(
        id=row["id"],
        function=row["function"],
        version=row["version"],
        request_id=row["request_id"],
        source=row["source"],
        event=row["event"],
        succeeded=bool(row["succeeded"]),
        payload=bytes(row["payload"]),
        error_type=row["error_type"],
        status=row["status"],
        log=row["log"],
        duration_ms=row["duration_ms"],
        billed_duration_ms=row["billed_duration_ms"],
        init_duration_ms=row["init_duration_ms"],
        max_memory_used_mb=row["max_memory_used_mb"] or None,  # stored as 0 when not measured
        memory_size_mb=row["memory_size_mb"],
        cold=bool(row["cold"]),
        code_sha256=row["code_sha256"],
        created_at=row["created_at"],
        ran_on=row["ran_on"],
        interpreter_note=row["interpreter_note"],
        event_name=row["event_name"],
    )


class History:
    """The invocation history in the database."""

    def __init__(self, store: Store, *, keep: int = DEFAULT_KEEP, log_limit: int = DEFAULT_LOG_LIMIT) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self._store = store
        self.keep = keep
        self.log_limit = log_limit

    def record(
        self, function: str, source: str, event: str, result: InvocationResult, code_sha256: str = "",
        event_name: str = "",
    ) -> InvocationRecord:
        """Keep the invocation; when the database cannot be written, the record still comes back, with `not_kept`
        saying why, so that the person who ran it sees the result."""
        if source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}")
        try:
            return self._insert(function, source, event, result, code_sha256, event_name)
        except sqlite3.OperationalError as exc:
            log.exception("the invocation %s of %s could not be recorded", result.request_id, function)
            if is_disk_full(exc):
                why = f"the disk holding the database {self._store.path} is full. Free some space"
            else:
                why = f"the database {self._store.path} could not be written ({exc}). Check the data folder"
            return self._unkept(function, source, event, result, code_sha256,
                                f"This result was not kept in the history: {why}, and later results are kept again.",
                                event_name)

    def _unkept(self, function: str, source: str, event: str, result: InvocationResult, code_sha256: str,
                why: str, event_name: str = "") -> InvocationRecord:
        engine_result = {item.name: getattr(result, item.name) for item in fields(InvocationResult)}
        return InvocationRecord(**engine_result, id=0, function=function, source=source, event=event,
                                code_sha256=code_sha256, created_at=now_iso(), not_kept=why, event_name=event_name)

    def _insert(
        self, function: str, source: str, event: str, result: InvocationResult, code_sha256: str, event_name: str = ""
    ) -> InvocationRecord:
        with self._store.write() as conn:
            cursor = conn.execute(
                "INSERT INTO invocations (function, version, request_id, source, event, succeeded, payload,"
                " error_type, status, log, duration_ms, billed_duration_ms, init_duration_ms, max_memory_used_mb,"
                " memory_size_mb, cold, code_sha256, created_at, ran_on, interpreter_note, event_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (function, result.version, result.request_id, source, event, int(result.succeeded), result.payload,
                 result.error_type, result.status, _cap(result.log, self.log_limit), result.duration_ms,
                 result.billed_duration_ms, result.init_duration_ms, result.max_memory_used_mb or 0,
                 result.memory_size_mb, int(result.cold), code_sha256, now_iso(), result.ran_on,
                 result.interpreter_note, event_name),
            )
            conn.execute(
                "DELETE FROM invocations WHERE function = ? AND id NOT IN"
                " (SELECT id FROM invocations WHERE function = ? ORDER BY id DESC LIMIT ?)",
                (function, function, self.keep),
            )
            row = conn.execute("SELECT * FROM invocations WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _from_row(row)

    def for_function(self, function: str, limit: int | None = None) -> list[InvocationRecord]:
        """The function's invocations, newest first."""
        rows = self._store.query(
            "SELECT * FROM invocations WHERE function = ? ORDER BY id DESC LIMIT ?", (function, limit or self.keep)
        )
        return [_from_row(row) for row in rows]

    def latest_results(self) -> dict[str, tuple[bool, str]]:
        """Every function's last result, (succeeded, when), in one query: the function list shows them all."""
        rows = self._store.query(
            "SELECT function, succeeded, created_at FROM invocations"
            " WHERE id IN (SELECT max(id) FROM invocations GROUP BY function)"
        )
        return {row["function"]: (bool(row["succeeded"]), row["created_at"]) for row in rows}

    def latest(self, function: str) -> InvocationRecord | None:
        entries = self.for_function(function, 1)
        return entries[0] if entries else None

    def get(self, entry_id: int) -> InvocationRecord:
        # Ids are SQLite INTEGERs (64-bit signed): a larger number names no entry, and SQLite could not take it.
        if not -(2**63) <= entry_id < 2**63:
            raise HistoryNotFound(f"No invocation {entry_id} in the history")
        row = self._store.query_one("SELECT * FROM invocations WHERE id = ?", (entry_id,))
        if row is None:
            raise HistoryNotFound(f"No invocation {entry_id} in the history")
        return _from_row(row)
