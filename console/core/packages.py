"""Deployment packages: a zip checked before anything is kept, stored once by SHA-256, and unpacked read-only.

Layout under the store's root:

    zips/<sha256>.zip      the zip exactly as uploaded (CodeSize, CodeSha256 and a later download come from it)
    code/<sha256>/         its files, read-only (files 0444, or 0555 when the zip marks them executable; folders 0555)
    zips/.tmp-*, code/.tmp-*   work in progress: an upload being received, a zip being unpacked

A package's database row is inserted only after both its zip and its code folder are complete and in place, and each
of those appears under its final name by one rename. So a process killed at any moment leaves at worst temporary
files and finished-but-unrecorded files: a `PackageStore` opened later removes the temporary ones, and records a
complete zip that no row explains again (its row rebuilt from the zip), because such a zip may be the only copy of a
package whose database was lost, emptied or restored from an older backup. Nothing under a final name is deleted
unless the user deleted it: a deletion marks the package in the same transaction that removes its row, and only a
marked package's files are removed by a later start. A row always has its files.

Files keep the modification times their zip entries record, as unzip does, so that the .pyc files pip compiled
still match their sources and Python need not compile them again on every cold start (the code folder is read-only).

`check_zip` and `unpack_zip` are the one implementation of the zip checks; the command line uses them without a store.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import logging
import os
import re
import shutil
import stat
import struct
import tempfile
import threading
import time
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, so a second store on the same folder is not detected there
    fcntl = None  # type: ignore[assignment]

try:
    import lzma
except ImportError:  # Python built without lzma: zipfile then refuses such entries with NotImplementedError
    lzma = None  # type: ignore[assignment]

from console.core.store import Store

log = logging.getLogger(__name__)

# Lambda's limits (LAMBDA_SPEC section 7): a zip uploaded directly, and the code once unzipped.
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
# Lambda states no limit on the number of files; this one keeps a zip of empty entries from filling the disk's inodes.
# Large real packages (numpy + pandas + scipy) hold about 10,000 files.
MAX_FILES = 100_000
# A zip bomb expands far beyond what real files do: source code and libraries compress 3 to 10 times. An entry that
# unzips to more than BOMB_ENTRY_BYTES at over BOMB_RATIO:1 is refused, and so is a package over BOMB_TOTAL_BYTES at
# over BOMB_RATIO:1 in all (the overlapping-entries kind of bomb, where many entries share one compressed stream).
BOMB_RATIO = 100
BOMB_ENTRY_BYTES = 1024 * 1024
BOMB_TOTAL_BYTES = 10 * 1024 * 1024

CHUNK = 1024 * 1024
TEMP_PREFIX = ".tmp-"
DELETION_MARK = "deleting-package:"  # a `meta` key: the package's row is deleted, its files are being removed
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# What zipfile can decompress here; anything else (Deflate64, AES...) is refused with a message before unpacking.
READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
METHOD_NAMES = {9: "Deflate64", 10: "PKWARE DCL Implode", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES"}
# What a damaged compressed stream raises while it is read (bz2 raises OSError).
DECOMPRESSION_ERRORS = (zipfile.BadZipFile, EOFError, OSError, zlib.error) + ((lzma.LZMAError,) if lzma else ())
UPLOAD_TODO = "Upload the deployment package: a .zip of your code and its dependencies."
REZIP_TODO = "Zip the package's files from inside its folder."

StrPath = str | os.PathLike


# -- errors ------------------------------------------------------------------------------------------------------


class PackageError(ValueError):
    """A package refused. The message is complete: what was wrong, which entry or limit, and what to do.

    `problem` (a clause, lower case) and `todo` (a sentence) are kept apart so that the command line can put the
    file's name first: `Error: pkg.zip: <problem>. <todo>`.
    """

    def __init__(self, problem: str, todo: str) -> None:
        self.problem = problem
        self.todo = todo
        super().__init__(f"{problem[:1].upper()}{problem[1:]}. {todo}")


class NotAZipFile(PackageError):
    """The data is not a zip at all: empty, or some other kind of file."""


class PackageNotFound(KeyError):
    """No stored package has that SHA-256."""

    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        super().__init__(sha256)

    def __str__(self) -> str:  # KeyError's own would show the repr of its argument
        return f"No stored package has the SHA-256 {self.sha256}. Upload the package first."


class PackageInUse(PackageError):
    """A package that functions or published versions still run, so it cannot be deleted."""

    def __init__(self, sha256: str, used_by: tuple[str, ...]) -> None:
        self.sha256 = sha256
        self.used_by = used_by
        names = ", ".join(used_by)
        super().__init__(
            f"the package {sha256[:12]} is used by {names}",
            "Delete those functions, or give them other code, before deleting the package.",
        )


# -- checking and unpacking a zip, with or without a store ---------------------------------------------------------


@dataclass(frozen=True)
class ZipContents:
    """What a checked zip holds: regular files, and their bytes once unzipped."""

    files: int
    unzipped_size: int


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    path: str  # relative, '/'-separated, without '.' or empty parts
    is_dir: bool
    executable: bool


def _human(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _quote(name: str) -> str:
    """An entry's name as the user wrote it; escaped only when it holds characters that do not print."""
    return f"'{name}'" if name.isprintable() else repr(name)


