"""The worker process as a function sees it: its path, its modules, its logging, and its end when the console goes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from console.engine import Engine, FunctionSpec
from console.engine.sandbox import SANDBOX_VARIABLE
from tests.runtime.conftest import BOOTSTRAP, RUNTIME, RUNTIME_MODULES

VERSION = f"python{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="module")
def module_engine():
    with Engine(max_environments=4, idle_timeout=60) as engine:
        yield engine


def write_code(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


def invoke(engine: Engine, code: Path, client: str, **config) -> object:
    spec = FunctionSpec(
        name=config.pop("name", "probe"),
        code_dir=code,
        handler="app.handler",
        runtime_client=client,
        timeout=10,
        **config,
    )
    result = engine.invoke(spec, b"{}")
    assert result.succeeded, result.payload + result.log.encode()
    return json.loads(result.payload)


SYS_PATH_PROBE = """
    import importlib.util
    import os
    import sys


    def handler(event, context):
        return {
            "path": sys.path,
            "runtime_dir": os.environ["LAMBDA_RUNTIME_DIR"],
            "flask": importlib.util.find_spec("flask") is not None,
            "simplejson": importlib.util.find_spec("simplejson").origin,
            "console": importlib.util.find_spec("console") is not None,
            "worker_visible": any("worker" in name for name in sys.modules),
        }
"""


def test_sys_path_is_lambdas_and_the_consoles_packages_are_out_of_reach(module_engine, tmp_path, runtime_client,
                                                                         monkeypatch):
    # Each layer at its own path, to see their order (the sandbox merges them into /opt: tests/engine/test_sandbox.py).
    monkeypatch.setenv(SANDBOX_VARIABLE, "off")
    code = write_code(tmp_path / "code", {"app.py": SYS_PATH_PROBE})
    with_site = tmp_path / "with-site-packages"
    (with_site / "python" / "lib" / VERSION / "site-packages").mkdir(parents=True)
    bare = tmp_path / "bare"
    (bare / "python").mkdir(parents=True)
    seen = invoke(module_engine, code, runtime_client, layers=(with_site, bare))
    path = seen["path"]
    # As if both layers were unpacked into one /opt, the later over the earlier.
    assert path[:5] == [
        str(code),
        f"{bare}/python/lib/{VERSION}/site-packages",
        f"{with_site}/python/lib/{VERSION}/site-packages",
        f"{bare}/python",
        f"{with_site}/python",
    ]
    assert path[5] == seen["runtime_dir"]
    assert path[6:9] == [p for p in sys.path if p.startswith(sys.base_prefix) and "site-packages" not in p][:3]
    # As site.addsitedir() does on Lambda: a layer folder that does not exist is appended once more.
    assert path[9:] == [f"{bare}/python/lib/{VERSION}/site-packages"]
    assert seen["flask"] is False
    # As on Lambda, simplejson ships with the runtime (in its library folder) and a handler can import it.
    assert seen["simplejson"].startswith(seen["runtime_dir"] + "/simplejson/")
    assert seen["console"] is False
    assert seen["worker_visible"] is False


def test_a_later_layer_replaces_an_earlier_layers_module(module_engine, tmp_path, runtime_client):
    code = write_code(tmp_path / "code", {"app.py": "import shared\ndef handler(event, context):\n    return shared.WHO\n"})
    layers = []
    for name in ("first", "second"):
        layer = tmp_path / name
        (layer / "python").mkdir(parents=True)
        (layer / "python" / "shared.py").write_text(f"WHO = {name!r}\n")
        layers.append(layer)
    assert invoke(module_engine, code, runtime_client, layers=tuple(layers)) == "second"


def test_both_clients_build_the_same_sys_path(module_engine, tmp_path, monkeypatch):
    pytest.importorskip("awslambdaric")
    monkeypatch.setenv(SANDBOX_VARIABLE, "off")  # the code folder at its own path, as the assertion names it
    code = write_code(tmp_path / "code", {"app.py": SYS_PATH_PROBE, "extra.pth": "vendor\nimport sys\n"})
    (code / "vendor").mkdir()
    layer = tmp_path / "layer"
    (layer / "python").mkdir(parents=True)
    paths = [invoke(module_engine, code, client, layers=(layer,))["path"] for client in ("bootstrap", "awslambdaric")]
    assert paths[0] == paths[1]
    assert f"{code}/vendor" in paths[0]


def test_the_bootstrap_imports_only_what_the_function_imports(module_engine, tmp_path):
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
        import sys

        AT_IMPORT = sorted(sys.modules)


        def handler(event, context):
            return AT_IMPORT
    """
        },
    )
    modules = set(invoke(module_engine, code, "bootstrap"))
    # What awslambdaric imports up front, costing a cold start tens of milliseconds.
    heavy = {"os", "re", "json", "logging", "traceback", "decimal", "simplejson", "socket", "http", "site", "typing", "enum"}
    assert modules & heavy == set()


