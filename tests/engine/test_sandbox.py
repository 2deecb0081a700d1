"""The attacks a handler could make on the console and on other functions, and what stops each one.

Where bubblewrap is installed, workers run in their own namespaces with Lambda's file system layout (sandbox.py);
tests marked for both modes also run without it (LAMBDA_CONSOLE_SANDBOX=off), the path macOS takes. Processes a
handler starts are found from the host by a marker in their command line, which works the same in both modes.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from console.engine import Engine
from console.engine.sandbox import SANDBOX_VARIABLE, UNSANDBOXED_NOTICE, unsandboxed_reason
from tests.processes import wait_until

from .conftest import body

REPO = Path(__file__).resolve().parents[2]
WHY_UNSANDBOXED = unsandboxed_reason()
needs_sandbox = pytest.mark.skipif(WHY_UNSANDBOXED is not None, reason=f"no sandbox here: {WHY_UNSANDBOXED}")


@pytest.fixture(params=["sandbox", "no sandbox"])
def mode(request, monkeypatch) -> str:
    if request.param == "sandbox" and WHY_UNSANDBOXED is not None:
        pytest.skip(f"no sandbox here: {WHY_UNSANDBOXED}")
    if request.param == "no sandbox":
        monkeypatch.setenv(SANDBOX_VARIABLE, "off")
    return request.param


def _marked(marker: str) -> list[int]:
    """Processes whose command line holds `marker` (zombies, which hold nothing, are not counted)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if marker.encode() not in cmdline.read():
                    continue
            with open(f"/proc/{entry}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        found.append(int(entry))
    return found


def _appears(marker: str) -> bool:
    """True once a process carries the marker."""
    return bool(wait_until(lambda: _marked(marker), f"a process marked {marker}"))


def _gone(marker: str) -> bool:
    """True once no process carries the marker (the deadline only keeps a broken test from hanging)."""
    return wait_until(lambda: not _marked(marker), f"the processes marked {marker} to end")


# Starts `python -c <sleeper> <marker>` as a daemon: fork, setsid, fork again, the middle process exits at once.
DAEMON = """
import os, sys, time

SLEEPER = "import sys, time; hold = bytearray(int(sys.argv[2]) * 1024 * 1024); hold[::4096] = b'x' * len(hold[::4096]); time.sleep(3600)"

def daemon(marker, mb=0, setsid=True):
    if os.fork() == 0:
        if setsid:
            os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", SLEEPER, marker, str(mb)])
        os._exit(0)
    os.wait()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_setsid_daemons_are_gone_when_the_environment_retires(mode, engine, make_function):
    marker = f"daemon-{uuid.uuid4().hex}"
    spec = make_function(DAEMON + """
def handler(event, context):
    daemon(event["marker"])
    return "started"
""")
    assert body(engine.invoke(spec, json.dumps({"marker": marker}).encode())) == "started"
    assert _appears(marker), "the daemon did not start"
    time.sleep(0.2)
    assert _marked(marker), "the daemon must live as long as its environment, as on Lambda"
    engine.retire(spec.name)
    assert _gone(marker)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_children_of_a_worker_that_exited_are_gone(mode, engine, make_function):
    marker = f"orphan-{uuid.uuid4().hex}"
    spec = make_function(DAEMON + """
def handler(event, context):
    daemon(event["marker"], setsid=False)
    os._exit(1)
""")
    result = engine.invoke(spec, json.dumps({"marker": marker}).encode())
    assert result.error_type == "Runtime.ExitError"
    assert _gone(marker)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@needs_sandbox
def test_memory_escape_a_double_forked_setsid_child_is_counted_and_killed_past_the_limit(engine, make_function):
    marker = f"hoard-{uuid.uuid4().hex}"
    spec = make_function(DAEMON + """
def handler(event, context):
    daemon(event["marker"], mb=event["mb"])
    time.sleep(10)
    return "survived"
""", memory=256, timeout=20)
    result = engine.invoke(spec, json.dumps({"marker": marker, "mb": 300}).encode())
    assert result.error_type == "Runtime.OutOfMemory", result.payload
    assert result.max_memory_used_mb == 256
    assert _gone(marker)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@needs_sandbox
def test_memory_of_a_double_forked_setsid_child_is_the_functions(engine, make_function):
    marker = f"held-{uuid.uuid4().hex}"
    spec = make_function(DAEMON + """
def handler(event, context):
    daemon(event["marker"], mb=event["mb"])
    time.sleep(2)  # the child fills its memory meanwhile, and the console's readings see it
    return "held"
""", memory=1024, timeout=20)
    result = engine.invoke(spec, json.dumps({"marker": marker, "mb": 200}).encode())
    assert body(result) == "held"
    assert result.max_memory_used_mb >= 200
    engine.retire(spec.name)
    assert _gone(marker)


@needs_sandbox
def test_proc_reading_shows_neither_the_console_nor_other_workers(engine, make_function):
    other = make_function("def handler(event, context):\n    return 'idle'\n")
    assert body(engine.invoke(other)) == "idle"  # another function's worker, alive and idle
    spec = make_function("""
        import os, signal
        def handler(event, context):
            seen = {"pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
            for name, pid in (("console", event["console"]), ("parent", os.getppid())):
                try:
                    with open(f"/proc/{pid}/environ", "rb") as environ:
                        seen[name] = environ.read().decode("latin-1")
                except OSError as error:
                    seen[name] = type(error).__name__
            try:
                os.kill(event["console"], signal.SIGTERM)
                seen["signal"] = "sent"
            except OSError as error:
                seen["signal"] = type(error).__name__
            return seen
    """)
    seen = body(engine.invoke(spec, json.dumps({"console": os.getpid()}).encode()))
    assert seen["pids"] == [1, 2]  # the namespace's first process and the worker: nothing else
    assert seen["console"] in ("FileNotFoundError", "ProcessLookupError")
    assert seen["signal"] == "ProcessLookupError"
    # The namespace's first process is bubblewrap's, started with the worker's own variables, none of the console's.
    assert "AWS_LAMBDA_FUNCTION_NAME=" in seen["parent"] or seen["parent"] == "PermissionError"
    assert "PYTEST_CURRENT_TEST" not in seen["parent"]


@needs_sandbox
def test_writing_to_var_task_is_refused(engine, make_function):
    spec = make_function("""
        import errno, os
        def handler(event, context):
            answers = {"cwd": os.getcwd(), "root": os.environ["LAMBDA_TASK_ROOT"]}
            for name, path, how in (("rewrite", "/var/task/app.py", "w"), ("create", "/var/task/new.py", "x"),
                                    ("runtime", "/var/runtime/planted.py", "x"), ("opt", "/opt/planted.py", "x")):
                try:
                    open(path, how).close()
                    answers[name] = "written"
                except OSError as error:
                    answers[name] = errno.errorcode[error.errno]
            return answers
    """)
    assert body(engine.invoke(spec)) == {"cwd": "/var/task", "root": "/var/task", "rewrite": "EROFS",
                                         "create": "EROFS", "runtime": "EROFS", "opt": "EROFS"}
    assert (spec.code_dir / "app.py").read_text().startswith("\nimport errno")
    assert not (spec.code_dir / "new.py").exists()


@needs_sandbox
def test_reading_the_data_folder_finds_nothing(engine, make_function, tmp_path):
    # A console's data folder: the database, and this function's and another function's stored code.
    data = tmp_path / "data"
    (data / "functions" / "other").mkdir(parents=True)
    (data / "console.db").write_bytes(b"SQLite format 3\x00secret")
    (data / "functions" / "other" / "app.py").write_text("SECRET = 1\n")
    spec = make_function("""
        import os
        def handler(event, context):
            seen = {path: os.path.exists(path) for path in event["paths"]}
            seen["repository"] = sorted(os.listdir(event["repository"]))
            return seen
    """)
    paths = [str(data), str(data / "console.db"), str(data / "functions" / "other" / "app.py"), str(spec.code_dir)]
    seen = body(engine.invoke(spec, json.dumps({"paths": paths, "repository": str(REPO)}).encode()))
    assert seen == {**{path: False for path in paths}, "repository": ["console"]}  # the runtime client's folder only


@needs_sandbox
def test_reading_the_hosts_secrets_in_etc_finds_nothing_while_tls_and_names_still_work(engine, make_function):
    spec = make_function("""
        import os, socket, ssl
        def handler(event, context):
            secrets = ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssh", "/etc/ssl/private", "/etc/machine-id"]
            return {
                "visible": [path for path in secrets if os.path.exists(path)],
                "certificates": bool(os.listdir(ssl.get_default_verify_paths().capath or "/etc/ssl/certs")),
                "localhost": socket.getaddrinfo("localhost", 80, socket.AF_INET)[0][4][0],
            }
    """)
    seen = body(engine.invoke(spec))
    assert seen == {"visible": [], "certificates": True, "localhost": "127.0.0.1"}


@needs_sandbox
def test_tmp_is_the_size_of_the_functions_ephemeral_storage(engine, make_function):
    spec = make_function("""
        import errno
        def handler(event, context):
            written = 0
            chunk = b"x" * (16 * 1024 * 1024)
            try:
                with open("/tmp/fill", "wb") as fill:
                    while written < 1024 * 1024 * 1024:
                        fill.write(chunk)
                        fill.flush()
                        written += len(chunk)
            except OSError as error:
                return {"error": errno.errorcode[error.errno], "mb": written // (1024 * 1024)}
            return {"error": None, "mb": written // (1024 * 1024)}
    """, timeout=30, ephemeral_storage=512)
    seen = body(engine.invoke(spec))
    assert seen["error"] == "ENOSPC"
    assert 496 <= seen["mb"] <= 512


@needs_sandbox
def test_the_sandbox_has_lambdas_layout(engine, make_function, tmp_path):
    layers = []
    for name in ("first", "second"):
        layer = tmp_path / name
        (layer / "python").mkdir(parents=True)
        (layer / "python" / "shared.py").write_text(f"WHO = {name!r}\n")
        (layer / "python" / f"only_{name}.py").write_text("")
        layers.append(layer)
    spec = make_function("""
        import os, sys
        import shared
        def handler(event, context):
            import boto3
            try:
                import flask  # the console's own dependency, not the runtime's
                flask_seen = True
            except ImportError:
                flask_seen = False
            return {"shared": shared.__file__, "who": shared.WHO, "opt": sorted(os.listdir("/opt/python")),
                    "path": sys.path[:4], "runtime_dir": os.environ["LAMBDA_RUNTIME_DIR"], "boto3": boto3.__file__,
                    "flask": flask_seen}
    """, layers=tuple(layers))
    seen = body(engine.invoke(spec))
    assert seen["shared"] == "/opt/python/shared.py" and seen["who"] == "second"
    assert seen["opt"] == ["only_first.py", "only_second.py", "shared.py"]
    assert seen["path"][0] == "/var/task" and "/opt/python" in seen["path"]
    assert seen["runtime_dir"] == "/var/runtime"
    assert seen["boto3"] == "/var/runtime/boto3/__init__.py"
    assert seen["flask"] is False


def test_without_the_sandbox_every_invocation_says_so(monkeypatch, engine, make_function):
    monkeypatch.setenv(SANDBOX_VARIABLE, "off")
    spec = make_function("def handler(event, context):\n    return 1\n")
    for _ in range(2):  # cold, then warm
        result = engine.invoke(spec)
        lines = result.log.splitlines()
        assert lines[0].startswith("START RequestId: ")
        assert lines[1] == UNSANDBOXED_NOTICE.format(why=f"{SANDBOX_VARIABLE}=off")
    assert "Sandbox: none" in lines[1]


@needs_sandbox
def test_in_the_sandbox_the_log_has_no_notice(engine, make_function):
    result = engine.invoke(make_function("def handler(event, context):\n    return 1\n"))
    assert "Sandbox:" not in result.log


CONSOLE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from console.engine import Engine, FunctionSpec
    engine = Engine()
    engine.invoke(FunctionSpec(name="f", code_dir=Path(sys.argv[1]), handler="app.handler"))
    print("ready", flush=True)
    sys.stdin.read()
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills a console with SIGKILL")
def test_temporary_folders_of_a_killed_console_are_removed_at_the_next_start(mode, tmp_path, make_function,
                                                                             monkeypatch):
    spec = make_function("import tempfile\ndef handler(event, context):\n    return tempfile.gettempdir()\n")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    console = subprocess.Popen([sys.executable, "-c", CONSOLE, str(spec.code_dir)], cwd=REPO, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert console.stdout.readline() == b"ready\n"
    finally:
        console.send_signal(signal.SIGKILL)
        console.wait()
    ours = temp / f"lambda-console-{os.getuid()}"
    left = sorted(path.name for path in ours.iterdir() if not path.name.startswith("runtime-"))
    if mode == "sandbox":
        assert left == []  # the worker's /tmp was a tmpfs in its namespace, gone with it
        return
    assert left == [f"envs-{console.pid}"]
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)
    with Engine() as engine:
        assert Path(body(engine.invoke(spec))).parent == ours / f"envs-{os.getpid()}"
        assert not (ours / f"envs-{console.pid}").exists()


def test_ephemeral_storage_outside_lambdas_range_is_refused(make_function):
    with pytest.raises(ValueError, match="ephemeral storage must be between 512 and 10240 MB, not 100"):
        make_function("def handler(event, context):\n    return 1\n", ephemeral_storage=100)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@pytest.mark.parametrize("ending", ["timeout", "cancel", "close"])
def test_timeout_cancel_and_shutdown_end_the_whole_tree(mode, make_function, ending):
    marker = f"tree-{uuid.uuid4().hex}"
    spec = make_function(DAEMON + """
def handler(event, context):
    daemon(event["marker"])
    daemon(event["marker"], setsid=False)
    time.sleep(60)
""", timeout=2 if ending == "timeout" else 120)
    engine = Engine()
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(
        engine.invoke(spec, json.dumps({"marker": marker}).encode(), request_id="to-end")))
    try:
        thread.start()
        wait_until(lambda: len(_marked(marker)) >= 2, "both marked processes")
        if ending == "cancel":
            assert engine.cancel("to-end")
        elif ending == "close":
            engine.close()
        thread.join(30)
        assert _gone(marker)
        if ending == "timeout":
            assert outcome[0].error_type == "Sandbox.Timedout"
    finally:
        engine.close()
        thread.join(30)


DAEMON_CONSOLE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from console.engine import Engine, FunctionSpec
    engine = Engine()
    spec = FunctionSpec(name="d", code_dir=Path(sys.argv[1]), handler="app.handler")
    engine.invoke(spec, json.dumps({"marker": sys.argv[2]}).encode())
    print("ready", flush=True)
    sys.stdin.read()
    """
)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@needs_sandbox
def test_setsid_daemons_die_with_a_console_killed_with_sigkill(make_function):
    marker = f"orphaned-{uuid.uuid4().hex}"
    spec = make_function(DAEMON + """
def handler(event, context):
    daemon(event["marker"])
    return "started"
""")
    console = subprocess.Popen([sys.executable, "-c", DAEMON_CONSOLE, str(spec.code_dir), marker], cwd=REPO,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert console.stdout.readline() == b"ready\n"
        assert _appears(marker)
    finally:
        console.send_signal(signal.SIGKILL)
        console.wait()
    assert _gone(marker)  # the worker saw its watch pipe close and ended, and its namespace with it


def test_shared_libraries_in_the_codes_and_a_layers_lib_folder_load_by_name(mode, engine, make_function, tmp_path):
    # A real shared library (the system's zlib) under two names only the code's lib/ and the layer's lib/ hold:
    # the dynamic loader finds each by name through LD_LIBRARY_PATH, as on Lambda (a psycopg2 or a Pillow layer).
    system_zlib = next(Path(folder) / "libz.so.1" for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                                                               "/usr/lib64", "/usr/lib") if Path(folder, "libz.so.1").exists())
    layer = tmp_path / "native-layer"
    (layer / "lib").mkdir(parents=True)
    shutil.copy(system_zlib, layer / "lib" / "liblayerdemo.so")
    spec = make_function("""
        import ctypes, os
        def handler(event, context):
            versions = {}
            for name in ("libcodedemo.so", "liblayerdemo.so"):
                library = ctypes.CDLL(name)
                library.zlibVersion.restype = ctypes.c_char_p
                versions[name] = library.zlibVersion().decode()
            return {"versions": versions, "path": os.environ["LD_LIBRARY_PATH"].split(":")}
    """, layers=(layer,))
    (spec.code_dir / "lib").mkdir()
    shutil.copy(system_zlib, spec.code_dir / "lib" / "libcodedemo.so")
    seen = body(engine.invoke(spec))
    assert set(seen["versions"]) == {"libcodedemo.so", "liblayerdemo.so"}
    assert all(version[0].isdigit() for version in seen["versions"].values())
    if mode == "sandbox":
        assert seen["path"] == ["/lib64", "/usr/lib64", "/var/runtime", "/var/runtime/lib", "/var/task", "/var/task/lib",
                                "/opt/lib"]
    else:
        assert seen["path"][-3:] == [str(spec.code_dir), f"{spec.code_dir}/lib", f"{layer}/lib"]


def test_a_functions_own_ld_library_path_replaces_lambdas(engine, make_function):
    # LD_LIBRARY_PATH is not one of Lambda's reserved variables: a function's configuration may set it.
    spec = make_function("""
        import os
        def handler(event, context):
            return os.environ["LD_LIBRARY_PATH"]
    """, environment={"LD_LIBRARY_PATH": "/var/task/vendor"})
    assert body(engine.invoke(spec)) == "/var/task/vendor"


def test_credentials_in_the_consoles_home_are_out_of_a_handlers_reach(mode, engine, make_function):
    # A handler calling AWS with boto3 must not act with the developer's own ~/.aws credentials: on Lambda it has
    # its role's; here, a profile's when the function names one, else none.
    spec = make_function("""
        import os
        def handler(event, context):
            home = os.path.expanduser("~")
            try:
                inside = os.listdir(home)
            except OSError:
                inside = []
            return {"home": home, "inside": inside, "aws": os.path.exists(os.path.expanduser("~/.aws"))}
    """)
    seen = body(engine.invoke(spec))
    assert seen["aws"] is False
    if mode == "no sandbox":  # (in the sandbox the home shows at most the interpreter's own folder, bound there)
        assert seen["home"] != pwd.getpwuid(os.getuid()).pw_dir and seen["inside"] == []
