"""How much memory a worker uses: its resident set plus its descendants', read from /proc on Linux.

Elsewhere there is no cheap way to read another process's memory; the readings are None and the limit is not
enforced there (the REPORT line then shows what could be measured).
"""

from __future__ import annotations

import os

_PROC = os.path.isdir("/proc/self/task")


def _field_kb(status: bytes, name: bytes) -> int | None:
    start = status.find(name)
    if start < 0:
        return None
    end = status.find(b"\n", start)
    try:
        return int(status[start + len(name):end].split()[0])
    except (ValueError, IndexError):
        return None


def _read_status(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            return status.read()
    except OSError:
        return b""


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as children:
            return [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return []


class ProcessMemory:
    """Memory readings of one worker process; keeps its /proc status file open, since it is read on every invoke."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._fd: int | None = None
        if _PROC:
            try:
                self._fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
            except OSError:
                self._fd = None

    def _status(self) -> bytes:
        if self._fd is None:
            return b""
        try:
            return os.pread(self._fd, 8192, 0)
        except OSError:
            return b""

    def rss_kb(self) -> int | None:
        """Resident memory of the worker and all its descendants, in KiB; None where it cannot be read."""
        total = _field_kb(self._status(), b"VmRSS:")
        if total is None:
            return None
        todo = _children(self.pid)
        while todo:
            child = todo.pop()
            total += _field_kb(_read_status(child), b"VmRSS:") or 0
            todo.extend(_children(child))
        return total

    def peak_kb(self) -> int | None:
        """The most memory the worker itself has held since it started (VmHWM), in KiB."""
        return _field_kb(self._status(), b"VmHWM:")

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
