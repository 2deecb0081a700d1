"""Where a function's code comes from: a stored package, or a folder on disk that is watched and reloaded on save,
with the dependencies its requirements.txt names.

`CodeSources` answers for any function version: the folder the engine runs (and the installed dependencies shown
with it), Lambda's CodeSha256 and CodeSize, and its State (Pending while pip installs, Failed when pip failed). It
keeps one watcher over every folder function's folder: a saved file retires the function's warm `$LATEST`
environments at once, with no request, and is recorded as "code changed, reloaded" in the function's code changes.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.core.code_changes import DEPENDENCIES, RELOADED, CodeChange, CodeChanges
from console.core.dependencies import ACTIVE, FAILED, PENDING, REQUIREMENTS, Dependencies, FunctionNotReady, Install
from console.core.folders import FolderDigests, check_folder, write_zip
from console.core.function_rules import LATEST, FunctionError
from console.core.functions import FunctionConfig, FunctionStore
from console.core.packages import Package, PackageStore
from console.core.watcher import FolderWatcher
from console.engine import Engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Code:
    """A function version's code as the engine runs it and as Lambda describes it."""

    code_dir: Path  # the package's unpacked folder, or the function's own folder
    extra_dirs: tuple[Path, ...]  # installed dependencies, shown with the code at /var/task
    sha256: str  # hex digest of the zip
    code_sha256: str  # Lambda's CodeSha256
    size: int  # Lambda's CodeSize
    folder: str = ""  # the folder, for a folder function
    dependencies: Install | None = None

    @property
    def revision(self) -> str:
        """Changes whenever the code or its installed dependencies change."""
        return f"{self.sha256}:{self.dependencies.key if self.dependencies else ''}"


@dataclass(frozen=True)
class CodeState:
    """Lambda's State and LastUpdateStatus of a function version, with the reason when it is not Active."""

    state: str  # Active, Pending or Failed
    last_update_status: str  # Successful, InProgress or Failed
    reason: str = ""
    install: Install | None = None


