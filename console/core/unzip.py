"""Unpacking a checked deployment package zip, with the zip's modes and times.

The bytes really decompressed are counted against the limits, whatever the zip's headers say. Files keep the
modification times their zip entries record, as unzip does, so that the .pyc files pip compiled still match their
sources and Python need not compile them again on every cold start.
"""

from __future__ import annotations

import errno
import os
import struct
import time
import zipfile
from pathlib import Path
from typing import IO

from console.core.limits import MAX_UNZIPPED_BYTES
from console.core.zipcheck import (
    CHUNK,
    DECOMPRESSION_ERRORS,
    REZIP_TODO,
    Entry,
    PackageError,
    StrPath,
    ZipContents,
    check_bomb_entry,
    check_entries,
    damaged_zip,
    open_zip,
    quote_name,
    size_of,
    unzipped_limit,
)


def unpack_zip(
    source: StrPath | IO[bytes],
    into: StrPath,
    *,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    read_only: bool = False,
) -> ZipContents:
    """Check the zip (see `check_zip`), then unzip it into the existing, empty folder `into`.

    The bytes really decompressed are counted against `max_unzipped_bytes` and the bomb ratio, whatever the headers
    say. Files keep the zip's execute bit; with `read_only`, files become 0444 (0555 if executable) and folders 0555,
    as Lambda's /var/task is. On a PackageError, `into` may hold part of the files: the caller removes it.
    """
    into = Path(into)
    root = os.path.realpath(into)
    with open_zip(source) as archive:
        entries = check_entries(archive, size_of(source), max_unzipped_bytes)
        unzipped = 0
        for entry in entries:
            target = into / entry.path
            parent = os.path.realpath(target.parent)
            if parent != root and not parent.startswith(root + os.sep):  # never, after the name checks; but be sure
                raise PackageError(
                    f"the zip's entry {quote_name(entry.info.filename)} points outside the package", REZIP_TODO
                )
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if entry.is_dir:
                    target.mkdir(exist_ok=True)
                    continue
                unzipped += _unzip_entry(archive, entry, target, unzipped, max_unzipped_bytes)
            except (FileExistsError, IsADirectoryError, NotADirectoryError):
                # Names the checks let through but this computer's disk folds together (case, Unicode forms).
                raise PackageError(
                    f"the zip's entry {quote_name(entry.info.filename)} names a file or folder already unzipped from another "
                    "entry (this disk does not tell apart names that differ only in case or accents)",
                    "Rename one of the two, and create the zip again.",
                ) from None
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    raise PackageError(
                        f"the zip's entry {quote_name(entry.info.filename)} has a name too long for the disk",
                        "Give it a shorter name, and create the zip again.",
                    ) from None
                raise
            _set_mtime(target, entry.info)
            os.chmod(target, _file_mode(entry.executable, read_only))
    # Folders' times last, deepest first: creating a file in a folder changes the folder's time.
    for entry in sorted((e for e in entries if e.is_dir), key=lambda e: e.path.count("/"), reverse=True):
        _set_mtime(into / entry.path, entry.info)
    if read_only:
        # Folders last, deepest first: files could not be created in a read-only folder.
        for folder, _, _ in sorted(os.walk(into), key=lambda walked: walked[0].count(os.sep), reverse=True):
            os.chmod(folder, 0o555)
    return ZipContents(files=sum(1 for e in entries if not e.is_dir), unzipped_size=unzipped)


# Info-ZIP's "extended timestamp" extra field: a flags byte, then (flag bit 0) the modification time, seconds since
# 1970 UTC as a signed 32-bit little-endian number (Info-ZIP's extrafld.txt). The zip tool writes it on Unix.
EXTENDED_TIMESTAMP = 0x5455


def entry_mtime(info: zipfile.ZipInfo) -> float | None:
    """When the entry's file was last modified, as unzip restores it: the extended timestamp (UTC, to the second)
    when the zip has one, else the entry's DOS date and time, which are local time to two seconds. None if invalid."""
    extra, offset = info.extra, 0
    while offset + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4 : offset + 4 + size]
        if tag == EXTENDED_TIMESTAMP and len(body) >= 5 and body[0] & 1:
            return float(struct.unpack_from("<i", body, 1)[0])
        offset += 4 + size
    try:
        return time.mktime((*info.date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return None


def _set_mtime(path: Path, info: zipfile.ZipInfo) -> None:
    mtime = entry_mtime(info)
    if mtime is not None:
        try:
            os.utime(path, (mtime, mtime))
        except (OSError, OverflowError, ValueError):
            pass  # a time this system cannot store: the file keeps the time it was unzipped at


def _file_mode(executable: bool, read_only: bool) -> int:
    if read_only:
        return 0o555 if executable else 0o444
    return 0o755 if executable else 0o644


def _unzip_entry(archive: zipfile.ZipFile, entry: Entry, target: Path, so_far: int, limit: int) -> int:
    """Unzip one file, counting the bytes it really produces; return them."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    written = 0
    try:
        src = archive.open(entry.info)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        # A damaged local header: a bad offset (OSError), a name that is not the UTF-8 it claims (ValueError).
        raise damaged_zip(exc) from None
    except NotImplementedError as exc:
        raise PackageError(
            f"the zip's entry {quote_name(entry.info.filename)} cannot be unzipped ({exc})", REZIP_TODO
        ) from None
    with src, os.fdopen(os.open(target, flags, 0o600), "wb") as dst:
        while True:
            try:
                chunk = src.read(CHUNK)
            except DECOMPRESSION_ERRORS as exc:
                raise damaged_zip(exc) from None
            if not chunk:
                break
            written += len(chunk)
            if so_far + written > limit:
                raise unzipped_limit(None, limit)
            check_bomb_entry(entry.info.filename, entry.info.compress_size, written)
            dst.write(chunk)
    return written
