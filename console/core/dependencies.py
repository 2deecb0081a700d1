"""Dependencies without a build step: a function folder's requirements.txt installed as `sam build` installs it, with
`pip install -r requirements.txt --target <folder>`.

Each installed set is kept under the data folder in `dependencies/<sha256 of requirements.txt>-python3.X/` and shared
by every function whose requirements.txt has the same bytes; one already there is used as it is (nothing is fetched).
pip installs into a folder beside it (`.tmp-...`), renamed into place only when pip succeeded, so a kept folder is
always complete. While pip runs the function is Pending; when pip fails it is Failed, with pip's message.

The engine shows the installed folder with the function's code, at /var/task, as Lambda shows a built package.

Each set is installed by the interpreter that runs the function (`<python> -m pip install`), so environment markers
and wheels match its Python version. An interpreter without pip (a venv made --without-pip, some system Pythons)
runs the console's own pip instead (pip is pure Python: its package is put on that interpreter's PYTHONPATH, alone);
the install log says so, and a pip too new for that Python fails with pip's own message.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from console.core.files import remove_tree
from console.core.function_rules import FunctionError

log = logging.getLogger(__name__)

REQUIREMENTS = "requirements.txt"
PENDING, ACTIVE, FAILED = "Pending", "Active", "Failed"
TEMP_PREFIX = ".tmp-"
# The end of pip's output kept for the pages and the reason of a failure.
LOG_LIMIT = 64 * 1024
# A pip run taking longer than this is stopped and the install fails (a stuck index, a hanging build).
PIP_TIMEOUT = 15 * 60


class FunctionNotReady(FunctionError):
    """An invocation of a function whose dependencies are being installed (Pending) or failed to (Failed): Lambda
    answers ResourceConflictException."""

    def __init__(self, name: str, state: str) -> None:
        super().__init__(
            f"The operation cannot be performed at this time. The function is currently in the following state: "
            f"{state}",
            "state",
        )
        self.name = name
        self.state = state


@dataclass(frozen=True)
class Install:
    """One requirements.txt's dependencies: being installed, installed, or failed."""

    key: str  # "<sha256 of requirements.txt>-python3.X", the name of its folder
    state: str  # PENDING, ACTIVE or FAILED
    folder: Path  # where the installed dependencies are (complete once ACTIVE)
    log: str = ""  # pip's output so far
    reason: str = ""  # why it failed: the end of pip's message
    started_at: float = 0.0
    finished_at: float | None = None
    ran_pip: bool = False  # False when the folder was already there