def _whose_limit(limit: int, lambdas: int) -> str:
    return "Lambda's limit" if limit == lambdas else "this console's limit"


def _entry_path(name: str) -> str:
    """The entry's path inside the package, or a PackageError for a name that could land outside it."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        raise PackageError(
            f"the zip's entry {_quote(name)} has an absolute path",
            "Zip the package's files from inside its folder, so that their paths are relative to it.",
        )
    if "\\" in name:
        # Lambda unpacks on Linux, where a backslash is part of the file name: 'src\app.py' is one odd file there.
        raise PackageError(
            f"the zip's entry {_quote(name)} uses backslashes ('\\') between folders, which Lambda reads as part of a "
            "file name",
            "Create the zip with a tool that writes '/' between folders (zip, 7-Zip, or PowerShell 7's "
            "Compress-Archive).",
        )
    parts = name.split("/")
    if ".." in parts:
        raise PackageError(f"the zip's entry {_quote(name)} points outside the package ('..')", REZIP_TODO)
    return "/".join(part for part in parts if part not in ("", "."))


def _file_type(mode: int) -> str | None:
    """The kind of a non-regular entry from the Unix mode in `external_attr`, or None for a file or folder."""
    kind = stat.S_IFMT(mode)
    if kind in (0, stat.S_IFREG, stat.S_IFDIR):
        return None
    return {
        stat.S_IFLNK: "a symbolic link",
        stat.S_IFCHR: "a character device",
        stat.S_IFBLK: "a block device",
        stat.S_IFIFO: "a named pipe (FIFO)",
        stat.S_IFSOCK: "a socket",
    }.get(kind, f"a special file (type {kind:o})")


def _check_bomb_entry(name: str, packed: int, unpacked: int) -> None:
    if unpacked > BOMB_ENTRY_BYTES and unpacked > BOMB_RATIO * max(packed, 1):
        raise PackageError(
            f"the zip's entry {_quote(name)} unzips from {_human(packed)} to {_human(unpacked)} "
            f"({unpacked // max(packed, 1):,}:1), more than the {BOMB_RATIO}:1 allowed for a file over "
            f"{_human(BOMB_ENTRY_BYTES)}, which makes it look like a zip bomb",
            "If the file is real, leave it out of the package and create it in /tmp when the function starts.",
        )


def _unzipped_limit(size: int | None, limit: int) -> PackageError:
    """Over the limit: as the headers declare it (`size`), or as really unzipped (None: it stopped at the limit)."""
    size_text = "more than" if size is None else f"{size:,} bytes, more than"
    return PackageError(
        f"the package unzips to {size_text} the {limit:,}-byte limit for unzipped code "
        f"({_whose_limit(limit, MAX_UNZIPPED_BYTES)})",
        "Leave large files out of the package (tests, documentation, and boto3, which the runtime provides).",
    )


def _damaged(exc: BaseException) -> PackageError:
    return PackageError(f"damaged zip file ({exc})", "Create the zip again.")


def _size_of(source: StrPath | IO[bytes]) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.stat(source).st_size
    position = source.tell()
    size = source.seek(0, os.SEEK_END)
    source.seek(position)
    return size


def _open(source: StrPath | IO[bytes]) -> zipfile.ZipFile:
    """The zip, opened; a NotAZipFile or PackageError when it is empty, something else, truncated or damaged."""
    size = _size_of(source)
    if size == 0:
        raise NotAZipFile("the file is empty (0 bytes), not a zip", UPLOAD_TODO)
    if not zipfile.is_zipfile(source):
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as file:
                head = file.read(4)
        else:
            source.seek(0)
            head = source.read(4)
        if head == b"PK\x03\x04":
            # It starts like a zip but has no table of contents at its end: the copy or upload was cut short.
            raise PackageError(
                f"truncated zip file ({size:,} bytes, ending before the zip's table of contents)",
                "The upload or copy was cut short: create or download the zip again and send the whole file.",
            )
        raise NotAZipFile("not a zip file", UPLOAD_TODO)
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, NotImplementedError) as exc:
        # A damaged table of contents surfaces as any of these (an unknown version, a bad offset, a bad name).
        raise _damaged(exc) from None


def _check(archive: zipfile.ZipFile, zip_size: int, max_unzipped_bytes: int) -> list[_Entry]:
    """Every check that needs only the zip's table of contents: names, kinds, encryption, methods, sizes, bombs."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise PackageError(
            f"the zip has {len(infos):,} entries, more than the {MAX_FILES:,} this console unpacks",
            "Leave out files the function does not need.",
        )
    entries: list[_Entry] = []
    seen: dict[str, str] = {}  # normalized path -> the entry's name as written
    folders: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        path = _entry_path(name)
        mode = info.external_attr >> 16
        kind = _file_type(mode)
        if kind == "a symbolic link":
            raise PackageError(
                f"the zip's entry {_quote(name)} is a symbolic link",
                "Zip the file it points to instead (leave out zip's -y / --symlinks option).",
            )
        if kind is not None:
            raise PackageError(
                f"the zip's entry {_quote(name)} is {kind}, not a regular file",
                "Leave it out: a package holds only regular files and folders.",
            )
        if not path:
            continue  # './' or '/': the package's own top folder
        if info.flag_bits & 0x1:
            raise PackageError(f"the zip's entry {_quote(name)} is encrypted", "Create the zip without a password.")
        is_dir = info.is_dir() or stat.S_ISDIR(mode)
        if not is_dir and info.compress_type not in READABLE_METHODS:
            method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise PackageError(
                f"the zip's entry {_quote(name)} is compressed with {method}, which this console cannot unzip",
                "Create the zip again with ordinary Deflate compression (zip -r, or your tool's default).",
            )
        # Two names for one file ('./a.py' and 'a.py', or one name in two Unicode forms) would overwrite each other.
        key = unicodedata.normalize("NFC", path)
        if key in seen:
            other = seen[key]
            what = (
                f"holds {_quote(name)} twice"
                if other == name
                else f"holds {_quote(other)} and {_quote(name)}, the same file"
            )
            raise PackageError(f"the zip {what}", "Create the zip again with each file once.")
        seen[key] = name
        parents = PurePosixPath(key).parents
        folders.update(str(parent) for parent in parents if str(parent) != ".")
        if is_dir:
            folders.add(key)
        else:
            _check_bomb_entry(name, info.compress_size, info.file_size)
            total += info.file_size
        entries.append(_Entry(info, path, is_dir, bool(mode & 0o111)))
    for entry in entries:
        key = unicodedata.normalize("NFC", entry.path)
        if not entry.is_dir and key in folders:
            raise PackageError(
                f"the zip's entry {_quote(entry.info.filename)} is a file, but other entries need a folder of that name",
                "Create the zip again from the folder as it is on disk.",
            )
    if not any(not entry.is_dir for entry in entries):
        raise PackageError("the zip holds no files", "Zip your function's code, with the handler's file at the top.")
    if total > max_unzipped_bytes:
        raise _unzipped_limit(total, max_unzipped_bytes)
    if total > BOMB_TOTAL_BYTES and total > BOMB_RATIO * zip_size:
        raise PackageError(
            f"the zip unzips from {_human(zip_size)} to {_human(total)} in all ({total // zip_size:,}:1), more than "
            f"the {BOMB_RATIO}:1 allowed for a package over {_human(BOMB_TOTAL_BYTES)}, which makes it look like a "
            "zip bomb",
            "Create the zip again from the package's real files.",
        )
    return entries


