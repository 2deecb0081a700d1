"""What happened to a function's code without an invocation: a saved file in its folder ("code changed, reloaded"),
its dependencies installed or failing. The function page's header shows the latest, the History tab all of them
beside the invocations. The latest `keep` per function are kept."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from console.core.clock import now_iso
from console.core.store import Store

RELOADED = "reloaded"
DEPENDENCIES = "dependencies"
DEFAULT_KEEP = 50


@dataclass(frozen=True)
class CodeChange:
    id: int
    function: str
    kind: str  # RELOADED or DEPENDENCIES
    message: str  # "code changed, reloaded (app.py)"
    created_at: str


def _from_row(row: sqlite3.Row) -> CodeChange:
    return CodeChange(row["id"], row["function"], row["kind"], row["message"], row["created_at"])


class CodeChanges:
    def __init__(self, store: Store, keep: int = DEFAULT_KEEP) -> None:
        self._store = store
        self._keep = keep

    def record(self, function: str, kind: str, message: str) -> CodeChange | None:
        """Record a change of the function's code; None when the function was deleted meanwhile."""
        with self._store.write() as conn:
            if conn.execute("SELECT 1 FROM functions WHERE name = ?", (function,)).fetchone() is None:
                return None
            cursor = conn.execute(
                "INSERT INTO code_changes (function, kind, message, created_at) VALUES (?, ?, ?, ?)",
                (function, kind, message, now_iso()),
            )
            conn.execute(
                "DELETE FROM code_changes WHERE function = ? AND id NOT IN"
                " (SELECT id FROM code_changes WHERE function = ? ORDER BY id DESC LIMIT ?)",
                (function, function, self._keep),
            )
            row = conn.execute("SELECT * FROM code_changes WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _from_row(row)

    def for_function(self, function: str, limit: int | None = None) -> list[CodeChange]:
        """The function's code changes, newest first."""
        rows = self._store.query(
            "SELECT * FROM code_changes WHERE function = ? ORDER BY id DESC LIMIT ?", (function, limit or -1)
        )
        return [_from_row(row) for row in rows]

    def latest(self, function: str, kind: str | None = None) -> CodeChange | None:
        if kind is None:
            row = self._store.query_one(
                "SELECT * FROM code_changes WHERE function = ? ORDER BY id DESC LIMIT 1", (function,))
        else:
            row = self._store.query_one(
                "SELECT * FROM code_changes WHERE function = ? AND kind = ? ORDER BY id DESC LIMIT 1", (function, kind))
        return None if row is None else _from_row(row)
