"""Capture of a worker's output (stdout and stderr share one pipe, as on Lambda) into per-invocation logs.

A pump thread keeps the pipe drained so a chatty handler never blocks on a full pipe. The engine cuts the stream at
invocation boundaries with `take()`, which first drains the pipe itself under the same lock: everything the worker
wrote before it posted its response is already in the pipe then, so it lands in the right invocation's log.
"""

from __future__ import annotations

import os
import select
import threading

DEFAULT_LOG_LIMIT = 1 << 20  # bytes kept per invocation
_TAIL = 64 * 1024  # of which the last part is always kept: Lambda's LogResult is the log's tail


class LogCapture:
    """Reads a pipe in the background and hands out what was written since the last `take()`, capped."""

    def __init__(self, fd: int, limit: int = DEFAULT_LOG_LIMIT) -> None:
        os.set_blocking(fd, False)
        self._fd = fd
        self._limit = max(limit, 2 * _TAIL)
        self._lock = threading.Lock()
        self._head = bytearray()
        self._tail = bytearray()
        self._dropped = 0
        self._eof = False
        self._closed = False
        self._thread = threading.Thread(target=self._pump, name="worker-log", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while not self._eof and not self._closed:
            try:
                if not poller.poll(500):
                    continue
            except (OSError, ValueError):
                return
            with self._lock:
                if self._closed:
                    return
                self._drain()

    def _drain(self) -> None:
        """Read all that is in the pipe now. Caller holds the lock."""
        while not self._eof:
            try:
                chunk = os.read(self._fd, 65_536)
            except BlockingIOError:
                return
            except OSError:
                self._eof = True
                return
            if not chunk:
                self._eof = True
                return
            self._append(chunk)

    def _append(self, chunk: bytes) -> None:
        room = self._limit - _TAIL - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self._tail += chunk
            if len(self._tail) > _TAIL:
                cut = len(self._tail) - _TAIL
                self._dropped += cut
                del self._tail[:cut]

    def take(self) -> bytes:
        """Everything written since the last take (head and tail of it when it was over the limit)."""
        with self._lock:
            if not self._closed:
                self._drain()
            data = bytes(self._head)
            if self._dropped:
                data += f"\n... [log cut: {self._dropped} bytes omitted] ...\n".encode()
            data += self._tail
            self._head.clear()
            self._tail.clear()
            self._dropped = 0
            return data

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                os.close(self._fd)
            except OSError:
                pass
