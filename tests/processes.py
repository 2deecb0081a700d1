"""Processes as the tests see them through /proc, and waiting for a condition on a busy machine."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def running(pid: int) -> bool:
    """Whether process `pid` still runs: it exists and is not a zombie waiting to be reaped.

    A process can end between the open() of its stat file and the read(): the read then fails with ESRCH
    (ProcessLookupError), or finds nothing. Either way that process is not running.
    """
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state follows the command name in parentheses, which may itself contain ")".
    fields = text.rpartition(")")[2].split()
    return bool(fields) and fields[0] not in ("Z", "X")


def wait_until(condition: Callable[[], T], what: str, seconds: float = 60.0) -> T:
    """Poll `condition` until it returns something true, and return that.

    The deadline only keeps a broken test from hanging: it is far longer than any condition takes even on a loaded
    machine, and nothing is timed by it.
    """
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"after {seconds:g} s still waiting for {what}"
        time.sleep(0.01)
