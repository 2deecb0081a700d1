"""Deployment package zips: every check made before anything is kept (unpacking is console.core.unzip).

`check_zip` is the one implementation of the zip checks: the package store uses it before it keeps an upload, and the
command line uses it without a store. Lambda's limits and the refusals' wording follow
LAMBDA_SPEC section 7. Files keep the modification times their zip entries record, as unzip does, so that the .pyc
files pip compiled still match their sources and Python need not compile them again on every cold start.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
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
class Entry:
    info: zipfile.ZipInfo
    path: str  # relative, '/'-separated, without '.' or empty parts
    is_dir: bool
    executable: bool


def quote_name(name: str) -> str:
    """An entry's name as the user wrote it; escaped only when it holds characters that do not print."""
    return f"'{name}'" if name.isprintable() else repr(name)


def whose_limit(limit: int, lambdas: int) -> str:
    return "Lambda's limit" if limit == lambdas else "this console's limit"


def _entry_path(name: str) -> str:
    """The entry's path inside the package, or a PackageError for a name that could land outside it."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        raise PackageError(
            f"the zip's entry {quote_name(name)} has an absolute path",
            "Zip the package's files from inside its folder, so that their paths are relative to it.",
        )
    if "\\" in name:
        # Lambda unpacks on Linux, where a backslash is part of the file name: 'src\app.py' is one odd file there.
        raise PackageError(
            f"the zip's entry {quote_name(name)} uses backslashes ('\\') between folders, which Lambda reads as part of a "
            "file name",
            "Create the zip with a tool that writes '/' between folders (zip, 7-Zip, or PowerShell 7's "
            "Compress-Archive).",
        )
    parts = name.split("/")
    if ".." in parts:
        raise PackageError(f"the zip's entry {quote_name(name)} points outside the package ('..')", REZIP_TODO)
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


def check_bomb_entry(name: str, packed: int, unpacked: int) -> None:
    if unpacked > BOMB_ENTRY_BYTES and unpacked > BOMB_RATIO * max(packed, 1):
        raise PackageError(
            f"the zip's entry {quote_name(name)} unzips from {human_size(packed)} to {human_size(unpacked)} "
            f"({unpacked // max(packed, 1):,}:1), more than the {BOMB_RATIO}:1 allowed for a file over "
            f"{human_size(BOMB_ENTRY_BYTES)}, which makes it look like a zip bomb",
            "If the file is real, leave it out of the package and create it in /tmp when the function starts.",
        )


def unzipped_limit(size: int | None, limit: int) -> PackageError:
    """Over the limit: as the headers declare it (`size`), or as really unzipped (None: it stopped at the limit)."""
    size_text = "more than" if size is None else f"{size:,} bytes, more than"
    return PackageError(
        f"the package unzips to {size_text} the {limit:,}-byte limit for unzipped code "
        f"({whose_limit(limit, MAX_UNZIPPED_BYTES)})",
        "Leave large files out of the package (tests, documentation, and boto3, which the runtime provides).",
    )


def damaged_zip(exc: BaseException) -> PackageError:
    return PackageError(f"damaged zip file ({exc})", "Create the zip again.")


def size_of(source: StrPath | IO[bytes]) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.stat(source).st_size
    position = source.tell()
    size = source.seek(0, os.SEEK_END)
    source.seek(position)
    return size


def open_zip(source: StrPath | IO[bytes]) -> zipfile.ZipFile:
    """The zip, opened; a NotAZipFile or PackageError when it is empty, something else, truncated or damaged."""
    size = size_of(source)
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
        raise damaged_zip(exc) from None


def check_entries(archive: zipfile.ZipFile, zip_size: int, max_unzipped_bytes: int) -> list[Entry]:
    """Every check that needs only the zip's table of contents: names, kinds, encryption, methods, sizes, bombs."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise PackageError(
            f"the zip has {len(infos):,} entries, more than the {MAX_FILES:,} this console unpacks",
            "Leave out files the function does not need.",
        )
    entries: list[Entry] = []
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
                f"the zip's entry {quote_name(name)} is a symbolic link",
                "Zip the file it points to instead (leave out zip's -y / --symlinks option).",
            )
        if kind is not None:
            raise PackageError(
                f"the zip's entry {quote_name(name)} is {kind}, not a regular file",
                "Leave it out: a package holds only regular files and folders.",
            )
        if not path:
            continue  # './' or '/': the package's own top folder
        if info.flag_bits & 0x1:
            raise PackageError(f"the zip's entry {quote_name(name)} is encrypted", "Create the zip without a password.")
        is_dir = info.is_dir() or stat.S_ISDIR(mode)
        if not is_dir and info.compress_type not in READABLE_METHODS:
            method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise PackageError(
                f"the zip's entry {quote_name(name)} is compressed with {method}, which this console cannot unzip",
                "Create the zip again with ordinary Deflate compression (zip -r, or your tool's default).",
            )
        # Two names for one file ('./a.py' and 'a.py', or one name in two Unicode forms) would overwrite each other.
        key = unicodedata.normalize("NFC", path)
        if key in seen:
            other = seen[key]
            what = (
                f"holds {quote_name(name)} twice"
                if other == name
                else f"holds {quote_name(other)} and {quote_name(name)}, the same file"
            )
            raise PackageError(f"the zip {what}", "Create the zip again with each file once.")
        seen[key] = name
        parents = PurePosixPath(key).parents
        folders.update(str(parent) for parent in parents if str(parent) != ".")
        if is_dir:
            folders.add(key)
        else:
            check_bomb_entry(name, info.compress_size, info.file_size)
            total += info.file_size
        entries.append(Entry(info, path, is_dir, bool(mode & 0o111)))
    for entry in entries:
        key = unicodedata.normalize("NFC", entry.path)
        if not entry.is_dir and key in folders:
            raise PackageError(
                f"the zip's entry {quote_name(entry.info.filename)} is a file, but other entries need a folder of that name",
                "Create the zip again from the folder as it is on disk.",
            )
    if not any(not entry.is_dir for entry in entries):
        raise PackageError("the zip holds no files", "Zip your function's code, with the handler's file at the top.")
    if total > max_unzipped_bytes:
        raise unzipped_limit(total, max_unzipped_bytes)
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
    with open_zip(source) as archive:
        entries = check_entries(archive, size_of(source), max_unzipped_bytes)
    return ZipContents(
        files=sum(1 for e in entries if not e.is_dir), unzipped_size=sum(e.info.file_size for e in entries)
    )
