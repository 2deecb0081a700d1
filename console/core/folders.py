"""Folder functions: a function whose code is a folder on disk, run where it lives.

The rules of such a folder: it must be an existing, readable directory named by an absolute path; which of its files
are the function's code (not caches, version control or editor files); and its code as a zip, built the same way every
time from the same files, so that Lambda's CodeSha256 and CodeSize of a folder function are those of the package a
published version of it stores.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import os
import re
import stat
import threading
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from console.core.function_rules import FunctionError

# Never part of the function's code: caches, version control, virtual environments and SAM's build output, as
# `sam build` leaves them out (its documented exclusions), and the files editors write beside the one being edited.
IGNORED_FOLDERS = frozenset({
    "__pycache__", ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".aws-sam", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", ".idea", ".vscode", "node_modules",
})
IGNORED_FILES = ("*.pyc", "*.pyo", ".DS_Store", "*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913", "*.tmp")
# Every entry of a folder function's zip has this time, so the same files give the same bytes (the earliest DOS time).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


_IGNORED_NAME = re.compile("|".join(fnmatch.translate(pattern) for pattern in IGNORED_FILES))


def ignored_name(name: str) -> bool:
    """Whether a file of this name is never part of the code."""
    return name in IGNORED_FOLDERS or _IGNORED_NAME.match(name) is not None


def ignored(relative: str) -> bool:
    """Whether a path inside a function's folder (relative, '/'-separated) is not part of its code."""
    parts = PurePosixPath(relative).parts
    if any(part in IGNORED_FOLDERS for part in parts[:-1]):
        return True
    return ignored_name(parts[-1] if parts else "")


def check_folder(folder: object) -> Path:
    """The absolute, existing, readable directory a function may run from; FunctionError (field "code") otherwise."""
    if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
        raise FunctionError("Give the folder of the function's code, as a path on this machine.", "code")
    text = os.path.expanduser(str(folder).strip())
    if "\x00" in text:
        raise FunctionError("The folder's path holds a NUL character: give the folder's real path.", "code")
    path = Path(text)
    if not path.is_absolute():
        raise FunctionError(f"{text} is not an absolute path: give the whole path, from /.", "code")
    path = Path(os.path.normpath(path))
    if not path.exists():
        raise FunctionError(f"The folder {path} does not exist: check the path, or create the folder first.", "code")
    if not path.is_dir():
        raise FunctionError(f"{path} is a file, not a folder: give the folder that holds the handler's file.", "code")
    if not os.access(path, os.R_OK | os.X_OK):
        raise FunctionError(f"The folder {path} cannot be read by the console: change its permissions.", "code")
    return path


def _scan(folder: Path) -> list[tuple[str, str, os.stat_result]]:
    """(path in the zip, file, its stat) for each file of the function's code, sorted by path: regular files and
    links to them, never what `ignored` leaves out nor a folder reached through a link (which may lead anywhere)."""
    found: list[tuple[str, str, os.stat_result]] = []
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed while walking
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in IGNORED_FOLDERS:
                        pending.append((entry.path, prefix + name + "/"))
                    continue
                if ignored_name(name):
                    continue
                info = entry.stat()  # follows a link to a file
            except OSError:
                continue  # removed while walking, or a broken link
            if stat.S_ISREG(info.st_mode):
                found.append((prefix + name, entry.path, info))
    found.sort()
    return found


def code_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(path in the zip, file) for each file of the function's code, sorted by path."""
    for relative, path, _ in _scan(folder):
        yield relative, Path(path)


def listing(folder: Path) -> tuple:
    """What the folder's code looks like from outside (each file's path, size and modification time): when it is
    the same, the code is the same, so a digest can be kept for it."""
    return tuple((relative, info.st_size, info.st_mtime_ns, info.st_mode & 0o111 != 0)
                 for relative, _, info in _scan(folder))


class _Sink:
    """A write-only stream that hashes and counts what a zip writes, copying it to `out` when given. It cannot tell
    or seek, so zipfile writes every entry the same way (a data descriptor after it) whether or not it is kept."""

    def __init__(self, out: IO[bytes] | None = None) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self._out = out

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        if self._out is not None:
            self._out.write(data)
        return len(data)

    def flush(self) -> None:
        if self._out is not None:
            self._out.flush()


@dataclass(frozen=True)
class FolderCode:
    """A folder's code as a zip: Lambda's CodeSha256 and CodeSize for a folder function."""

    sha256: str  # hex digest of the zip
    code_sha256: str  # base64 of the digest, as Lambda shows it
    size: int  # bytes of the zip
    files: int


def write_zip(folders: Path | Sequence[Path], out: IO[bytes] | None = None) -> FolderCode:
    """The folder's code as a deflated zip, written to `out` (or only measured): sorted entries, one fixed time,
    permissions 0644 (0755 for executables), so the same files always give the same bytes. Several folders are
    zipped as one, a later folder's file replacing an earlier one's of the same path."""
    merged: dict[str, Path] = {}
    for folder in [folders] if isinstance(folders, Path) else folders:
        merged.update(code_files(folder))
    sink = _Sink(out)
    files = 0
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:  # type: ignore[call-overload]
        for relative, path in sorted(merged.items()):
            try:
                with open(path, "rb") as source:
                    info = zipfile.ZipInfo(relative, ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    mode = os.fstat(source.fileno()).st_mode
                    info.external_attr = (0o100755 if mode & 0o111 else 0o100644) << 16
                    info.file_size = os.fstat(source.fileno()).st_size
                    with archive.open(info, "w") as entry:
                        while chunk := source.read(_CHUNK):
                            entry.write(chunk)
            except FileNotFoundError:
                continue  # removed while zipping: the next change to the folder is noticed anyway
            files += 1
    digest = sink.digest.digest()
    return FolderCode(digest.hex(), base64.b64encode(digest).decode("ascii"), sink.size, files)


class FolderDigests:
    """Each folder's FolderCode, computed again only when its listing (paths, sizes, times) changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[Path, tuple[tuple, FolderCode]] = {}

    def get(self, folder: Path) -> FolderCode:
        """The folder's code as it is now; FunctionError (field "code") when the folder is gone or unreadable."""
        if not folder.is_dir():
            raise FunctionError(f"The function's folder {folder} is gone: restore it, or give the function another "
                                "folder.", "code")
        try:
            seen = listing(folder)
            with self._lock:
                known = self._known.get(folder)
            if known is not None and known[0] == seen:
                return known[1]
            code = write_zip(folder)
        except OSError as exc:
            raise FunctionError(f"The function's folder {folder} cannot be read ({exc.strerror or exc}): "
                                "restore it, or give the function another folder.", "code") from exc
        with self._lock:
            self._known[folder] = (seen, code)
        return code
