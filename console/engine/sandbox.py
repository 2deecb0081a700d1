"""Where a worker runs: inside bubblewrap with Lambda's file system layout, or, without it, on the console's own.

With `bwrap` (bubblewrap) on the PATH, each environment gets its own mount, PID and IPC namespaces and sees what a
handler sees on Lambda (LAMBDA_SPEC, "Execution environment"; AWS's docs on the Lambda execution environment):

- the function's code read-only at /var/task (LAMBDA_TASK_ROOT and the working directory), so tracebacks say
  /var/task/app.py;
- its layers merged read-only at /opt, in order, a later layer's files replacing an earlier one's (an empty /opt when
  there are none);
- the runtime's libraries read-only at /var/runtime (LAMBDA_RUNTIME_DIR): the shared runtime folder (runtime_libs.py)
  holds links into the console's site-packages, so the sandbox mounts a tree of hard links to exactly the linked
  files, built once beside it; nothing else of site-packages is visible;
- the interpreter, the system's /usr and /etc, all read-only (Lambda's image has its own; the host's are what this
  machine's interpreter and TLS certificates need);
- a private /tmp, a tmpfs of the function's ephemeral storage size (512 MB by default): writing more fails with
  "No space left on device", as on Lambda. It disappears with the environment, even if the console is killed;
- its own /proc and PID namespace: the console and other environments' workers are not visible, so their
  environment variables cannot be read nor the processes signalled. When the namespace's first process ends, the
  kernel kills every process left in it, so nothing a handler started outlives its environment;
- the network of the host (outbound connections allowed, as on Lambda, and the loopback Runtime API reachable).

The runtime client's own folder (console/runtime) is mounted read-only at its own path. Nothing else of the host is
mounted: not the console's data folder (its database, other functions' code), nor the user's home beyond an
interpreter installed there. `LAMBDA_CONSOLE_SANDBOX=off` runs workers without the sandbox (for debugging), as on systems without
bwrap (macOS): the code then runs from its own folder with the console's view of the machine, and every invocation's
log says so in a line after START.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.engine.memory import children
from console.engine.runtime_libs import build_once

# "off" (or 0, no, false) runs workers without the sandbox even where bwrap is installed.
SANDBOX_VARIABLE = "LAMBDA_CONSOLE_SANDBOX"
TASK_ROOT = "/var/task"
RUNTIME_ROOT = "/var/runtime"
LAYER_ROOT = "/opt"
DEFAULT_EPHEMERAL_MB = 512
# Said in the log of every invocation that ran without the sandbox.
UNSANDBOXED_NOTICE = (
    "Sandbox: none ({why}); the function ran with the console's own file system and processes visible, "
    "not in Lambda's /var/task layout"
)
# Top-level folders that are links into /usr on merged-/usr systems, or folders of their own elsewhere.
_SYSTEM = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Host folders for the temporary folders of unsandboxed workers, one per console process (see host_tmp_folder).
_ENV_TMP_PREFIX = "envs-"


def unsandboxed_reason() -> str | None:
    """Why workers run without the sandbox here, or None when they run inside it."""
    if os.environ.get(SANDBOX_VARIABLE, "").strip().lower() in ("off", "0", "no", "false"):
        return f"{SANDBOX_VARIABLE}=off"
    if sys.platform != "linux":
        return f"bubblewrap runs on Linux only, this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bwrap not found; install bubblewrap"
    return None


@dataclass(frozen=True)
class Launch:
    """How one worker is started, and the paths it is told about."""

    command: list[str]
    task_root: str
    runtime_dir: str
    tmp_dir: str
    layer_bins: list[str]
    library_path: list[str]  # LD_LIBRARY_PATH: where the dynamic loader finds the code's and layers' lib/ folders
    sandboxed: bool
    notice: str | None  # the log line saying the worker ran without the sandbox
    host_tmp: Path | None  # the unsandboxed worker's temporary folder, to remove when the environment ends


def plan(
    worker: Sequence[str],
    *,
    python: str,
    code_dir: Path,
    layers: Sequence[Path],
    runtime_dir: Path,
    runtime_code: Path,
    ephemeral_mb: int,
    code_extra: Sequence[Path] = (),
) -> Launch:
    """The command line for `python *worker --layer ...`, inside bwrap where it can run, else as it is.

    `worker` is the interpreter's arguments after the interpreter itself (flags, bootstrap script, its options).
    An unsandboxed worker gets a temporary folder of its own on the host (Launch.host_tmp; the caller removes it).
    """
    why = unsandboxed_reason()
    if why is not None:
        args = [python, *worker]
        for layer in layers:
            args += ["--layer", str(layer)]
        for extra in code_extra:
            args += ["--code-path", str(extra)]
        host_tmp = Path(tempfile.mkdtemp(prefix="env-", dir=host_tmp_root()))
        libraries = library_path(str(runtime_dir), [str(code_dir)], [str(layer) for layer in layers])
        return Launch(args, str(code_dir), str(runtime_dir), str(host_tmp), [str(layer / "bin") for layer in layers],
                      libraries, False, UNSANDBOXED_NOTICE.format(why=why), host_tmp)
    interpreter = os.path.realpath(python)
    _compile_runtime(runtime_code, interpreter)
    args = [shutil.which("bwrap") or "bwrap", *_namespaces()]
    # /tmp first: a folder bound later under the host's /tmp (an interpreter installed there) then stays visible.
    args += ["--size", str(ephemeral_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    args += _system(interpreter)
    # The code's own files over what comes with it (installed dependencies), as one folder.
    args += _merge(TASK_ROOT, [*code_extra, code_dir]) + ["--chdir", TASK_ROOT]
    args += _runtime_libraries(runtime_dir) + _ro(runtime_code.resolve())
    args += _layers(layers)
    args += ["--remount-ro", "/"]  # the rest of the root (/opt without layers, /var) is read-only, as on Lambda
    # --pid-namespace: the worker may end every process of its namespace when the console goes (see the worker).
    args += ["--", interpreter, *worker, "--pid-namespace"]
    if layers:
        args += ["--layer", LAYER_ROOT]
    libraries = library_path(RUNTIME_ROOT, [TASK_ROOT], [LAYER_ROOT] if layers else [])
    return Launch(args, TASK_ROOT, RUNTIME_ROOT, "/tmp", [f"{LAYER_ROOT}/bin"] if layers else [], libraries, True, None,
                  None)


def library_path(runtime_dir: str, code_dirs: Sequence[str], layer_dirs: Sequence[str]) -> list[str]:
    """LD_LIBRARY_PATH in Lambda's order (its base images set
    /var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib): the system's
    folders, the runtime's, the code and its lib/, then each layer's lib/ (one merged /opt/lib in the sandbox).
    A package's or a layer's shared libraries (lib/libpq.so...) load by name, with ctypes or an extension module."""
    folders = ["/lib64", "/usr/lib64", runtime_dir, f"{runtime_dir}/lib"]
    for code in code_dirs:
        folders += [code, f"{code}/lib"]
    return folders + [f"{layer}/lib" for layer in layer_dirs]


def _namespaces() -> list[str]:
    args = ["--unshare-pid", "--unshare-ipc", "--proc", "/proc", "--dev", "/dev",
            # Its own session: a handler cannot push input into a terminal the console was started from.
            # (Not --die-with-parent: its signal comes when the *thread* that started bwrap ends, and an engine starts
            # workers from whichever thread invokes first. The worker's watch pipe ends it with the console instead,
            # and the namespace with it.)
            "--new-session"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args += ["--cap-drop", "ALL"]  # a console run as root gives its handlers no capabilities (no remounting)
    return args


# What of the host's /etc a worker sees: what Lambda's own /etc offers a function's libraries too.
_ETC = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d",  # the dynamic loader: compiled extensions and their libraries
    "nsswitch.conf", "hosts", "resolv.conf", "host.conf", "gai.conf", "services", "protocols",  # networking
    "ssl/certs", "ca-certificates", "ca-certificates.conf", "pki/tls/certs",  # TLS trust (certificates, no keys)
    "passwd", "group",  # user lookups (home folder, user name)
    "localtime", "timezone", "mime.types", "os-release", "alternatives",
)


def _ro(path: Path | str) -> list[str]:
    return ["--ro-bind", str(path), str(path)]


def _system(interpreter: str) -> list[str]:
    args = _ro("/usr")
    for top in _SYSTEM:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += _ro(top)
    # From /etc only what a function's libraries read (the dynamic loader, name resolution, TLS certificates, user
    # and time zone lookups), never the host's secrets (shadow, sudoers, SSH host keys, private TLS keys).
    for entry in _ETC:
        args += ["--ro-bind-try", f"/etc/{entry}", f"/etc/{entry}"]
    # The interpreter's installation (its standard library and shared libraries), unless /usr holds it already; for a
    # virtual environment's copied interpreter, the installation it was made from too (pyvenv.cfg's `home`).
    prefixes = [Path(interpreter).parent.parent]
    home = _venv_home(prefixes[0] / "pyvenv.cfg")
    if home is not None:
        prefixes.append(home.parent)
    for prefix in prefixes:
        if prefix == Path("/"):  # an interpreter in a top-level folder: that folder, never the whole host
            prefix = Path(interpreter).parent
        if prefix != Path("/") and not _under(prefix, "/usr"):
            args += ["--ro-bind-try", str(prefix), str(prefix)]
    return args


def _venv_home(config: Path) -> Path | None:
    try:
        lines = config.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "home" and value.strip():
            return Path(os.path.realpath(value.strip()))
    return None


def _under(path: Path, folder: str) -> bool:
    return path == Path(folder) or Path(folder) in path.parents


def _runtime_libraries(runtime_dir: Path) -> list[str]:
    tree = _runtime_tree(runtime_dir)
    if tree is not None:
        return ["--ro-bind", str(tree), RUNTIME_ROOT]
    # No tree of its own: the folder's links, and each folder they point to at its own path.
    args = ["--ro-bind", str(runtime_dir), RUNTIME_ROOT]
    for entry in sorted(os.listdir(runtime_dir)):
        link = runtime_dir / entry
        if link.is_symlink():
            args += _ro(os.path.realpath(link))
    return args


def _runtime_tree(runtime_dir: Path) -> Path | None:
    """The runtime library folder with its links replaced by what they point to (hard links to the same files, or
    copies across file systems), beside the shared folder and built once like it: one mount instead of one per
    library, and none of the console's site-packages paths inside the sandbox. None for a folder that is not shared
    (made for one engine, which removes it; a tree beside it would stay behind)."""
    if not runtime_dir.parent.name.startswith("lambda-console-"):
        return None
    tree = runtime_dir.with_name(runtime_dir.name + ".tree")

    def fill(building: Path) -> None:
        for entry in sorted(os.listdir(runtime_dir)):
            source = os.path.realpath(runtime_dir / entry)
            if os.path.isdir(source):
                shutil.copytree(source, building / entry, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(source, str(building / entry))

    # Not made, here or by another console: bind the links' targets instead.
    return tree if build_once(tree, fill) else None


def _link_or_copy(source: str, dest: str) -> str:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)
    return dest


def _layers(layers: Sequence[Path]) -> list[str]:
    if not layers:
        return ["--dir", LAYER_ROOT]
    return _merge(LAYER_ROOT, [Path(layer) for layer in layers])


def _merge(target: str, sources: list[Path]) -> list[str]:
    """Bind mounts that show `sources` as one folder at `target`, a later source's entries replacing an earlier one's;
    a folder present in several sources is merged entry by entry, as unpacking them in order into one folder does."""
    folders = [source for source in sources if source.is_dir()]
    if len(folders) == 1:
        return ["--ro-bind", str(folders[0]), target]
    args = ["--dir", target]
    entries: dict[str, list[Path]] = {}
    for folder in folders:
        for name in sorted(os.listdir(folder)):
            entries.setdefault(name, []).append(folder / name)
    for name, paths in entries.items():
        inner = f"{target}/{name}"
        last = paths[-1]
        if last.is_dir() and len(paths) > 1 and paths[-2].is_dir():
            # Only the folders since the last file of that name contribute: a file replaced what came before it.
            start = max((i + 1 for i, path in enumerate(paths) if not path.is_dir()), default=0)
            args += _merge(inner, paths[start:])
        else:
            args += ["--ro-bind", str(last), inner]
    return args


_compiled: set[tuple[Path, str]] = set()


def _compile_runtime(folder: Path, interpreter: str) -> None:
    """The runtime client's bytecode, cached beside it before the first sandboxed start: the folder is read-only
    inside the sandbox, where the worker could not write its cache and would compile its source on every start.
    For another interpreter than the console's, that interpreter compiles it (its own cache tag, once per process)."""
    if (folder, interpreter) in _compiled:
        return
    if interpreter != os.path.realpath(sys.executable):
        import subprocess

        try:
            subprocess.run([interpreter, "-I", "-m", "compileall", "-q", str(folder)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            pass  # without its bytecode the worker compiles the source as it starts: slower, not wrong
    elif _stale_bytecode(folder):
        import compileall  # only when a source changed since it was last compiled

        compileall.compile_dir(str(folder), quiet=2)
    _compiled.add((folder, interpreter))


def _stale_bytecode(folder: Path) -> bool:
    tag = sys.implementation.cache_tag
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        for name in files:
            if not name.endswith(".py"):
                continue
            cached = os.path.join(root, "__pycache__", f"{name[:-3]}.{tag}.pyc")
            try:
                if os.stat(cached).st_mtime < os.stat(os.path.join(root, name)).st_mtime:
                    return True
            except OSError:
                return True
    return False


def namespace_pids(bwrap_pid: int, timeout: float = 5.0) -> tuple[int, int] | None:
    """(the namespace's first process, the worker) as this console's PIDs, once bwrap has started both; None if bwrap
    ended first. bwrap forks the namespace's first process, which forks the worker and then only reaps orphans."""
    deadline = time.monotonic() + timeout
    init = worker = None
    while time.monotonic() < deadline:
        if init is None:
            init = next(iter(children(bwrap_pid)), None)
        if init is not None:
            worker = next(iter(children(init)), None)
            if worker is not None:
                return init, worker
        if _ended(bwrap_pid):
            return None
        time.sleep(0.0005)
    return None


def _ended(pid: int) -> bool:
    """Whether the process has exited (a zombie its parent has not collected yet counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def worker_returncode(bwrap_returncode: int) -> int:
    """The worker's exit status as subprocess gives it (negative: killed by that signal) from bwrap's own: bwrap exits
    with its command's status, or 128 plus the signal that killed it, as a shell does (a worker calling exit(139)
    reads as a segmentation fault, as it would from a shell)."""
    if 128 < bwrap_returncode < 128 + 65:
        return -(bwrap_returncode - 128)
    return bwrap_returncode


def processes_with(variable: bytes) -> set[int]:
    """Processes whose environment holds `variable` (b"NAME=value"), as far as /proc shows (Linux; empty elsewhere).

    Without the sandbox, this finds what a handler started that left the worker's session and process tree (a
    double-forked setsid daemon): it keeps the environment it inherited, whose log stream name is the environment's
    own. One that replaced its whole environment on exec is not found."""
    if not os.path.isdir("/proc/self"):
        return set()
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if variable in environ.read().split(b"\0"):
                    found.add(int(entry))
        except OSError:
            continue  # ended, or another user's
    return found


def host_tmp_root() -> Path:
    """The folder holding this console's unsandboxed workers' temporary folders: <temp>/lambda-console-<uid>/envs-<pid>.

    Named after the console's process, so that a console killed before it could clean up leaves a folder the next
    console removes (see remove_orphaned_tmp)."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    base = Path(tempfile.gettempdir()) / f"lambda-console-{uid}"
    base.mkdir(mode=0o700, exist_ok=True)
    folder = base / f"{_ENV_TMP_PREFIX}{os.getpid()}"
    if not folder.is_dir():
        remove_orphaned_tmp(folder)  # the first of this console's: sweep those of consoles that died
        folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def remove_orphaned_tmp(root: Path) -> None:
    """Remove the temporary folders of consoles that are no longer running (killed, say, with SIGKILL)."""
    for folder in _siblings(root):
        pid = folder.name[len(_ENV_TMP_PREFIX):]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _siblings(root: Path) -> Iterable[Path]:
    try:
        return [entry for entry in root.parent.iterdir() if entry.name.startswith(_ENV_TMP_PREFIX)]
    except OSError:
        return []


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
