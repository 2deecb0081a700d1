"""Handler discovery, done once per package: the result is kept in the database under the package's SHA-256.

A package's files never change (it is stored by the digest of its zip), so what they suggest never changes either;
only a lambda-console that discovers differently (a new FORMAT) reads them again. The row goes with the package.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from console.core.clock import now_iso
from console.core.discovery import Discovery, discover
from console.core.store import Store

log = logging.getLogger(__name__)

# Raise when `discover` finds differently, so that stored results made the old way are not used.
FORMAT = 1


class Discoveries:
    """What each stored package's files suggest, found once and then read from the database."""

    def __init__(self, store: Store) -> None:
        self._store = store
        # One discovery at a time: two pages asking at once for a new package read its files once.
        self._lock = threading.Lock()

    def stored(self, sha256: str) -> Discovery | None:
        """The discovery kept for the package, or None when there is none (yet)."""
        row = self._store.query_one(
            "SELECT result FROM discoveries WHERE package_sha256 = ? AND format = ?", (sha256, FORMAT)
        )
        return None if row is None else Discovery.from_json(row["result"])

    def get(self, sha256: str, code_dir: Path) -> Discovery:
        """The package's discovery: the stored one, else found in `code_dir` (its unpacked files) and kept."""
        if (found := self.stored(sha256)) is not None:
            return found
        with self._lock:
            if (found := self.stored(sha256)) is not None:
                return found
            found = discover(code_dir)
            try:
                with self._store.write() as conn:
                    conn.execute(
                        "INSERT OR REPLACE INTO discoveries (package_sha256, format, result, created_at)"
                        " VALUES (?, ?, ?, ?)",
                        (sha256, FORMAT, found.to_json(), now_iso()),
                    )
            except sqlite3.OperationalError:
                # A full disk, say: the suggestions are still given, and found again next time.
                log.exception("the handlers found in package %s could not be kept", sha256)
        return found
