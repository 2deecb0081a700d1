"""How much memory a worker uses: its resident set plus that of every process it started, however started.

A worker is started as the leader of its own session (and process group). Its descendants are the processes found by
walking its children, plus every process still in its session: a child that double-forks leaves a grandchild whose
parent has exited, so the grandchild is reparented to init and no walk from the worker finds it, but it keeps the
worker's session unless it calls setsid() itself. (A Linux child subreaper would catch those too, but it has to be
set inside the worker, which may be AWS's unmodified runtime client, and it would leave the reaping of every orphan
to it.)

A sandboxed worker runs in its own PID namespace (see sandbox.py): there every orphan is reparented to the
namespace's first process, so the environment's processes are exactly that process's descendants (`tree_root`), and
no session scan is needed.

Readings come from /proc on Linux (a kept descriptor for the worker's status, read on every poll) and from psutil
elsewhere (macOS). The environment variable `LAMBDA_CONSOLE_MEMORY_READER` picks the reader, for the tests: `psutil`
makes Linux read through psutil, the path macOS takes; `none` takes no readings, as a system with neither would, and
Max Memory Used is then left out rather than guessed (and the memory limit cannot be enforced).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable


def _psutil_available() -> bool:
    """psutil is imported only when a reader needs it: where /proc serves, the console never pays for its import."""
    try:
        import psutil  # noqa: F401
    except ImportError:  # a dependency of the console; without it, memory is read where /proc exists only
        return False
    return True


_PROC = os.path.isdir("/proc/self/task")
# The environment variable that picks the reader: "proc" (the default where /proc exists), "psutil" or "none".
READER_VARIABLE = "LAMBDA_CONSOLE_MEMORY_READER"
# How often the session is searched for descendants that no walk of children finds (a scan reads every process).
_SCAN_SECONDS = 0.1


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


def children(pid: int) -> list[int]:
    """The pids of `pid`'s children, read from /proc (none when it has ended)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as children:
            return [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return []


def _session_members(session: int, pids: Iterable[int]) -> set[int]:
    """The processes among `pids` in the session (getsid() is one system call; reading /proc/<pid>/stat is slower)."""
    members = set()
    for pid in pids:
        try:
            if os.getsid(pid) == session:
                members.add(pid)
        except OSError:
            continue  # ended since it was listed
    return members


def _tree(pid: int) -> set[int]:
    """Every descendant of `pid` reached by walking children (pid itself excluded)."""
    found: set[int] = set()
    todo = children(pid)
    while todo:
        child = todo.pop()
        if child not in found:
            found.add(child)
            todo.extend(children(child))
    return found


def _proc_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _psutil_descendants(pid: int) -> set[int]:
    import psutil

    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.Error:
        return set()


def _psutil_rss_kb(pids: Iterable[int]) -> int | None:
    import psutil

    total = None
    for pid in pids:
        try:
            rss = psutil.Process(pid).memory_info().rss
        except psutil.Error:
            continue  # ended since it was found
        total = (total or 0) + rss // 1024
    return total


class ProcessMemory:
    """Memory readings of one worker process (a session leader) and its descendants."""

    def __init__(self, pid: int, reader: str | None = None, *, tree_root: int | None = None) -> None:
        self.pid = pid
        self._root = tree_root  # a PID namespace's first process: its descendants are all the environment's
        chosen = reader or os.environ.get(READER_VARIABLE) or ("proc" if _PROC else "psutil")
        if chosen == "psutil" and not _psutil_available():
            chosen = "proc" if _PROC else "none"
        self.reader = chosen if chosen in ("proc", "psutil") else "none"
        self._fd: int | None = None
        self._members: set[int] = set()
        self._scanned = 0.0
        if self.reader == "proc":
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

    def descendants(self, *, fresh: bool = False) -> set[int]:
        """The worker's descendants: its children's tree and the rest of its session (rescanned every 0.1 s)."""
        if self._root is not None:
            if self.reader == "psutil":
                return _psutil_descendants(self._root) - {self.pid}
            return _tree(self._root) - {self.pid} if self.reader == "proc" else set()
        now = time.monotonic()
        if fresh or now - self._scanned >= _SCAN_SECONDS:
            self._scanned = now
            if self.reader == "proc":
                members = _session_members(self.pid, _proc_pids())
            elif self.reader == "psutil":
                import psutil

                members = _session_members(self.pid, psutil.pids()) | _psutil_descendants(self.pid)
            else:
                members = set()
            self._members = members - {self.pid}
        if self.reader != "proc":
            return set(self._members)
        return self._members | _tree(self.pid)

    def rss_kb(self) -> int | None:
        """Resident memory of the worker and all its descendants, in KiB; None where it cannot be read."""
        if self.reader == "psutil":
            return _psutil_rss_kb([self.pid, *self.descendants()])
        total = _field_kb(self._status(), b"VmRSS:")
        if total is None:
            return None
        for pid in self.descendants():
            total += _field_kb(_read_status(pid), b"VmRSS:") or 0
        return total

    def peak_kb(self) -> int | None:
        """The most memory the worker has held since it started, in KiB, as far as it can be read.

        /proc keeps the worker's own high-water mark (VmHWM); psutil has none on macOS, so there it is the worker
        and its descendants now (the polls during the invocation saw the rest).
        """
        if self.reader == "psutil":
            return self.rss_kb()
        return _field_kb(self._status(), b"VmHWM:")

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
