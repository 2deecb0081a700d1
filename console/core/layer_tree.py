"""A function's layers merged into one folder, as Lambda unpacks them into /opt: in order, a later layer's files
replacing an earlier one's, a folder present in several layers holding the entries of all of them.

The merged folder is made of hard links to the stored packages' read-only files (copies where the file system cannot
link), built once per list of layers beside the packages and then reused: the sandbox mounts it at /opt with one bind
mount, however many entries the layers share, and a worker without the sandbox sees exactly what /opt would hold
(one folder on sys.path per kind, so a package split over two layers imports whole, as on Lambda).

Layout under the root:

    <key>/            the merged tree (folders 0555), appearing whole by one rename
    <key>.sources     the code folders it merges, one a line, written before the tree appears
    .tmp-*            a tree being built (removed by the next builder that finds it old)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from console.core.files import remove_tree

TEMP_PREFIX = ".tmp-"
STALE_SECONDS = 3600  # a tree being built longer than this was left by a process that ended


class LayerTrees:
    """Merged layer folders under `root`, built on demand and shared by every console on the same data folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def merged(self, sources: Sequence[Path]) -> Path:
        """The folder showing `sources` (code folders, in order) merged; a single source is returned as it is."""
        sources = [Path(source) for source in sources]
        if len(sources) == 1:
            return sources[0]
        listing = "".join(f"{source}\n" for source in sources)
        dest = self.root / hashlib.sha256(listing.encode("utf-8", "surrogateescape")).hexdigest()
        if dest.is_dir():
            return dest
        self.root.mkdir(parents=True, exist_ok=True)
        self._remove_stale()
        building = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self.root))
        try:
            for source in sources:
                _merge_into(building, source)
            for folder, _, _ in sorted(os.walk(building), key=lambda walked: walked[0].count(os.sep), reverse=True):
                os.chmod(folder, 0o555)  # read-only, as the packages' own folders are
            dest.with_name(dest.name + ".sources").write_text(listing, encoding="utf-8", errors="surrogateescape")
            os.rename(building, dest)
        except OSError:
            if not dest.is_dir():  # another process's rename may have come first: theirs is as good
                raise
        finally:
            remove_tree(building)
        return dest

    def forget(self, code_dir: Path) -> None:
        """Remove the merged trees that include `code_dir` (its package was deleted), freeing their disk."""
        if not self.root.is_dir():
            return
        for sources in self.root.glob("*.sources"):
            try:
                listed = sources.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
            except OSError:
                continue
            if str(code_dir) in listed:
                remove_tree(sources.with_suffix(""))
                sources.unlink(missing_ok=True)

    def _remove_stale(self) -> None:
        now = time.time()
        for entry in self.root.glob(f"{TEMP_PREFIX}*"):
            try:
                if now - entry.stat().st_mtime > STALE_SECONDS:
                    remove_tree(entry)
            except OSError:
                pass


def _merge_into(target: Path, source: Path) -> None:
    """Add `source`'s entries to `target` as unpacking it there would: files replace, folders merge."""
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        dest = target / entry.name
        if entry.is_dir(follow_symlinks=False):
            if os.path.lexists(dest) and not dest.is_dir():
                dest.unlink()
            dest.mkdir(exist_ok=True)
            _merge_into(dest, Path(entry.path))
            continue
        if os.path.lexists(dest):
            remove_tree(dest)
        try:
            os.link(entry.path, dest, follow_symlinks=False)
        except OSError:  # another file system, or links not allowed: a copy, with its times
            shutil.copy2(entry.path, dest, follow_symlinks=False)