def test_logging_is_lambdas_from_the_moment_the_function_imports_it(module_engine, tmp_path, runtime_client):
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
        import logging
        import time

        AT_IMPORT = [repr(h) for h in logging.getLogger().handlers]
        logging.basicConfig(level=logging.DEBUG)  # does nothing: the root logger already has Lambda's handler


        def handler(event, context):
            root = logging.getLogger()
            return {
                "at_import": AT_IMPORT,
                "now": [repr(h) for h in root.handlers],
                "level": root.level,
                "gmtime": logging.Formatter.converter is time.gmtime,
                "has_sink": hasattr(root.handlers[0], "log_sink"),
            }
    """
        },
    )
    assert invoke(module_engine, code, runtime_client) == {
        "at_import": ["<LambdaLoggerHandler (NOTSET)>"],
        "now": ["<LambdaLoggerHandler (NOTSET)>"],
        "level": 30,
        "gmtime": True,
        "has_sink": True,
    }


def test_the_worker_bytecode_is_cached_beside_it(module_engine, tmp_path, monkeypatch):
    # Unsandboxed: there the worker writes its own cache (the sandbox's read-only /var/runtime has it compiled first).
    monkeypatch.setenv(SANDBOX_VARIABLE, "off")
    code = write_code(tmp_path / "code", {"app.py": "def handler(event, context):\n    return 1\n"})
    cache = RUNTIME / "__pycache__"
    for module in RUNTIME_MODULES:
        cached = cache / f"{module}.{sys.implementation.cache_tag}.pyc"
        cached.unlink(missing_ok=True)
    invoke(module_engine, code, "bootstrap", name="cache-probe")  # a new environment compiles and caches them
    for module in RUNTIME_MODULES:
        assert (cache / f"{module}.{sys.implementation.cache_tag}.pyc").is_file(), module
    assert not (code / "__pycache__").exists()  # -B still keeps the function's folder clean


def _spawn(api_address: str, code: Path) -> subprocess.Popen:
    env = {
        "PATH": "/usr/bin:/bin",
        "_HANDLER": "app.handler",
        "LAMBDA_TASK_ROOT": str(code),
        "LAMBDA_RUNTIME_DIR": str(code),
        "AWS_LAMBDA_RUNTIME_API": api_address,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    }
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-B", str(BOOTSTRAP)],
        cwd=code,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_the_worker_leaves_quietly_when_nobody_listens(tmp_path):
    code = write_code(tmp_path / "code", {"app.py": "def handler(event, context):\n    return 1\n"})
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    proc = _spawn(f"127.0.0.1:{port}/token", code)
    output, _ = proc.communicate(timeout=30)
    assert (proc.returncode, output) == (0, b"")


def test_the_worker_leaves_quietly_when_the_console_hangs_up(tmp_path):
    code = write_code(tmp_path / "code", {"app.py": "def handler(event, context):\n    return 1\n"})
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        proc = _spawn(f"127.0.0.1:{listener.getsockname()[1]}/token", code)
        conn, _ = listener.accept()
        request = conn.recv(65536)
        conn.close()  # the console is gone while the worker waits for its next event
    output, _ = proc.communicate(timeout=30)
    assert request.startswith(b"GET /token/2018-06-01/runtime/invocation/next HTTP/1.1\r\n")
    assert (proc.returncode, output) == (0, b"")


def test_the_trace_id_reaches_os_environ_and_child_processes_each_invocation(module_engine, tmp_path, runtime_client):
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
        def handler(event, context):
            import os  # first imported here, after the runtime has set this invocation's trace id
            import subprocess

            child = subprocess.run(["printenv", "_X_AMZN_TRACE_ID"], capture_output=True, text=True).stdout.strip()
            return [os.environ["_X_AMZN_TRACE_ID"], child]
    """
        },
    )
    spec = FunctionSpec(name="trace", code_dir=code, handler="app.handler", runtime_client=runtime_client, timeout=10)
    first, second = (json.loads(module_engine.invoke(spec, b"{}").payload) for _ in range(2))
    assert first[0].startswith("Root=1-") and second[0].startswith("Root=1-")
    assert first[0] == first[1] and second[0] == second[1]
    assert first[0] != second[0]


def test_a_preview_runtime_says_so_in_the_log(module_engine, tmp_path, runtime_client):
    code = write_code(tmp_path / "code", {"app.py": "def handler(event, context):\n    return 1\n"})
    spec = FunctionSpec(
        name="preview",
        code_dir=code,
        handler="app.handler",
        runtime="python3.15",
        runtime_client=runtime_client,
        timeout=10,
    )
    log = module_engine.invoke(spec, b"{}").log
    assert log.startswith("[WARNING]\t")
    assert (
        "Z\t\tLAMBDA_WARNING: This is a preview runtime version and should not be used for production workloads. "
        "For further information and to provide feedback, see "
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html\r\n" in log
    )
