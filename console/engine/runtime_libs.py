"""The worker's runtime library folder (Lambda's /var/runtime): links to what the managed runtime ships, nothing else.

Lambda's Python runtime gives handlers boto3 and botocore (and its own runtime client). Workers start with
`python -I -S`, so they see none of the console's site-packages; this folder links back only the distributions named
here and the ones they require, so `import boto3` works as on Lambda while `import flask` fails.
"""

from __future__ import annotations

import os
import re
from glob import escape as glob_escape
from importlib import metadata
from pathlib import Path

# What Lambda's Python runtime makes importable besides the standard library.
RUNTIME_DISTRIBUTIONS = ("boto3", "awslambdaric")

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


def _closure(roots: tuple[str, ...]) -> list[metadata.Distribution]:
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


def build_runtime_dir(dest: Path, roots: tuple[str, ...] = RUNTIME_DISTRIBUTIONS) -> Path:
    """Fill `dest` (which must exist and be ours) with links to the runtime's libraries; return it."""
    for dist in _closure(roots):
        for source in _top_level_paths(dist):
            link = dest / source.name
            if not link.exists():
                os.symlink(source, link, target_is_directory=source.is_dir())
    return dest
