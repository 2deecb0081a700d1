"""A function's code as files to read: the list of its files, and one file's text.

What is code is the rule of console.core.folders (caches, version control and editor files are not), for a folder
function's folder and for a stored package's unpacked files alike. A path names a file by its place in the code, '/'
separated; one that leaves the code (`..`, an absolute path) is refused before anything is opened. Binary files and
files too large to show are described, not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from console.core.folders import code_files
from console.core.function_rules import FunctionError

# Larger files are named with their size but not shown: a page of that much text is no help in a demo.
MAX_SHOWN_BYTES = 256 * 1024
# A NUL byte among the first bytes marks a binary file, as git and grep decide.
_SNIFF_BYTES = 8192


class CodePathError(FunctionError):
    """A file path that is not a file of the function's code."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "path")


@dataclass(frozen=True)
class CodeFile:
    path: str  # '/'-separated, relative to the code's root (Lambda's /var/task)
    size: int


@dataclass(frozen=True)
class CodeText:
    """One file of the code: its text, or why it is not shown (`text` is None then)."""

    path: str
    size: int
    text: str | None
    reason: str = ""


def handler_file(handler: str) -> str:
    """The file that defines a Python handler `module.function` (`pkg.mod.handler` is pkg/mod.py), as the runtime
    imports it."""
    module = handler.rpartition(".")[0]
    return module.replace(".", "/") + ".py" if module else ""


def list_files(root: Path, handler: str = "") -> list[CodeFile]:
    """The code's files, sorted by path, with the handler's file first when it is there."""
    files = [CodeFile(relative, path.stat().st_size) for relative, path in code_files(root)]
    first = handler_file(handler)
    return sorted(files, key=lambda file: (file.path != first, file.path))


def check_path(path: str) -> str:
    """The path as a '/'-separated relative path inside the code; CodePathError for one that leaves it."""
    if not path or "\x00" in path:
        raise CodePathError("Name a file of the function's code, such as app.py.")
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if path.startswith(("/", "\\")) or ".." in parts or (parts and parts[0].endswith(":")):
        raise CodePathError(f"The path {path} leaves the function's code: name a file inside it, such as app.py.")
    return "/".join(part for part in parts if part != ".")


def read_file(root: Path, path: str) -> CodeText:
    """One file of the code found under `root` (CodePathError when the path leaves the code or names no file of it)."""
    wanted = check_path(path)
    found = dict(code_files(root))
    if wanted not in found:
        raise CodePathError(f"The function's code has no file {wanted}: pick one from the list of its files.")
    file = found[wanted]
    size = file.stat().st_size
    if size > MAX_SHOWN_BYTES:
        return CodeText(wanted, size, None, f"{wanted} is {size:,} bytes, too large to show here "
                                            f"(up to {MAX_SHOWN_BYTES // 1024} KiB is shown).")
    data = file.read_bytes()
    if b"\x00" in data[:_SNIFF_BYTES]:
        return CodeText(wanted, size, None, f"{wanted} is a binary file ({size:,} bytes): it is not shown.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return CodeText(wanted, size, None, f"{wanted} is not UTF-8 text ({size:,} bytes): it is not shown.")
    return CodeText(wanted, size, text)