class CodeSources:
    def __init__(self, *, functions: FunctionStore, packages: PackageStore, changes: CodeChanges, engine: Engine,
                 dependencies_dir: Path, watch: bool = True,
                 python_for: Callable[[FunctionConfig], str] | None = None) -> None:
        self._functions = functions
        # The interpreter that runs a function: its requirements.txt is installed by that interpreter's pip.
        self._python_for = python_for
        self._packages = packages
        self.changes = changes
        self._engine = engine
        self.digests = FolderDigests()
        self.dependencies = Dependencies(dependencies_dir, on_finished=self._installed)
        self.watcher = FolderWatcher(self._changed) if watch else None

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.close()
        self.dependencies.close()

    # -- folders ------------------------------------------------------------------------------------------------

    def check_folder(self, folder: object) -> Path:
        return check_folder(folder)

    def refresh(self) -> None:
        """After the set of folder functions changed (or at start): watch their folders, install their dependencies."""
        folders = self._functions.folders()
        if self.watcher is None:
            return  # a command that runs and ends: dependencies install when a function is used
        for folder, names in folders.items():
            try:
                for python in {self._python(name) for name in names}:
                    self.dependencies.for_folder(Path(folder), python)
            except Exception:  # a folder that is gone: it is reported where the function is used
                log.warning("Dependencies of %s could not be looked at", folder, exc_info=True)
        if self.watcher is not None:
            self.watcher.watch(Path(folder) for folder in folders)

    def _changed(self, folder: Path, paths: list[str]) -> None:
        """A saved change in a watched folder: every function running from it reloads."""
        names = self._functions.folders().get(str(folder), [])
        if REQUIREMENTS in paths:
            for name in names:
                install = self._reinstall(folder, self._python(name))
                if install is not None and install.state == PENDING:
                    self.changes.record(name, DEPENDENCIES, "requirements.txt changed: installing the dependencies")
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        for name in names:
            self._engine.retire(name, LATEST)
            self.changes.record(name, RELOADED, f"code changed, reloaded ({shown})")

    def _python(self, function: FunctionConfig | str) -> str | None:
        """The interpreter that runs the function (None: the console's own)."""
        if self._python_for is None:
            return None
        try:
            config = self._functions.get(function) if isinstance(function, str) else function
            return self._python_for(config)
        except Exception:  # a function deleted meanwhile, an interpreter that cannot be used: the console's own
            log.debug("No interpreter for %s", function, exc_info=True)
            return None

    def _reinstall(self, folder: Path, python: str | None) -> Install | None:
        try:
            current = self.dependencies.for_folder(folder, python)
            if current is not None and current.state == FAILED:
                self.dependencies.forget_failure(current.key)  # saved again: try again
                current = self.dependencies.for_folder(folder, python)
        except Exception:
            log.warning("Dependencies of %s could not be installed", folder, exc_info=True)
            return None
        return current

    def _installed(self, install: Install) -> None:
        """A pip run ended: the functions whose requirements it installed say so, and run with them."""
        message = ("dependencies installed from requirements.txt" if install.state == ACTIVE
                   else f"dependencies failed to install: {install.reason}")
        for folder, names in self._functions.folders().items():
            for name in names:
                try:
                    current = self.dependencies.for_folder(Path(folder), self._python(name))
                except FunctionError:  # the console is closing
                    continue
                if current is None or current.key != install.key:
                    continue
                self._engine.retire(name, LATEST)
                self.changes.record(name, DEPENDENCIES, message)

    # -- a function's code ------------------------------------------------------------------------------------

    def code(self, function: FunctionConfig) -> Code:
        """What runs for this function version (FunctionError when its folder is gone)."""
        if not function.code_folder:
            package = self._packages.get(function.package_sha256)
            return Code(package.code_dir, (), package.sha256, package.code_sha256, package.size)
        folder = Path(function.code_folder)
        digest = self.digests.get(folder)
        install = self.dependencies.for_folder(folder, self._python(function))
        extra = (install.folder,) if install is not None and install.state == ACTIVE else ()
        return Code(folder, extra, digest.sha256, digest.code_sha256, digest.size, str(folder), install)

    def state(self, function: FunctionConfig) -> CodeState:
        if not function.code_folder:
            return CodeState("Active", "Successful")
        if not Path(function.code_folder).is_dir():
            return CodeState("Failed", "Failed", f"The function's folder {function.code_folder} is gone: restore it, "
                                                 "or give the function another folder.")
        try:
            install = self.dependencies.for_folder(Path(function.code_folder), self._python(function))
        except FunctionError as exc:
            return CodeState("Failed", "Failed", str(exc))
        if install is None or install.state == ACTIVE:
            return CodeState("Active", "Successful", install=install)
        if install.state == PENDING:
            return CodeState("Pending", "InProgress", "Installing the dependencies of requirements.txt", install)
        return CodeState("Failed", "Failed", install.reason, install)

    def ready_code(self, function: FunctionConfig) -> Code:
        """The code to run now; FunctionNotReady while its dependencies install, or when they failed to."""
        code = self.code(function)
        if code.dependencies is not None and code.dependencies.state != ACTIVE:
            raise FunctionNotReady(function.name, code.dependencies.state)
        return code

    def snapshot(self, function: FunctionConfig) -> Package:
        """The folder's code (and its installed dependencies, as `sam build` puts them in the package) stored as a
        package: a published version runs it and never changes. The same files give the same package."""
        code = self.ready_code(function)
        with tempfile.TemporaryFile() as out:
            write_zip([*code.extra_dirs, code.code_dir], out)
            out.seek(0)
            return self._packages.add(out, f"{function.name}.zip")

    def latest_change(self, name: str) -> CodeChange | None:
        return self.changes.latest(name)