def python_tag(python: str | None = None) -> str:
    """python3.X of the interpreter that installs and runs the dependencies."""
    if python is None or python == sys.executable:
        return f"python{sys.version_info.major}.{sys.version_info.minor}"
    out = subprocess.run([python, "-c", "import sys; print('python%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.strip()


def requirements_key(requirements: Path, tag: str) -> str:
    return f"{hashlib.sha256(requirements.read_bytes()).hexdigest()}-{tag}"


class Dependencies:
    """The installed dependency sets under `root`, and the pip runs filling it (one per set, in the background)."""

    def __init__(self, root: Path, *, python: str | None = None,
                 on_finished: Callable[[Install], None] | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.python = python or sys.executable  # the interpreter of a folder whose function names none
        self._tags: dict[str, str] = {}
        self._has_pip: dict[str, bool] = {}
        self.tag = self._tag(self.python)
        self._on_finished = on_finished
        self._lock = threading.Lock()
        self._installs: dict[str, Install] = {}
        self._processes: dict[str, subprocess.Popen] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._remove_leftovers()

    def _remove_leftovers(self) -> None:
        """Folders of pip runs a killed console left behind (their process is gone), never a finished one."""
        for entry in self.root.iterdir():
            if not entry.name.startswith(TEMP_PREFIX):
                continue
            try:
                pid = int(entry.name[len(TEMP_PREFIX):].split("-", 1)[0])
                os.kill(pid, 0)
            except ProcessLookupError:
                remove_tree(entry)
            except (ValueError, PermissionError):
                continue

    def _tag(self, python: str) -> str:
        """python3.X of an interpreter, asked once."""
        if python not in self._tags:
            self._tags[python] = python_tag(python)
        return self._tags[python]

    def pip_of(self, python: str) -> bool:
        """Whether the interpreter has pip (`python -m pip --version` works), asked once."""
        if python not in self._has_pip:
            try:
                self._has_pip[python] = subprocess.run(
                    [python, "-m", "pip", "--version"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, timeout=60, check=False).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                self._has_pip[python] = False
        return self._has_pip[python]

    def for_folder(self, folder: Path, python: str | None = None) -> Install | None:
        """The dependencies of a function folder for the interpreter `python` (the default one when None), installing
        them if needed (in the background: the Install is then PENDING); None when the folder has no
        requirements.txt."""
        requirements = folder / REQUIREMENTS
        python = python or self.python
        try:
            key = requirements_key(requirements, self._tag(python))
        except FileNotFoundError:
            return None
        except OSError as exc:
            now = time.time()
            return Install("", FAILED, self.root, reason=f"{requirements} cannot be read: {exc.strerror or exc}",
                           started_at=now, finished_at=now)
        with self._lock:
            known = self._installs.get(key)
            if known is not None and (known.state != ACTIVE or known.folder.is_dir()):
                return known
            final = self.root / key
            if final.is_dir():
                install = Install(key, ACTIVE, final, log="Already installed: nothing to fetch.\n",
                                  started_at=time.time(), finished_at=time.time())
                self._installs[key] = install
                return install
            if self._closed:
                raise FunctionError("The console is closing: dependencies cannot be installed now.", "code")
            install = Install(key, PENDING, final, log=f"Installing the dependencies of {requirements}\n",
                              started_at=time.time(), ran_pip=True)
            self._installs[key] = install
            thread = threading.Thread(target=self._run, args=(install, requirements, python), daemon=True,
                                      name=f"pip {key[:12]}")
            self._threads.append(thread)
        thread.start()
        return install

    def get(self, key: str) -> Install | None:
        with self._lock:
            return self._installs.get(key)

    def _update(self, key: str, **changes: object) -> Install:
        with self._lock:
            install = replace(self._installs[key], **changes)  # type: ignore[arg-type]
            self._installs[key] = install
            return install

    def _append(self, key: str, text: str) -> None:
        with self._lock:
            install = self._installs[key]
            self._installs[key] = replace(install, log=(install.log + text)[-LOG_LIMIT:])

    def _run(self, install: Install, requirements: Path, python: str) -> None:
        temp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=self.root))
        options = ["install", "--disable-pip-version-check", "--no-input", "--no-warn-script-location", "-r",
                   str(requirements), "--target", str(temp)]
        command = [python, "-m", "pip", *options]
        env = {**os.environ, "PIP_NO_INPUT": "1"}
        if not self.pip_of(python):
            env["PYTHONPATH"] = str(self._console_pip())
            self._append(install.key, f"{python} has no pip: it runs the console's own pip (install pip for that "
                                      "Python to use its own).\n")
        self._append(install.key, f"$ {python} -m pip install -r requirements.txt --target <dependencies folder>\n")
        reason = ""
        try:
            # In the function's folder: a requirement given by a relative path is relative to it, as in `sam build`.
            process = subprocess.Popen(command, cwd=requirements.parent, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                                       env=env)
            with self._lock:
                self._processes[install.key] = process
            timer = threading.Timer(PIP_TIMEOUT, process.kill)
            timer.start()
            try:
                assert process.stdout is not None
                for line in process.stdout:
                    self._append(install.key, line)
                code = process.wait()
            finally:
                timer.cancel()
            if code != 0:
                reason = _reason(self.get(install.key), code)
        except OSError as exc:
            reason = f"pip could not be started: {exc}"
        finally:
            with self._lock:
                self._processes.pop(install.key, None)
        if not reason:
            try:
                os.rename(temp, install.folder)
            except OSError:
                if not install.folder.is_dir():  # another console finished the same set first: keep theirs
                    reason = f"The installed dependencies could not be moved into {install.folder}."
        remove_tree(temp)
        if reason and self._closed:
            return  # stopped by the console's own end, not a failure: the next start installs the set again
        state = FAILED if reason else ACTIVE
        self._append(install.key, f"{'Failed: ' + reason if reason else 'Installed.'}\n")
        finished = self._update(install.key, state=state, reason=reason, finished_at=time.time())
        if self._on_finished is not None:
            self._on_finished(finished)

    def _console_pip(self) -> Path:
        """A folder holding only the console's pip package (a link to it), for an interpreter without pip."""
        import pip

        folder = self.root / f"{TEMP_PREFIX}{os.getpid()}-pip"
        link = folder / "pip"
        with self._lock:
            if not link.exists():
                folder.mkdir(exist_ok=True)
                try:
                    link.symlink_to(Path(pip.__file__).parent, target_is_directory=True)
                except OSError:  # no symbolic links here: pip's own folder, with what else is installed beside it
                    return Path(pip.__file__).parent.parent
        return folder

    def forget_failure(self, key: str) -> None:
        """Let the next `for_folder` try a failed set again (its requirements.txt was saved again)."""
        with self._lock:
            if key in self._installs and self._installs[key].state == FAILED:
                del self._installs[key]

    def wait(self, timeout: float | None = None) -> None:
        """Until every pip run started so far has ended."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            processes = list(self._processes.values())
        for process in processes:
            process.kill()
        self.wait(timeout=30)
        remove_tree(self.root / f"{TEMP_PREFIX}{os.getpid()}-pip")


def _reason(install: Install | None, code: int) -> str:
    """pip's own error lines, or its last lines when it printed none."""
    lines = [line for line in (install.log if install else "").splitlines() if line.strip()]
    errors = [line.strip() for line in lines if line.lstrip().startswith("ERROR:")]
    chosen = errors or lines[-3:]
    return (" ".join(chosen) or f"pip ended with exit status {code}")[:2000]
