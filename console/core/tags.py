"""A function's tags and its reserved concurrency: settings of the function itself (not of a version), kept in the
database with it and deleted with it.

Tags follow Lambda's rules (TagResource, CreateFunction's Tags): at most 50 per function, keys of 1 to 128 characters
that do not start with `aws:`, values of at most 256. Reserved concurrency (PutFunctionConcurrency) is a whole number
from 0; 0 throttles every invocation, N lets at most N run at once (the engine enforces it).
"""

from __future__ import annotations

from console.core.function_rules import FunctionError, FunctionNotFound
from console.core.store import Store

MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256


def check_tags(tags: object) -> dict[str, str]:
    """Tags as Lambda takes them, or FunctionError saying which rule one breaks."""
    if not isinstance(tags, dict):
        raise FunctionError("Tags must be an object of tag keys to values.", "tags")
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_TAG_KEY:
            raise FunctionError(f"Tag key {key!r} must be 1 to {MAX_TAG_KEY} characters.", "tags")
        if key.lower().startswith("aws:"):
            raise FunctionError(f"Tag key {key}: keys starting with aws: are reserved for AWS.", "tags")
        if not isinstance(value, str) or len(value) > MAX_TAG_VALUE:
            raise FunctionError(f"Tag {key}: the value must be text of at most {MAX_TAG_VALUE} characters.", "tags")
    return dict(tags)


def check_concurrency(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FunctionError(
            f"ReservedConcurrentExecutions must be a whole number from 0, not {value!r}.", "reserved_concurrency"
        )
    return value


class TagStore:
    """Tags and reserved concurrency of functions, in the database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _exists(self, conn, name: str) -> None:
        if conn.execute("SELECT 1 FROM functions WHERE name = ?", (name,)).fetchone() is None:
            raise FunctionNotFound(name)

    def tags(self, name: str) -> dict[str, str]:
        with self._store.read() as conn:
            self._exists(conn, name)
            rows = conn.execute("SELECT key, value FROM function_tags WHERE function = ? ORDER BY key", (name,))
            return {row["key"]: row["value"] for row in rows}

    def tag(self, name: str, tags: dict[str, str]) -> dict[str, str]:
        """Add or replace tags; FunctionError when the function would hold more than Lambda allows."""
        checked = check_tags(tags)
        with self._store.write() as conn:
            self._exists(conn, name)
            keys = {row["key"] for row in conn.execute("SELECT key FROM function_tags WHERE function = ?", (name,))}
            if len(keys | checked.keys()) > MAX_TAGS:
                raise FunctionError(f"A function has at most {MAX_TAGS} tags: remove some first.", "tags")
            conn.executemany(
                "INSERT OR REPLACE INTO function_tags (function, key, value) VALUES (?, ?, ?)",
                [(name, key, value) for key, value in checked.items()],
            )
        return self.tags(name)

    def untag(self, name: str, keys: list[str]) -> None:
        with self._store.write() as conn:
            self._exists(conn, name)
            conn.executemany("DELETE FROM function_tags WHERE function = ? AND key = ?", [(name, k) for k in keys])

    def reserved_concurrency(self, name: str) -> int | None:
        with self._store.read() as conn:
            row = conn.execute("SELECT reserved_concurrency FROM functions WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise FunctionNotFound(name)
        return row["reserved_concurrency"]

    def reserve_concurrency(self, name: str, value: int | None) -> int | None:
        """Reserve `value` concurrent executions for the function, or none (None)."""
        checked = None if value is None else check_concurrency(value)
        with self._store.write() as conn:
            if conn.execute("UPDATE functions SET reserved_concurrency = ? WHERE name = ?", (checked, name)).rowcount == 0:
                raise FunctionNotFound(name)
        return checked
