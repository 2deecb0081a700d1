"""The durable queue of Event (asynchronous) invocations.

Lambda keeps an accepted asynchronous invocation in a durable queue until the function has run it (with its
retries), so an accepted invocation is never lost. Here the queue is a table: the REST API's `202 Accepted` is answered
only once the row is committed, the row counts the attempts recorded so far, and it is removed when the invocation is
finished. A row whose console process is gone (it crashed or was killed) is claimed by the next console that starts
and run again; an attempt cut short by the crash runs again, so an invocation may run more than once, as Lambda's
asynchronous invocations may.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from console.core.clock import now_iso
from console.core.store import Store


@dataclass(frozen=True)
class QueuedEvent:
    """One accepted Event invocation, as queued."""

    id: int
    function: str
    version: str
    request_id: str
    client_context: str | None
    region: str
    account: str
    retries: int
    attempts: int
    expires_at: float | None = None  # seconds since the epoch (MaximumEventAgeInSeconds after it was accepted)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process has the number: alive, and not ours
        return True
    return True


class EventQueue:
    """The queue's table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, function: str, version: str, request_id: str, payload: bytes, *, retries: int,
            client_context: str | None, region: str, account: str, expires_at: float | None = None) -> QueuedEvent:
        with self._store.write() as conn:
            cursor = conn.execute(
                "INSERT INTO event_queue (function, version, request_id, payload, client_context, region, account,"
                " retries, attempts, owner_pid, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                (function, version, request_id, payload, client_context, region, account, retries, os.getpid(),
                 now_iso(), expires_at),
            )
        return QueuedEvent(cursor.lastrowid or 0, function, version, request_id, client_context, region, account,
                           retries, 0, expires_at)

    def payload(self, queue_id: int) -> bytes | None:
        """The event's JSON, read when the invocation runs (None if it is no longer queued)."""
        row = self._store.query_one("SELECT payload FROM event_queue WHERE id = ?", (queue_id,))
        return None if row is None else bytes(row["payload"])

    def attempted(self, queue_id: int, attempts: int, request_id: str) -> None:
        """An attempt was recorded in the history."""
        with self._store.write() as conn:
            conn.execute("UPDATE event_queue SET attempts = ?, request_id = ? WHERE id = ?",
                         (attempts, request_id, queue_id))

    def finish(self, queue_id: int) -> None:
        """The invocation is done (succeeded, out of retries, cancelled, or its function is gone)."""
        with self._store.write() as conn:
            conn.execute("DELETE FROM event_queue WHERE id = ?", (queue_id,))

    def pending(self) -> int:
        row = self._store.query_one("SELECT count(*) AS n FROM event_queue")
        return 0 if row is None else row["n"]

    def claim_orphans(self, running: set[int]) -> list[QueuedEvent]:
        """Take over the invocations of console processes that are gone, oldest first (`running`: the queue ids this
        process is running already)."""
        me = os.getpid()
        claimed = []
        with self._store.write() as conn:
            rows = conn.execute("SELECT * FROM event_queue ORDER BY id").fetchall()
            for row in rows:
                # A row marked with this process's number that it is not running was left by an earlier process
                # that had the same number.
                if row["id"] in running or (row["owner_pid"] != me and _alive(row["owner_pid"])):
                    continue
                conn.execute("UPDATE event_queue SET owner_pid = ? WHERE id = ?", (me, row["id"]))
                claimed.append(QueuedEvent(row["id"], row["function"], row["version"], row["request_id"],
                                           row["client_context"], row["region"], row["account"], row["retries"],
                                           row["attempts"], row["expires_at"]))
        return claimed
