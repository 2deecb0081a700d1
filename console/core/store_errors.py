"""What a failing database or data folder means, said in words: SQLite's result codes read, and the messages that
tell the person what to do."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path


class StoreError(Exception):
    """The database cannot be used as it is (a newer schema, a file that is not a database...)."""


# SQLite's primary result codes (https://sqlite.org/rescode.html); an extended code keeps the primary in its low byte.
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


def primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF
    text = str(exc)  # older Pythons: SQLite's own message for each code (sqlite3ErrStr)
    for primary, message in ((SQLITE_READONLY, "readonly database"), (SQLITE_CORRUPT, "malformed"),
                             (SQLITE_FULL, "database or disk is full"), (SQLITE_CANTOPEN, "unable to open"),
                             (SQLITE_NOTADB, "not a database")):
        if message in text:
            return primary
    return None


def is_disk_full(exc: sqlite3.Error) -> bool:
    """Whether SQLite could not write because the disk (or the database's size limit) is full."""
    return primary_code(exc) == SQLITE_FULL


def check_writable_folder(folder: Path) -> None:
    """Create the data folder if needed and make sure files can be created in it; else a StoreError saying why."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        if exc.errno == errno.EROFS:
            why = "is on a read-only file system"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            why = "cannot be written: permission denied"
        else:
            why = f"cannot be written ({exc.strerror or exc})"
        raise StoreError(
            f"The data folder {folder} {why}. lambda-console keeps its database and packages there and must be able "
            "to write to it: make the folder writable (or remount it read-write), or pass --data-dir with a writable "
            "folder."
        ) from exc


def read_only_file(path: Path, exc: sqlite3.Error) -> str:
    return (
        f"The database {path} cannot be written ({exc}). lambda-console must be able to write to it: make the file "
        "and its folder writable by this user (and not immutable), or pass --data-dir with a writable folder."
    )


def cannot_open(path: Path, exc: sqlite3.Error) -> str:
    try:
        full = shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        full = False
    if full:
        return (f"The disk holding the database {path} is full: the database cannot be opened ({exc}). "
                "Free some space on it, then start again.")
    return f"The database {path} cannot be opened ({exc}). Check the disk holding it, then start again."


def damaged(path: Path, problems: list[str]) -> str:
    found = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
    return (
        f"The database {path} is damaged (SQLite's integrity check: {found}). Nothing was changed. Stop here and "
        f"restore the file from a backup, or move it aside (with its -wal and -shm files, e.g. mv {path} "
        f"{path}.damaged) to start with a new one: the stored packages are kept and listed again, but functions, "
        "saved events and history stay in the damaged file (sqlite3's .recover command may get some back)."
    )
