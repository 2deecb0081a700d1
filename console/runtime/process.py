"""The worker process itself: its environment, its command line, its sys.path, and its end when the console goes.

Cold start is what a user waits for, so nothing here imports `os` (a few milliseconds, mostly unused): until the
function imports it, the environment is read and written through `posix.environ`, the very dict `os.environ` wraps
later.
"""

from __future__ import annotations

import posix
import sys

TYPE_CHECKING = False  # not imported from typing, which costs a cold start; annotations quote these names
if TYPE_CHECKING:
    from typing import NoReturn

_FS_ENCODING = sys.getfilesystemencoding()


def getenv(name: str, default: str | None = None) -> str | None:
    """`os.environ.get(name, default)`, without importing os."""
    os = sys.modules.get("os")
    if os is not None:
        return os.environ.get(name, default)
    value = posix.environ.get(name.encode(_FS_ENCODING, "surrogateescape"))
    return default if value is None else value.decode(_FS_ENCODING, "surrogateescape")


def setenv(name: str, value: str | None) -> None:
    """`os.environ[name] = value`, or remove the variable when value is None."""
    os = sys.modules.get("os")
    if os is not None:
        if value is not None:
            os.environ[name] = value
        elif name in os.environ:
            del os.environ[name]
        return
    key = name.encode(_FS_ENCODING, "surrogateescape")
    if value is not None:
        raw = value.encode(_FS_ENCODING, "surrogateescape")
        posix.putenv(key, raw)
        posix.environ[key] = raw
    elif key in posix.environ:
        posix.unsetenv(key)
        del posix.environ[key]


def parse_args(argv: list) -> tuple:
    """(client, layers, watch_fd, own_pid_namespace, code_paths) from the engine's command line."""
    client, layers, watch_fd, own_pid_namespace, code_paths = "bootstrap", [], None, False, []
    args = iter(argv[1:])
    for arg in args:
        name, eq, value = arg.partition("=")
        if name == "--pid-namespace":  # the sandbox's: this worker's processes are its PID namespace's
            own_pid_namespace = True
        elif name in ("--client", "--layer", "--watch-fd", "--code-path"):
            if not eq:
                value = next(args, "")
            if name == "--client":
                client = value
            elif name == "--layer":
                layers.append(value)
            elif name == "--code-path":
                code_paths.append(value)
            else:
                watch_fd = int(value)
    return client, layers, watch_fd, own_pid_namespace, code_paths


# Set when the sandbox started this worker in a PID namespace of its own (the --pid-namespace flag).
_in_own_pid_namespace = False


def claim_pid_namespace() -> None:
    """This worker's processes are its PID namespace's: however it ends, it ends them all (end_namespace)."""
    global _in_own_pid_namespace
    _in_own_pid_namespace = True


def end_namespace() -> None:
    """Kill every process of this worker's PID namespace but its init and this one: a double-forked daemon that left
    the process group and the session too. Only in a namespace of the worker's own (outside one, -1 would mean every
    process of the user), so nothing happens unless claim_pid_namespace() was called."""
    if not _in_own_pid_namespace:
        return
    try:
        posix.kill(-1, 9)
    except OSError:
        pass  # nothing else left to signal


def watch_console(fd: int) -> None:
    """End this worker, and everything it started, the moment the console is gone, however it went.

    `fd` is the read end of a pipe whose write end only the console holds: when the console exits, even killed with
    SIGKILL, the read returns end-of-file. A thread blocked on it costs nothing until then (`_thread` is built in, so
    there is nothing to import), and unlike Linux's parent-death signal it works everywhere and whichever of the
    console's threads started the worker. The handler's own subprocesses do not inherit the pipe.
    """
    import _thread

    posix.set_inheritable(fd, False)

    def wait() -> None:
        try:
            while posix.read(fd, 1):
                pass
        except OSError:
            pass
        try:
            end_namespace()
            # The worker leads its own process group (the engine starts it so): take the handler's children along.
            posix.killpg(posix.getpgid(0), 9)
        finally:
            posix._exit(1)

    _thread.start_new_thread(wait, ())


def set_up_sys_path(task_root: str, layers: list, runtime_dir: str, code_paths: list | tuple = ()) -> None:
    """Order sys.path as Lambda does: code root, each layer (as /opt), the runtime's libraries, the standard library.
    `code_paths` (without the sandbox: folders that a sandbox shows inside the code root) follow the code root.

    Then process `.pth` files like Lambda's `site.addsitedir()` calls. `site` is imported only when that could
    change anything: a folder with a `.pth` file, or a missing one (which addsitedir appends to sys.path anyway).
    """
    version = "python{}.{}".format(*sys.version_info[:2])
    # Lambda unpacks the layers into one /opt in order, a later layer's files replacing an earlier one's: so the
    # later layers come first here, and every layer's site-packages before every layer's python/.
    newest_first = layers[::-1]
    site_dirs = [task_root, *code_paths]
    site_dirs += [f"{layer}/python/lib/{version}/site-packages" for layer in newest_first]
    site_dirs += [f"{layer}/python" for layer in newest_first]
    sys.path[:0] = [*site_dirs, runtime_dir]
    for directory in site_dirs:
        try:
            names = posix.listdir(directory)
        except OSError:
            break
        if any(name.endswith(".pth") for name in names):
            break
    else:
        return
    import site

    for directory in site_dirs:
        site.addsitedir(directory)


def exit_quietly() -> NoReturn:
    """The console is gone: leave now, without a traceback and without running the function's exit hooks."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 (the pipe may be gone too: nobody is left to tell)
            pass
    end_namespace()
    posix._exit(0)
