"""Which local Python runs a function: the interpreter of its Runtime (python3.X) where one is installed, else the
console's own, with the reason said.

A runtime's interpreter is looked for, in order: the config's explicit mapping (`interpreters`), `python3.X` on the
PATH, uv's managed interpreters (`uv python dir`: $UV_PYTHON_INSTALL_DIR, else $XDG_DATA_HOME/uv/python, else
~/.local/share/uv/python, one `cpython-3.X.Y-<platform>` folder each) and pyenv's ($PYENV_ROOT/versions/3.X.Y, else
~/.pyenv). Each candidate is started once with `-c` to read the version it really is (a pyenv shim, a link, a
renamed binary); the answer is kept per file (by its modification time and size), in memory and in this user's
private temporary folder, so that invocations and one-shot commands do not start it again.

Our runtime client (console/runtime) runs on Python 3.8 and newer; Lambda's python3.6 and python3.7 (deprecated) run
on the console's own interpreter, as does every function using `awslambdaric`, which is installed in the console's
environment only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# The oldest Python our runtime client runs on (it uses assignment expressions and postponed annotations).
MIN_WORKER_VERSION = (3, 8)
RUNTIME_NAME = re.compile(r"^python(\d+)\.(\d+)$")
# How long a choice is reused before the folders are looked at again (an interpreter installed meanwhile is found).
CHOICE_SECONDS = 10.0
# Works on Python 2 and 3 alike: a mapping may name any file, and the error must say what it really is.
_PROBE = "import sys; sys.stdout.write('%d.%d.%d\\n%s\\n' % (sys.version_info[:3] + (sys.executable,)))"
_PROBE_TIMEOUT = 20.0


class InterpreterError(ValueError):
    """A named interpreter that cannot run a function: the message says which file and what is wrong with it."""


@dataclass(frozen=True)
class Interpreter:
    """A local Python: the file to start, the version it reported, and where it was found."""

    path: str
    version: tuple[int, int, int]
    source: str  # "console", "config", "PATH", "uv", "pyenv"
    # The file found or named, when it is not `path` itself: a pyenv shim or a wrapper that starts `path`.
    found_at: str = ""

    @property
    def runtime(self) -> str:
        """Lambda's name for this Python: python3.12."""
        return f"python{self.version[0]}.{self.version[1]}"

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)

    @property
    def label(self) -> str:
        """Python 3.12"""
        return f"Python {self.version[0]}.{self.version[1]}"


@dataclass(frozen=True)
class Choice:
    """The interpreter that runs functions of `runtime`, and why it is not the runtime's own when it is not."""

    runtime: str
    interpreter: Interpreter
    reason: str = ""  # empty when the interpreter is the runtime's own

    @property
    def matches(self) -> bool:
        return self.interpreter.runtime == self.runtime

    @property
    def note(self) -> str:
        """What a result says when the interpreter is not the runtime's: empty when it is."""
        return mismatch_note(self.interpreter.runtime, self.runtime, self.reason)


def mismatch_note(ran_on: str, runtime: str, reason: str = "") -> str:
    """"ran on Python 3.11; the function's runtime is python3.12 (why)", or empty when `ran_on` is `runtime` (or
    unknown)."""
    if not ran_on or ran_on == runtime:
        return ""
    note = f"ran on Python {ran_on[len('python'):]}; the function's runtime is {runtime}"
    return f"{note} ({reason})" if reason else note


def own_interpreter() -> Interpreter:
    major, minor, micro = sys.version_info[:3]
    return Interpreter(sys.executable, (major, minor, micro), "console")


def runtime_version(runtime: str) -> tuple[int, int] | None:
    match = RUNTIME_NAME.match(runtime)
    return (int(match.group(1)), int(match.group(2))) if match else None


# -- reading an interpreter's version, once per file -----------------------------------------------------------