def check_zip(source: StrPath | IO[bytes], *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> ZipContents:
    """Check a zip as far as its table of contents allows, without unzipping anything.

    Refuses with a PackageError: an empty file, a file that is not a zip, a truncated or damaged zip, entries that
    are absolute, climb out with '..', use backslashes, are links, devices or pipes, are encrypted or compressed with
    a method that cannot be read, names that appear twice, a file where a folder is needed, a zip bomb, and more
    than `max_unzipped_bytes` as the headers declare it. `unpack_zip` checks the same and counts the real bytes.
    """
    with _open(source) as archive:
        entries = _check(archive, _size_of(source), max_unzipped_bytes)
    return ZipContents(
        files=sum(1 for e in entries if not e.is_dir), unzipped_size=sum(e.info.file_size for e in entries)
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
    with _open(source) as archive:
        entries = _check(archive, _size_of(source), max_unzipped_bytes)
        unzipped = 0
        for entry in entries:
            target = into / entry.path
            parent = os.path.realpath(target.parent)
            if parent != root and not parent.startswith(root + os.sep):  # never, after the name checks; but be sure
                raise PackageError(
                    f"the zip's entry {_quote(entry.info.filename)} points outside the package", REZIP_TODO
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
                    f"the zip's entry {_quote(entry.info.filename)} names a file or folder already unzipped from another "
                    "entry (this disk does not tell apart names that differ only in case or accents)",
                    "Rename one of the two, and create the zip again.",
                ) from None
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    raise PackageError(
                        f"the zip's entry {_quote(entry.info.filename)} has a name too long for the disk",
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


def _unzip_entry(archive: zipfile.ZipFile, entry: _Entry, target: Path, so_far: int, limit: int) -> int:
    """Unzip one file, counting the bytes it really produces; return them."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    written = 0
    try:
        src = archive.open(entry.info)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        # A damaged local header: a bad offset (OSError), a name that is not the UTF-8 it claims (ValueError).
        raise _damaged(exc) from None
    except NotImplementedError as exc:
        raise PackageError(
            f"the zip's entry {_quote(entry.info.filename)} cannot be unzipped ({exc})", REZIP_TODO
        ) from None
    with src, os.fdopen(os.open(target, flags, 0o600), "wb") as dst:
        while True:
            try:
                chunk = src.read(CHUNK)
            except DECOMPRESSION_ERRORS as exc:
                raise _damaged(exc) from None
            if not chunk:
                break
            written += len(chunk)
            if so_far + written > limit:
                raise _unzipped_limit(None, limit)
            _check_bomb_entry(entry.info.filename, entry.info.compress_size, written)
            dst.write(chunk)
    return written


# -- the store -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    """A stored deployment package."""

    sha256: str  # hex digest of the zip
    code_sha256: str  # Lambda's CodeSha256: base64 of the digest
    size: int  # CodeSize: bytes of the zip
    unzipped_size: int
    files: int
    filename: str
    created_at: str  # ISO 8601, UTC
    code_dir: Path
    zip_path: Path
    used_by: tuple[str, ...] = ()  # functions using it; published versions as name:version


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _clean_filename(filename: str) -> str:
    """Only the file's own name, as a browser or client may send a whole path."""
    return PurePosixPath(filename.replace("\\", "/")).name[:255]


def _remove(path: Path) -> None:
    """Remove a file or a folder tree, read-only or not; nothing if it is already gone."""
    if not os.path.lexists(path):
        return
    if path.is_dir() and not path.is_symlink():
        for folder, _, _ in os.walk(path):
            os.chmod(folder, 0o700)  # a read-only folder's entries cannot be removed
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
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


class PackageStore:
    """Deployment packages, stored once by SHA-256 in `root` and recorded in the `packages` table."""

    def __init__(
        self,
        store: Store,
        root: Path,
        *,
        max_zip_bytes: int = MAX_ZIP_BYTES,
        max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    ) -> None:
        self._store = store
        self.root = Path(root)
        self.max_zip_bytes = max_zip_bytes
        self.max_unzipped_bytes = max_unzipped_bytes
        self._zips = self.root / "zips"
        self._code = self.root / "code"
        self._zips.mkdir(parents=True, exist_ok=True)
        self._code.mkdir(parents=True, exist_ok=True)
        # Within this process: the step from finished files to a recorded package, and deletion, one at a time.
        self._lock = threading.Lock()
        self._lock_file: IO[bytes] | None = None
        # Packages found stored but not in the database when the store opened, recorded again from their zips.
        self.recorded_again: tuple[str, ...] = ()
        if self._open_lock():
            self._recover()
        if self._lock_file is not None and fcntl is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_SH)

    def _open_lock(self) -> bool:
        """Share `root/.lock` with the other stores open on this folder; True when this is the only one.

        Only then is it safe to remove leftovers: another live store's upload in progress looks just like a leftover.
        The lock goes with the process, so a killed store never blocks the next one's recovery.
        """
        self._lock_file = open(self.root / ".lock", "a+b")  # noqa: SIM115 - held for the store's lifetime
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def close(self) -> None:
        """Let another store on the same folder recover leftovers when it opens."""
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _recover(self) -> None:
        """Finish what a killed process left: remove temporary files and the files of packages the user deleted,
        record again complete zips that no row explains, and unzip again a recorded package's missing code folder."""
        for key, sha256 in self._deletion_marks():
            self._remove_files(sha256)
            self._store.set_meta(key, None)
        for folder in (self._code, self._zips):
            for entry in list(folder.iterdir()):
                if entry.name.startswith(TEMP_PREFIX):
                    log.info("removing %s, left by an interrupted upload or deletion", entry)
                    _remove(entry)
        rows = {row["sha256"] for row in self._store.query("SELECT sha256 FROM packages")}
        recorded = [
            entry.stem for entry in sorted(self._zips.iterdir())
            if entry.suffix == ".zip" and SHA256_HEX.fullmatch(entry.stem) and entry.stem not in rows
            and self._record_again(entry.stem)
        ]
        if recorded:
            self.recorded_again = tuple(recorded)
            log.warning(
                "%d stored package(s) in %s were not in the database (an upload cut short just before it was "
                "recorded, or a database that is new, emptied or older than the packages); they are listed again "
                "under Packages. Functions, saved events and history cannot be rebuilt from packages: if the "
                "database was lost, stop the console and restore %s from a backup.",
                len(recorded), self._zips, self._store.path,
            )
        rows.update(recorded)
        for entry in list(self._code.iterdir()):
            if SHA256_HEX.fullmatch(entry.name) and entry.name not in rows:
                # Its zip is gone, so no upload finished with it: unzipped code of an upload killed before the end.
                log.info("removing %s, left by an interrupted upload", entry)
                _remove(entry)
        for sha256 in rows:
            if not (self._code / sha256).is_dir() and (self._zips / f"{sha256}.zip").is_file():
                # Only a crash of the whole machine (or a person) removes a recorded code folder: unzip it again.
                log.warning("unzipping package %s again: its code folder was missing", sha256)
                try:
                    self._unzip_again(sha256)
                except (PackageError, OSError) as exc:
                    log.error("package %s cannot be unzipped again: %s", sha256, exc)

    def _unzip_again(self, sha256: str) -> ZipContents:
        temp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self._code))
        try:
            # No size limit: the package was checked when it was stored, perhaps under other settings.
            contents = unpack_zip(self._zips / f"{sha256}.zip", temp, max_unzipped_bytes=1 << 62, read_only=True)
            os.rename(temp, self._code / sha256)
            return contents
        finally:
            _remove(temp)

    def _record_again(self, sha256: str) -> bool:
        """Rebuild the row of a stored zip the database does not list; False (and the zip left alone) if it cannot."""
        zip_path = self._zips / f"{sha256}.zip"
        try:
            digest = hashlib.sha256()
            with open(zip_path, "rb") as file:
                while chunk := file.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != sha256:
                log.warning("%s does not hold the package its name says; left as it is", zip_path)
                return False
            if (self._code / sha256).is_dir():
                contents = check_zip(zip_path, max_unzipped_bytes=1 << 62)  # the folder is complete: it was renamed
            else:
                contents = self._unzip_again(sha256)
            created = datetime.fromtimestamp(zip_path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        except (PackageError, OSError) as exc:
            log.warning("%s cannot be recorded again (%s); left as it is", zip_path, exc)
            return False
        with self._store.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO packages (sha256, code_sha256, size, unzipped_size, files, filename, created_at)"
                " VALUES (?, ?, ?, ?, ?, '', ?)",
                (sha256, _code_sha256(sha256), zip_path.stat().st_size, contents.unzipped_size, contents.files,
                 created),
            )
        return True

    def _deletion_marks(self) -> list[tuple[str, str]]:
        rows = self._store.query("SELECT key FROM meta WHERE key LIKE ?", (DELETION_MARK + "%",))
        marks = [(row["key"], row["key"][len(DELETION_MARK):]) for row in rows]
        return [(key, sha256) for key, sha256 in marks if SHA256_HEX.fullmatch(sha256)]

    def _remove_files(self, sha256: str) -> None:
        """Remove a deleted package's files, out of their final names first: a folder or zip under its final name is
        always complete, even if this process is killed halfway through removing."""
        for path in (self._code / sha256, self._zips / f"{sha256}.zip"):
            if os.path.lexists(path):
                doomed = path.with_name(f"{TEMP_PREFIX}deleted-{uuid.uuid4().hex}")
                os.rename(path, doomed)
                _remove(doomed)

    # -- adding -------------------------------------------------------------------------------------------------

    def add(self, data: bytes | BinaryIO, filename: str = "") -> Package:
        """Check and store a zip given as bytes or a binary stream; the same bytes again give the stored Package.

        Raises PackageError (see `check_zip`, and over `max_zip_bytes`) before anything is stored.
        """
        temp_zip, sha256, size = self._receive(data)
        temp_code: Path | None = None
        try:
            if (existing := self._find(sha256)) is not None:
                return existing
            temp_code = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self._code))
            contents = unpack_zip(temp_zip, temp_code, max_unzipped_bytes=self.max_unzipped_bytes, read_only=True)
            with self._lock:
                return self._commit(sha256, size, contents, _clean_filename(filename), temp_zip, temp_code)
        finally:
            if temp_code is not None:
                _remove(temp_code)
            _remove(temp_zip)

    def _receive(self, data: bytes | BinaryIO) -> tuple[Path, str, int]:
        """Write the zip to a temporary file in the store's folder, hashing as it goes and stopping over the limit."""
        if isinstance(data, (bytes, bytearray, memoryview)) and len(data) > self.max_zip_bytes:
            raise self._too_large(len(data))
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".zip", dir=self._zips)
        temp = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(data):
                    size += len(chunk)
                    if size > self.max_zip_bytes:
                        raise self._too_large(None)  # a stream: stop reading, its size is unknown
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # the zip is the copy a lost code folder is restored from
        except BaseException:
            _remove(temp)
            raise
        return temp, digest.hexdigest(), size

    def _too_large(self, size: int | None) -> PackageError:
        limit = self.max_zip_bytes
        size_text = "larger than" if size is None else f"{size:,} bytes, more than"
        return PackageError(
            f"the zip is {size_text} the {limit:,}-byte ({_human(limit)}) limit for an uploaded package "
            f"({_whose_limit(limit, MAX_ZIP_BYTES)})",
            "Make it smaller: leave out what the function does not need (tests, documentation, and boto3, "
            "which the runtime provides).",
        )

    def _commit(
        self, sha256: str, size: int, contents: ZipContents, filename: str, temp_zip: Path, temp_code: Path
    ) -> Package:
        """Move the finished files to their names, then record the package: the row comes last."""
        if (existing := self._find(sha256)) is not None:
            return existing  # another thread stored the same bytes meanwhile
        code_dir, zip_path = self._code / sha256, self._zips / f"{sha256}.zip"
        # A folder or zip already under the final name is complete (it only gets that name by a rename once
        # finished) and holds the same bytes: keep it.
        if not code_dir.exists():
            os.rename(temp_code, code_dir)
        if not zip_path.exists():
            os.rename(temp_zip, zip_path)
        _fsync_dir(self._code)
        _fsync_dir(self._zips)
        with self._store.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO packages (sha256, code_sha256, size, unzipped_size, files, filename, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha256, _code_sha256(sha256), size, contents.unzipped_size, contents.files, filename, _now()),
            )
        return self.get(sha256)

    # -- reading ------------------------------------------------------------------------------------------------

    def _find(self, sha256: str) -> Package | None:
        try:
            return self.get(sha256)
        except PackageNotFound:
            return None

    def get(self, sha256: str) -> Package:
        """The stored package with this SHA-256 (hex), with the functions using it."""
        # Plain reads, no transaction of their own: a caller may ask from inside its own `store.write()`.
        row = self._store.query_one("SELECT * FROM packages WHERE sha256 = ?", (sha256,))
        if row is None:
            raise PackageNotFound(sha256)
        return self._package(row, _users(self._store.query, sha256).get(sha256, ()))

    def all(self) -> list[Package]:
        """Every stored package, newest first, each with the functions and versions using it."""
        rows = self._store.query("SELECT * FROM packages ORDER BY created_at DESC, rowid DESC")
        users = _users(self._store.query)
        return [self._package(row, users.get(row["sha256"], ())) for row in rows]

    def _package(self, row, used_by: tuple[str, ...]) -> Package:
        return Package(
            sha256=row["sha256"],
            code_sha256=row["code_sha256"],
            size=row["size"],
            unzipped_size=row["unzipped_size"],
            files=row["files"],
            filename=row["filename"],
            created_at=row["created_at"],
            code_dir=self._code / row["sha256"],
            zip_path=self._zips / f"{row['sha256']}.zip",
            used_by=used_by,
        )

    # -- deleting -----------------------------------------------------------------------------------------------

    def delete(self, sha256: str) -> None:
        """Remove a package's row and files; PackageInUse when functions or published versions use it."""
        with self._lock:
            with self._store.write() as conn:
                if conn.execute("SELECT 1 FROM packages WHERE sha256 = ?", (sha256,)).fetchone() is None:
                    raise PackageNotFound(sha256)
                used_by = _users(lambda sql, params: conn.execute(sql, params).fetchall(), sha256).get(sha256, ())
                if used_by:
                    raise PackageInUse(sha256, used_by)
                conn.execute("DELETE FROM packages WHERE sha256 = ?", (sha256,))
                # The mark tells a later start that files without a row were deleted by the user, not lost by the
                # database: it finishes removing them if this process is killed before it does.
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (DELETION_MARK + sha256, _now()))
            # After the commit, so that a row never lacks its files.
            self._remove_files(sha256)
            self._store.set_meta(DELETION_MARK + sha256, None)


def _users(query: Callable[[str, tuple], list], sha256: str | None = None) -> dict[str, tuple[str, ...]]:
    """Package -> the functions ($LATEST, by name) and published versions (name:version) that use it."""
    where, params = ("WHERE package_sha256 = ?", (sha256,)) if sha256 else ("", ())
    found: dict[str, list[tuple[str, int]]] = {}
    for row in query(f"SELECT package_sha256, name FROM functions {where}", params):
        found.setdefault(row["package_sha256"], []).append((row["name"], -1))
    for row in query(f"SELECT package_sha256, function, version FROM versions {where}", params):
        found.setdefault(row["package_sha256"], []).append((row["function"], row["version"]))
    return {
        sha: tuple(name if version < 0 else f"{name}:{version}" for name, version in sorted(users))
        for sha, users in found.items()
    }


def _code_sha256(sha256: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256)).decode("ascii")


def _chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        yield bytes(data) if not isinstance(data, bytes) else data
        return
    while chunk := data.read(CHUNK):
        yield chunk
