"""The worker's runtime library folder (Lambda's /var/runtime): links to what the managed runtime ships, nothing else.

Lambda's Python runtime gives handlers boto3 and botocore, simplejson (which its runtime client writes and reads JSON
with) and the runtime client itself. Workers start with `python -I -S`, so they see none of the console's
site-packages; this folder links back only the distributions named here and the ones they require, so that
`import boto3` and `import simplejson` work as on Lambda while `import flask` fails.

A worker on another interpreter than the console's (a function whose runtime is python3.12 on a console running on
3.11) gets a folder of its own, per Python version: the same pure-Python distributions, each only where its
`Requires-Python` admits that version (a library that would fail to import is left out, so that `import boto3` says
"No module named" rather than failing inside it), and never awslambdaric, whose compiled part is the console's.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import stat
import sys
import tempfile
import zlib
from collections.abc import Callable
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib import metadata

# What Lambda's Python runtime makes importable besides the standard library.
RUNTIME_DISTRIBUTIONS = ("boto3", "simplejson", "awslambdaric")
# The runtime client with a compiled part: linked for workers on the console's own interpreter only.
CONSOLE_ONLY = "awslambdaric"

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA = re.compile(r"extra\s*==")


def _requirements(dist: metadata.Distribution) -> list[str]:
    names = []
    for req in dist.requires or ():
        if _EXTRA.search(req):
            continue  # optional extras are not installed by the runtime either
        match = _NAME.match(req)
        if match:
            names.append(match.group(1))
    return names


def _admits(dist: metadata.Distribution, python: tuple[int, ...]) -> bool:
    """Whether the distribution's Requires-Python admits the Python `python` (major, minor, micro)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    requires = next(iter(dist.metadata.get_all("Requires-Python") or []), None)
    if not requires:
        return True
    try:
        return SpecifierSet(requires).contains(".".join(str(part) for part in python), prereleases=True)
    except InvalidSpecifier:
        return True  # a malformed field is not a reason to withhold the library


def unavailable(python: tuple[int, ...], roots: tuple[str, ...] = RUNTIME_DISTRIBUTIONS) -> dict[str, str]:
    """The runtime libraries a worker on Python `python` goes without, each with why (for the pages)."""
    return dict(_unavailable(tuple(python), tuple(roots)))


@functools.lru_cache(maxsize=32)
def _unavailable(python: tuple[int, ...], roots: tuple[str, ...]) -> dict[str, str]:
    missing: dict[str, str] = {}
    for root in roots:
        if root == CONSOLE_ONLY and tuple(python[:2]) != tuple(sys.version_info[:2]):
            missing[root] = "installed for the console's own Python only"
            continue
        refused = [dist for dist in _closure((root,)) if not _admits(dist, python)]
        if refused:
            dist = refused[0]
            missing[root] = f"{dist.metadata['Name']} {dist.version} requires Python {dist.metadata['Requires-Python']}"
    return missing


def _closure(roots: tuple[str, ...]) -> list[metadata.Distribution]:
    # Imported here: reading installed metadata costs a one-shot command more than the rest of the engine's imports,
    # and a cached runtime folder (shared_runtime_dir) needs none of it.
    from importlib import metadata

    seen: dict[str, metadata.Distribution] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not installed: the worker simply does not have it
        seen[key] = dist
        todo.extend(_requirements(dist))
    return list(seen.values())


def _top_level_paths(dist: metadata.Distribution) -> set[Path]:
    """The importable top-level modules and packages a distribution installed."""
    tops: set[Path] = set()
    # top_level.txt when there is one: botocore's RECORD alone is thousands of lines.
    for name in (dist.read_text("top_level.txt") or "").split():
        base = Path(str(dist.locate_file(name)))
        tops.update(path for path in (base, base.with_suffix(".py")) if path.exists())
        tops.update(base.parent.glob(glob_escape(base.name) + ".*.so"))
    if tops:
        return tops
    for file in dist.files or ():
        parts = Path(file).parts
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith((".dist-info", ".data", ".egg-info")):
            continue
        first = parts[0]
        if len(parts) == 1 and not first.endswith((".py", ".so", ".pyd")):
            continue  # stray files beside the packages (licences, .pth files)
        tops.add(Path(str(dist.locate_file(first))))
    return {path for path in tops if path.exists()}


def build_runtime_dir(dest: Path, roots: tuple[str, ...] = RUNTIME_DISTRIBUTIONS,
                      python: tuple[int, ...] | None = None) -> Path:
    """Fill `dest` (which must exist and be ours) with links to the runtime's libraries; return it. With `python`
    (another interpreter's version), only the libraries that Python can import."""
    if python is not None:
        roots = tuple(root for root in roots if root not in unavailable(python, roots))
    for dist in _closure(roots):
        for source in _top_level_paths(dist):
            link = dest / source.name
            if not link.exists():
                os.symlink(source, link, target_is_directory=source.is_dir())
    return dest


def _cache_key(roots: tuple[str, ...], python: tuple[int, ...] | None = None) -> str:
    """Changes when the Python or the installed distributions may have: installing, upgrading or removing one changes
    its site-packages folder's entries, and so the folder's modification time."""
    parts = [sys.version, sys.prefix, *roots]
    if python is not None:
        parts.append("for Python " + ".".join(str(part) for part in python))
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")):
            try:
                parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
            except OSError:
                continue
    # Two checksums, not a cryptographic hash: the folder is private to the user, and zlib is loaded already.
    data = "\0".join(parts).encode()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def private_folder() -> Path | None:
    """This user's own folder in the temporary directory, or None if it is not safely ours (another local user
    could have made it, to plant links the handlers would import)."""
    folder = Path(tempfile.gettempdir()) / f"lambda-console-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def shared_runtime_dir(roots: tuple[str, ...] = RUNTIME_DISTRIBUTIONS,
                       python: tuple[int, ...] | None = None) -> tuple[Path, bool]:
    """The runtime library folder for workers (on the Python `python`, or the console's own when None), and whether
    the caller owns it (and removes it when done).

    It is shared by this user's consoles and commands while the installed distributions stay the same, so that a
    one-shot `invoke` does not read package metadata and make links on every run. A folder appears whole or not at
    all (it is built aside and renamed); one that cannot be shared safely is made afresh for the caller alone.
    """
    base = private_folder() if hasattr(os, "getuid") else None
    if base is not None:
        dest = base / f"runtime-{_cache_key(roots, python)}"
        if build_once(dest, lambda folder: build_runtime_dir(folder, roots, python)):
            return dest, False
    return build_runtime_dir(Path(tempfile.mkdtemp(prefix="lambda-runtime-")), roots, python), True


def build_once(dest: Path, fill: Callable[[Path], object]) -> bool:
    """Make the shared folder `dest` appear whole or not at all: `fill` a folder beside it, then rename that into
    place. True once `dest` is there, made here or first by another process (theirs is as good)."""
    if dest.is_dir():
        return True
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=dest.parent))
    try:
        fill(building)
        os.rename(building, dest)
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
    return dest.is_dir()
