"""How much memory a worker uses: its resident set plus its descendants', read from /proc on Linux.

Elsewhere there is no cheap way to read another process's memory; the functions return None and the limit is not
enforced there (the REPORT line then shows what could be measured).
"""

from __future__ import annotations

import os

_PROC = os.path.isdir("/proc/self/task")


def _status_kb(pid: int, field: bytes) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as children:
            return [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return []


def rss_kb(pid: int) -> int | None:
    """Resident memory of `pid` and all its descendants, in KiB; None where it cannot be read."""
    if not _PROC:
        return None
    total = _status_kb(pid, b"VmRSS:")
    if total is None:
        return None
    todo = _children(pid)
    while todo:
        child = todo.pop()
        total += _status_kb(child, b"VmRSS:") or 0
        todo.extend(_children(child))
    return total


def peak_kb(pid: int) -> int | None:
    """The most memory `pid` itself has held since it started (VmHWM), in KiB."""
    return _status_kb(pid, b"VmHWM:") if _PROC else None
