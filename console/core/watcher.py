"""One thread watching every folder function's folder with watchfiles (inotify, FSEvents, ReadDirectoryChangesW).

A burst of saves is reported once, a short moment after the last of them (watchfiles' debounce), as the folder and
the paths that changed in it, relative to it. What is not the function's code (console.core.folders.ignored: caches,
version control, editor swap files, the __pycache__ an unsandboxed worker may write) is never reported, so it can
never start a reload. The set of folders can change at any time: the watch restarts over the new set.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from console.core.folders import ignored

log = logging.getLogger(__name__)

# Milliseconds: changes are gathered until none came for STEP_MS, or for DEBOUNCE_MS at most, then reported.
DEBOUNCE_MS = 300
STEP_MS = 40
# Milliseconds between looks for a watched folder that is missing (removed, or on a disk not mounted yet).
MISSING_CHECK_MS = 2000


class FolderWatcher:
    """Calls `on_change(folder, relative_paths)` from its own thread for each folder whose code changed."""

    def __init__(self, on_change: Callable[[Path, list[str]], None]) -> None:
        self._on_change = on_change
        self._lock = threading.Condition()
        self._folders: frozenset[Path] = frozenset()
        self._restart = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        self.watching: frozenset[Path] = frozenset()  # the folders the running watch covers
        self.ready = threading.Event()  # set once the watch over the current set has started

    def watch(self, folders: Iterable[Path]) -> None:
        """Watch exactly these folders from now on (none stops watching)."""
        wanted = frozenset(Path(folder) for folder in folders)
        with self._lock:
            if self._closed or wanted == self._folders:
                return
            self._folders = wanted
            self.ready.clear()
            self._restart.set()
            if self._thread is None and wanted:
                self._thread = threading.Thread(target=self._loop, name="folder watcher", daemon=True)
                self._thread.start()
            self._lock.notify_all()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._restart.set()
            self._lock.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._folders:
                    self.watching = frozenset()
                    self.ready.set()
                while not self._folders and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                folders = self._folders
                self._restart.clear()
            try:
                self._watch(folders)
            except Exception:  # a folder removed as the watch starts, a watch limit reached: try again shortly
                log.warning("Watching the function folders failed; trying again", exc_info=True)
                self._restart.wait(1.0)

    def _watch(self, folders: frozenset[Path]) -> None:
        present = sorted(folder for folder in folders if folder.is_dir())
        missing = folders - set(present)
        self.watching = frozenset(present)
        if not present:
            self.ready.set()
            self._restart.wait(MISSING_CHECK_MS / 1000)
            return
        roots = [(str(folder) + os.sep, folder) for folder in present]

        def code_only(change: watchfiles.Change, path: str) -> bool:
            return any(path.startswith(prefix) and not ignored(os.path.relpath(path, folder).replace(os.sep, "/"))
                       for prefix, folder in roots)

        self.ready.set()
        for changes in watchfiles.watch(
            *present, watch_filter=code_only, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=self._restart,
            rust_timeout=MISSING_CHECK_MS, yield_on_timeout=True, raise_interrupt=False,
        ):
            if missing and any(folder.is_dir() for folder in missing):
                return  # a missing folder is back: watch it too
            if any(not folder.is_dir() for folder in present):
                return  # a watched folder went: watch what is left (and look for it again)
            by_folder: dict[Path, set[str]] = {}
            for _, path in changes:
                for prefix, folder in roots:
                    if path.startswith(prefix):
                        by_folder.setdefault(folder, set()).add(os.path.relpath(path, folder).replace(os.sep, "/"))
            for folder, paths in by_folder.items():
                try:
                    self._on_change(folder, sorted(paths))
                except Exception:
                    log.exception("Reloading the functions of %s failed", folder)