class _Probes:
    """Versions of interpreter files, known by (path, modification time, size): in memory and on disk."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, dict] | None = None
        # Files that did not answer as a Python (a pyenv shim of a version not selected): not asked again until they
        # change, in this process.
        self._refused: dict[str, tuple[list[int], str]] = {}

    def _file(self) -> Path | None:
        from console.engine.runtime_libs import private_folder

        folder = private_folder() if hasattr(os, "getuid") else None
        return None if folder is None else folder / "interpreters.json"

    def _load(self) -> dict[str, dict]:
        if self._known is None:
            self._known = {}
            path = self._file()
            try:
                data = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
            except (OSError, ValueError):
                data = {}
            if isinstance(data, dict):
                self._known = {key: value for key, value in data.items() if isinstance(value, dict)}
        return self._known

    def _save(self, known: dict[str, dict]) -> None:
        path = self._file()
        if path is None:
            return
        try:
            fd, temporary = tempfile.mkstemp(prefix=".interpreters-", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(known, out)
            os.replace(temporary, path)
        except OSError:
            pass  # the cache is an optimisation: without it, interpreters are started again next time

    def version(self, path: str) -> tuple[tuple[int, int, int], str]:
        """(version, the executable it reports) of the interpreter at `path`; InterpreterError when it is none."""
        try:
            info = os.stat(path)
        except OSError:
            raise InterpreterError(f"{path} does not exist: give the path of a Python interpreter.") from None
        if not os.path.isfile(path):
            raise InterpreterError(f"{path} is not a file: give the path of a Python interpreter, not a folder.")
        if not os.access(path, os.X_OK):
            raise InterpreterError(f"{path} is not executable: give the path of a Python interpreter (chmod +x).")
        stamp = [info.st_mtime_ns, info.st_size]
        with self._lock:
            known = self._load().get(path)
            if known is not None and known.get("stamp") == stamp:
                cached = _cached_answer(known)
                if cached is not None:
                    return cached
        refused = self._refused.get(path)
        if refused is not None and refused[0] == stamp:
            raise InterpreterError(refused[1])
        try:
            version, executable = _probe(path)
        except InterpreterError as exc:
            # Kept in memory only: a pyenv shim answers differently once `pyenv global` changes, its file unchanged.
            self._refused[path] = (stamp, str(exc))
            raise
        with self._lock:
            known_all = self._load()
            known_all[path] = {"stamp": stamp, "version": list(version), "executable": executable}
            self._save(known_all)
        return version, executable


def _cached_answer(known: dict) -> tuple[tuple[int, int, int], str] | None:
    """A kept answer, if it has the form written (the file is this user's, but may be damaged): else ask again."""
    version, executable = known.get("version"), known.get("executable")
    if (isinstance(version, list) and len(version) == 3 and all(isinstance(part, int) for part in version)
            and isinstance(executable, str)):
        return (version[0], version[1], version[2]), executable
    return None


def _probe(path: str) -> tuple[tuple[int, int, int], str]:
    try:
        done = subprocess.run([path, "-c", _PROBE], capture_output=True, timeout=_PROBE_TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise InterpreterError(f"{path} did not answer within {_PROBE_TIMEOUT:.0f} s when asked its version.") from None
    except OSError as exc:
        raise InterpreterError(f"{path} could not be started ({exc.strerror or exc}): is it a Python interpreter?") \
            from None
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", lines[0].strip()) if done.returncode == 0 and lines else None
    if match is None:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        detail = f": {said[-1][:200]}" if said else ""
        raise InterpreterError(f"{path} is not a Python interpreter: asked its version, it exited with status "
                               f"{done.returncode}{detail}.")
    version = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    executable = lines[1].strip() if len(lines) > 1 else ""
    return version, executable if os.path.isabs(executable) and os.path.isfile(executable) else path


_probes = _Probes()


def check_interpreter(runtime: str, path: str, source: str = "config") -> Interpreter:
    """The interpreter at `path`, which must be `runtime`'s Python (InterpreterError saying what it is otherwise)."""
    wanted = runtime_version(runtime)
    if wanted is None:
        raise InterpreterError(f"{runtime!r} is not a Python runtime name: write python3.X, like python3.12.")
    path = os.path.abspath(os.path.expanduser(path))
    version, executable = _probes.version(path)
    if version[:2] != wanted:
        raise InterpreterError(f"{path} is Python {version[0]}.{version[1]}.{version[2]}, not {runtime}: name a "
                               f"python{wanted[0]}.{wanted[1]} interpreter for it.")
    return Interpreter(executable, version, source, "" if executable == path else path)


# -- the mapping in the config ---------------------------------------------------------------------------------


def parse_mapping(value: object) -> dict[str, str]:
    """The config's `interpreters`: a JSON object {"python3.12": "/path"} or text "python3.12=/path,python3.9=/path".
    Only the form is checked here (InterpreterError); `check_mapping` starts the interpreters."""
    if isinstance(value, str):
        pairs: list[tuple[str, str]] = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            runtime, sep, path = item.partition("=")
            if not sep or not path.strip():
                raise InterpreterError(f"{item!r} is not runtime=path: write python3.12=/usr/bin/python3.12, "
                                       "several separated by commas.")
            pairs.append((runtime.strip(), path.strip()))
    elif isinstance(value, Mapping):
        pairs = [(str(key), path) for key, path in value.items()]
    else:
        raise InterpreterError("give a JSON object of runtime names to paths, like {\"python3.12\": "
                               "\"/usr/bin/python3.12\"}, or text python3.12=/usr/bin/python3.12,...")
    mapping: dict[str, str] = {}
    for runtime, path in pairs:
        if runtime_version(runtime) is None:
            raise InterpreterError(f"{runtime!r} is not a Python runtime name: write python3.X, like python3.12.")
        if not isinstance(path, str) or not path.strip():
            raise InterpreterError(f"{runtime}: give the interpreter's path as text.")
        if runtime in mapping:
            raise InterpreterError(f"{runtime} is named twice: give one interpreter for it.")
        mapping[runtime] = path.strip()
    return mapping


def check_mapping(mapping: Mapping[str, str]) -> None:
    """Every interpreter of the mapping exists, runs and is the runtime's Python; InterpreterError naming the first
    that is not."""
    for runtime, path in mapping.items():
        try:
            check_interpreter(runtime, path)
        except InterpreterError as exc:
            raise InterpreterError(f"{runtime}: {exc}") from None


# -- finding one ------------------------------------------------------------------------------------------------


def uv_python_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where uv installs its managed Pythons (what `uv python dir` prints)."""
    environ = os.environ if environ is None else environ
    if environ.get("UV_PYTHON_INSTALL_DIR"):
        return Path(environ["UV_PYTHON_INSTALL_DIR"]).expanduser()
    data = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(data) / "uv" / "python"


def pyenv_versions_dir(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    root = environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    return Path(root).expanduser() / "versions"


def _newest_first(folder: Path, pattern: re.Pattern[str]) -> list[str]:
    """Names in `folder` matching `pattern` (its groups: major, minor, micro), the newest patch release first."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = [(tuple(int(part) for part in match.groups()), name) for name in names if (match := pattern.match(name))]
    return [name for _, name in sorted(found, reverse=True)]


def candidates(runtime: str, environ: Mapping[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """(path, where) of the files that may be `runtime`'s interpreter, in the order they are tried after the config."""
    wanted = runtime_version(runtime)
    if wanted is None:
        return
    major, minor = wanted
    environ = os.environ if environ is None else environ
    pyenv_dir = pyenv_versions_dir(environ)
    on_path = shutil.which(runtime, path=environ.get("PATH", os.defpath))
    # A pyenv shim answers only for the versions `pyenv global` selects, through a shell script: pyenv's own folders
    # are looked in below instead.
    if on_path and Path(on_path).parent != pyenv_dir.parent / "shims":
        yield on_path, "PATH"
    # uv's folders are cpython-3.12.1-linux-x86_64-gnu (a "+freethreaded" build is another interpreter: skipped).
    uv_dir = uv_python_dir(environ)
    uv_names = re.compile(rf"^cpython-({major})\.({minor})\.(\d+)-")
    for name in _newest_first(uv_dir, uv_names):
        yield str(uv_dir / name / "bin" / runtime), "uv"
    for name in _newest_first(pyenv_dir, re.compile(rf"^({major})\.({minor})\.(\d+)$")):
        yield str(pyenv_dir / name / "bin" / runtime), "pyenv"


def find(runtime: str, mapping: Mapping[str, str] | None = None,
         environ: Mapping[str, str] | None = None) -> tuple[Interpreter | None, list[str]]:
    """`runtime`'s own interpreter, or None with what was found wrong on the way (a file that is another version). An
    interpreter named in the config is the only one tried for its runtime: when it no longer works, the result says
    so rather than quietly running another."""
    problems: list[str] = []
    configured = (mapping or {}).get(runtime)
    tries: Iterable[tuple[str, str]] = [(configured, "config")] if configured else candidates(runtime, environ)
    for path, source in tries:
        if source != "config" and not os.path.isfile(path):
            continue
        try:
            return check_interpreter(runtime, path, source), problems
        except InterpreterError as exc:
            problems.append(f"{'the configured interpreter' if source == 'config' else source}: {exc}")
    return None, problems


class Interpreters:
    """Chooses the interpreter for each runtime; choices are reused for a few seconds, probes for as long as the
    file is unchanged. Thread-safe."""

    def __init__(self, mapping: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})
        self._environ = environ
        self._own = own_interpreter()
        self._lock = threading.Lock()
        self._chosen: dict[tuple[str, str], tuple[float, Choice]] = {}

    @property
    def own(self) -> Interpreter:
        return self._own

    def choose(self, runtime: str, runtime_client: str = "bootstrap") -> Choice:
        key = (runtime, runtime_client)
        now = time.monotonic()
        with self._lock:
            cached = self._chosen.get(key)
        # Reused for a few seconds, while its interpreter is still there (one stat: a removed one is noticed at once).
        if cached is not None and now - cached[0] < CHOICE_SECONDS and (
                cached[1].interpreter.source == "console"
                or os.path.isfile(cached[1].interpreter.found_at or cached[1].interpreter.path)):
            return cached[1]
        choice = self._choose(runtime, runtime_client)
        with self._lock:
            self._chosen[key] = (now, choice)
        return choice

    def _choose(self, runtime: str, runtime_client: str) -> Choice:
        own = self._own
        if runtime == own.runtime and runtime not in self.mapping:
            return Choice(runtime, own)
        wanted = runtime_version(runtime)
        if wanted is None:
            return Choice(runtime, own, f"{runtime} is not a Python runtime")
        if runtime_client == "awslambdaric":
            return Choice(runtime, own, "the awslambdaric runtime client is installed in the console's own "
                                        "environment only")
        found, problems = find(runtime, self.mapping, self._environ)
        if found is not None and found.version[:2] < MIN_WORKER_VERSION:
            oldest = ".".join(str(part) for part in MIN_WORKER_VERSION)
            return Choice(runtime, own, f"{found.path} is installed, but the console's runtime client needs "
                                        f"Python {oldest} or newer")
        if found is not None:
            return Choice(runtime, found)
        if problems:
            return Choice(runtime, own, "; ".join(problems))
        return Choice(runtime, own, f"no {runtime} found on the PATH, in uv's or pyenv's interpreters, or in the "
                                    "config's interpreters")
