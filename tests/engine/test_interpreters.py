"""Functions run on their runtime's Python: found on the PATH, in uv's or pyenv's folders, or named in the config,
else on the console's own with a note saying so. Real interpreters (pyenv's, on this machine), real workers."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from console.engine import FunctionSpec
from console.engine.interpreters import (
    Interpreter,
    InterpreterError,
    Interpreters,
    check_interpreter,
    check_mapping,
    find,
    parse_mapping,
)
from tests.engine.conftest import body

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"
REPORT_VERSION = """
import sys
def handler(event, context):
    return {"version": list(sys.version_info[:2]), "executable": sys.executable}
"""


def installed(*runtimes: str) -> Interpreter | None:
    """The first of `runtimes` with an interpreter of its own here (not the console's)."""
    for runtime in runtimes:
        if runtime == OWN:
            continue
        found, _ = find(runtime)
        if found is not None:
            return found
    return None


# Another Python than the console's, on which our runtime client runs (pyenv's on this machine and in CI).
OTHER = installed("python3.12", "python3.13", "python3.10", "python3.9")
needs_other = pytest.mark.skipif(OTHER is None, reason="no Python 3.9-3.13 besides the console's own is installed "
                                 "(on the PATH, uv's or pyenv's): install one with pyenv or uv to run this test")


def spec_for(make_function, runtime: str, interpreters: Interpreters | None = None, source: str = REPORT_VERSION,
             client: str = "bootstrap") -> FunctionSpec:
    choice = (interpreters or Interpreters()).choose(runtime, client)
    return make_function(source, runtime=runtime, runtime_client=client, interpreter=choice.interpreter,
                         interpreter_note=choice.note)


@needs_other
@pytest.mark.parametrize("sandbox", ["sandboxed", "no_sandbox"])
def test_a_function_runs_on_its_runtimes_python(request, engine, make_function, sandbox):
    if sandbox == "no_sandbox":
        request.getfixturevalue("no_sandbox")
    assert OTHER is not None
    spec = spec_for(make_function, OTHER.runtime)
    result = engine.invoke(spec)
    assert result.succeeded, result.log
    assert body(result)["version"] == list(OTHER.version[:2])
    assert os.path.realpath(body(result)["executable"]) == os.path.realpath(OTHER.path)
    assert result.ran_on == OTHER.runtime
    assert result.interpreter_note == ""  # it ran on its own runtime: nothing to say


@pytest.mark.parametrize("runtime", ["python3.9", "python3.12"])
def test_the_runtime_libraries_are_those_that_python_can_import(engine, make_function, runtime):
    python = installed(runtime)
    if python is None:
        pytest.skip(f"no {runtime} besides the console's own is installed (pyenv install or uv python install)")
    source = """
import importlib
def handler(event, context):
    found = {}
    for name in ("boto3", "simplejson", "flask"):
        try:
            found[name] = importlib.import_module(name).__name__ and "importable"
        except ImportError as exc:
            found[name] = type(exc).__name__
    return found
"""
    result = engine.invoke(spec_for(make_function, runtime, source=source))
    found = body(result)
    assert found["flask"] == "ModuleNotFoundError"  # nothing of the console's own beyond Lambda's libraries
    # boto3 requires Python 3.10: a worker on an older Python does not get a copy that fails inside its import.
    assert found["boto3"] == ("importable" if python.version[:2] >= (3, 10) else "ModuleNotFoundError")
    assert found["simplejson"] == "importable"


def test_deprecated_runtimes_older_than_the_runtime_client_run_on_the_consoles_python(engine, make_function):
    spec = spec_for(make_function, "python3.6")
    result = engine.invoke(spec)
    assert result.succeeded
    assert body(result)["version"] == list(sys.version_info[:2])
    assert result.ran_on == OWN
    note = result.interpreter_note
    assert note.startswith(f"ran on Python {OWN[6:]}; the function's runtime is python3.6 (")
    python36, _ = find("python3.6")
    if python36 is not None:  # installed here: the note says why it was not used
        assert f"{python36.path} is installed, but the console's runtime client needs Python 3.8 or newer" in note


python38 = installed("python3.8")


@pytest.mark.skipif(python38 is None, reason="no python3.8 installed (pyenv install 3.8) to run the runtime client on")
def test_the_runtime_client_runs_on_python38(engine, make_function):
    source = """
import sys
def handler(event, context):
    if event.get("fail"):
        raise ValueError("no " + context.function_name)
    return {"version": list(sys.version_info[:2]), "left": context.get_remaining_time_in_millis() > 0}
"""
    spec = spec_for(make_function, "python3.8", source=source)
    assert spec.interpreter is not None and spec.interpreter.runtime == "python3.8"
    result = engine.invoke(spec)
    assert body(result) == {"version": [3, 8], "left": True}
    failed = engine.invoke(spec, b'{"fail": true}')
    assert body(failed)["errorType"] == "ValueError" and body(failed)["errorMessage"] == f"no {spec.name}"
    assert body(failed)["stackTrace"][0].endswith('raise ValueError("no " + context.function_name)\n')


def test_a_runtime_with_no_interpreter_here_runs_on_the_consoles_own_and_says_so(engine, make_function,
                                                                                 tmp_path: Path):
    # Nothing on the PATH, and empty uv and pyenv folders: python3.12 (or any) is not installed as far as it looks.
    empty = {"PATH": str(tmp_path / "bin"), "UV_PYTHON_INSTALL_DIR": str(tmp_path / "uv"),
             "PYENV_ROOT": str(tmp_path / "pyenv")}
    runtime = "python3.12" if OWN != "python3.12" else "python3.13"
    spec = spec_for(make_function, runtime, Interpreters(environ=empty))
    result = engine.invoke(spec)
    assert body(result)["version"] == list(sys.version_info[:2])
    assert result.ran_on == OWN
    assert result.interpreter_note == (
        f"ran on Python {OWN[6:]}; the function's runtime is {runtime} (no {runtime} found on the PATH, in uv's or "
        "pyenv's interpreters, or in the config's interpreters)"
    )


def test_awslambdaric_runs_on_the_consoles_python(engine, make_function):
    pytest.importorskip("awslambdaric")
    runtime = "python3.12" if OWN != "python3.12" else "python3.13"
    result = engine.invoke(spec_for(make_function, runtime, client="awslambdaric"))
    assert body(result)["version"] == list(sys.version_info[:2])
    assert "the awslambdaric runtime client is installed in the console's own environment only" in \
        result.interpreter_note


@needs_other
def test_uv_and_the_config_name_interpreters_too(tmp_path: Path):
    assert OTHER is not None
    major, minor = OTHER.version[:2]
    # uv's layout: <uv python dir>/cpython-3.X.Y-<platform>/bin/python3.X
    uv_bin = tmp_path / "uv" / f"cpython-{major}.{minor}.{OTHER.version[2]}-linux-x86_64-gnu" / "bin"
    uv_bin.mkdir(parents=True)
    (uv_bin / OTHER.runtime).symlink_to(OTHER.path)
    environ = {"PATH": "", "UV_PYTHON_INSTALL_DIR": str(tmp_path / "uv"), "PYENV_ROOT": str(tmp_path / "none")}
    choice = Interpreters(environ=environ).choose(OTHER.runtime)
    assert choice.interpreter.source == "uv" and choice.interpreter.version == OTHER.version and choice.note == ""
    configured = Interpreters({OTHER.runtime: OTHER.path}, environ={"PATH": ""}).choose(OTHER.runtime)
    assert configured.interpreter.source == "config" and configured.interpreter.path == OTHER.path


@needs_other
def test_a_configured_interpreter_that_stopped_working_is_said_not_replaced(tmp_path: Path):
    assert OTHER is not None
    gone = str(tmp_path / "python-removed")
    choice = Interpreters({OTHER.runtime: gone}).choose(OTHER.runtime)
    assert choice.interpreter.runtime == OWN
    assert choice.note == (f"ran on Python {OWN[6:]}; the function's runtime is {OTHER.runtime} (the configured "
                           f"interpreter: {gone} does not exist: give the path of a Python interpreter.)")


def test_the_interpreter_is_part_of_the_key(tmp_path: Path):
    one = FunctionSpec(name="f", code_dir=tmp_path, handler="app.handler")
    other = FunctionSpec(name="f", code_dir=tmp_path, handler="app.handler",
                         interpreter=Interpreter("/opt/python3.12", (3, 12, 1), "config"))
    assert one.key != other.key  # a new interpreter retires the environments of the old


# -- the config's mapping ------------------------------------------------------------------------------------------


def test_the_mapping_is_text_or_an_object_of_runtime_names():
    assert parse_mapping("python3.12=/a/python3.12, python3.9=/b/python3.9") == {
        "python3.12": "/a/python3.12", "python3.9": "/b/python3.9"}
    assert parse_mapping({"python3.13": "/c"}) == {"python3.13": "/c"}
    with pytest.raises(InterpreterError, match="'python3.12' is not runtime=path: write python3.12=/usr/bin"):
        parse_mapping("python3.12")
    with pytest.raises(InterpreterError, match="'node20' is not a Python runtime name: write python3.X"):
        parse_mapping({"node20": "/usr/bin/node"})
    with pytest.raises(InterpreterError, match="python3.12 is named twice"):
        parse_mapping("python3.12=/a,python3.12=/b")
    with pytest.raises(InterpreterError, match="give a JSON object"):
        parse_mapping(["python3.12"])


def test_bad_paths_in_the_mapping_say_what_is_wrong(tmp_path: Path):
    missing = tmp_path / "missing"
    with pytest.raises(InterpreterError, match=f"python3.12: {missing} does not exist"):
        check_mapping({"python3.12": str(missing)})
    with pytest.raises(InterpreterError, match=f"{tmp_path} is not a file: give the path of a Python interpreter"):
        check_mapping({"python3.12": str(tmp_path)})
    plain = tmp_path / "python3.12"
    plain.write_text("#!/bin/sh\necho hello\n")
    with pytest.raises(InterpreterError, match=f"{plain} is not executable"):
        check_mapping({"python3.12": str(plain)})
    plain.chmod(plain.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(InterpreterError, match=f"{plain} is not a Python interpreter: asked its version, it exited "
                                               "with status 0: hello"):
        check_mapping({"python3.12": str(plain)})
    other = "python3.13" if OWN != "python3.13" else "python3.12"
    with pytest.raises(InterpreterError, match=rf"{sys.executable} is Python {OWN[6:]}\.\d+, not {other}: name a "
                                               f"{other} interpreter"):
        check_mapping({other: sys.executable})


def test_an_interpreter_is_started_once_until_its_file_changes(tmp_path: Path):
    runs = tmp_path / "runs.log"
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{runs}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    first = check_interpreter(OWN, str(wrapper))
    again = check_interpreter(OWN, str(wrapper))
    assert first == again and first.version[:2] == sys.version_info[:2]
    assert runs.read_text().count("run") == 1  # the second answer came from the cache
    wrapper.write_text(wrapper.read_text() + "# changed\n")  # a new file (an upgrade): asked again
    os.utime(wrapper, ns=(0, 10**18))
    check_interpreter(OWN, str(wrapper))
    assert runs.read_text().count("run") == 2


# The console's own Python runs every other test of the engine.
@pytest.mark.parametrize("runtime", [f"python3.{minor}" for minor in range(8, 15) if f"python3.{minor}" != OWN])
def test_the_runtime_client_answers_alike_on_every_installed_python(engine, make_function, runtime):
    """The same handler on each Python Lambda supports that is installed: its context, its output and log records, its
    result and its errors, as the console's own Python gives them."""
    python = installed(runtime)
    if python is None:
        pytest.skip(f"{runtime} is not installed here besides the console's own (pyenv install or uv python install)")
    source = """
import logging
def handler(event, context):
    print("printed é")
    logging.getLogger().warning("warned %s", context.function_name)
    if event.get("fail"):
        raise KeyError("missing")
    return {"name": context.function_name, "memory": context.memory_limit_in_mb, "text": "é",
            "left": context.get_remaining_time_in_millis() > 0, "request": context.aws_request_id}
"""
    spec = spec_for(make_function, runtime, source=source)
    result = engine.invoke(spec, request_id="req-1")
    assert body(result) == {"name": spec.name, "memory": "128", "text": "é", "left": True, "request": "req-1"}
    assert "printed é\n" in result.log
    assert "[WARNING]\t" in result.log and f"\treq-1\twarned {spec.name}\n" in result.log
    failed = engine.invoke(spec, b'{"fail": true}')
    assert body(failed)["errorType"] == "KeyError" and body(failed)["errorMessage"] == "'missing'"
    assert result.ran_on == runtime and failed.ran_on == runtime
