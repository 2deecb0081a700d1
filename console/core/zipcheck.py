"""Deployment package zips: every check made before anything is kept, and unpacking with the zip's modes and times.

`check_zip` and `unpack_zip` are the one implementation of the zip checks: the package store uses them before it keeps
an upload, and the command line uses them without a store. Lambda's limits and the refusals' wording follow
LAMBDA_SPEC section 7. Files keep the modification times their zip entries record, as unzip does, so that the .pyc
files pip compiled still match their sources and Python need not compile them again on every cold start.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from console.core.limits import MAX_UNZIPPED_BYTES, human_size

try:
    import lzma
except ImportError:  # Python built without lzma: zipfile then refuses such entries with NotImplementedError
    lzma = None  # type: ignore[assignment]


# Lambda states no limit on the number of files; this one keeps a zip of empty entries from filling the disk's inodes.
# Large real packages (numpy + pandas + scipy) hold about 10,000 files.
MAX_FILES = 100_000
# A zip bomb expands far beyond what real files do: source code and libraries compress 3 to 10 times. An entry that
# unzips to more than BOMB_ENTRY_BYTES at over BOMB_RATIO:1 is refused, and so is a package over BOMB_TOTAL_BYTES at
# over BOMB_RATIO:1 in all (the overlapping-entries kind of bomb, where many entries share one compressed stream).
BOMB_RATIO = 100
BOMB_ENTRY_BYTES = 1024 * 1024
BOMB_TOTAL_BYTES = 10 * 1024 * 1024

# What zipfile can decompress here; anything else (Deflate64, AES...) is refused with a message before unpacking.
READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
METHOD_NAMES = {9: "Deflate64", 10: "PKWARE DCL Implode", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES"}
# What a damaged compressed stream raises while it is read (bz2 raises OSError).
DECOMPRESSION_ERRORS = (zipfile.BadZipFile, EOFError, OSError, zlib.error) + ((lzma.LZMAError,) if lzma else ())
UPLOAD_TODO = "Upload the deployment package: a .zip of your code and its dependencies."
REZIP_TODO = "Zip the package's files from inside its folder."

# Files are copied out of the zip in pieces of this size.
CHUNK = 1024 * 1024

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


def _quote(name: str) -> str:
    """An entry's name as the user wrote it; escaped only when it holds characters that do not print."""
    return f"'{name}'" if name.isprintable() else repr(name)


def whose_limit(limit: int, lambdas: int) -> str:
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
            f"the zip's entry {_quote(name)} unzips from {human_size(packed)} to {human_size(unpacked)} "
            f"({unpacked // max(packed, 1):,}:1), more than the {BOMB_RATIO}:1 allowed for a file over "
            f"{human_size(BOMB_ENTRY_BYTES)}, which makes it look like a zip bomb",
            "If the file is real, leave it out of the package and create it in /tmp when the function starts.",
        )


def _unzipped_limit(size: int | None, limit: int) -> PackageError:
    """Over the limit: as the headers declare it (`size`), or as really unzipped (None: it stopped at the limit)."""
    size_text = "more than" if size is None else f"{size:,} bytes, more than"
    return PackageError(
        f"the package unzips to {size_text} the {limit:,}-byte limit for unzipped code "
        f"({whose_limit(limit, MAX_UNZIPPED_BYTES)})",
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
            f"the zip unzips from {human_size(zip_size)} to {human_size(total)} in all ({total // zip_size:,}:1), more than "
            f"the {BOMB_RATIO}:1 allowed for a package over {human_size(BOMB_TOTAL_BYTES)}, which makes it look like a "
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


