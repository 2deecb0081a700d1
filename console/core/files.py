"""Files written and removed safely: whole or not at all, durable across a crash, read-only trees included."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def remove_tree(path: Path) -> None:
    """Remove a file or a folder tree, read-only or not; nothing if it is already gone."""
    if not os.path.lexists(path):
        return
    if path.is_dir() and not path.is_symlink():
        for folder, _, _ in os.walk(path):
            os.chmod(folder, 0o700)  # a read-only folder's entries cannot be removed
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (where the system allows opening a folder)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(target: Path, data: bytes) -> None:
    """Write data to target so that a reader sees the old file or the new one, never half of it."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # os.replace renames over a symlink rather than through it: a link in the folder cannot send us elsewhere.
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def chunks(data: bytes | IO[bytes], size: int) -> Iterator[bytes]:
    """Bytes as they are, or a stream read `size` bytes at a time."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data) if not isinstance(data, bytes) else data
        return
    while chunk := data.read(size):
        yield chunk
