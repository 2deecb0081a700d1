"""`invoke --runtime` and `test` run on the runtime's Python where installed, and say on stderr when they did not;
stdout stays the payload alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.engine.interpreters import find

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"
SOURCE = "import sys\n\ndef handler(event, context):\n    return list(sys.version_info[:2])\n"


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", *map(str, args)], capture_output=True, timeout=120,
                          check=False, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "app.py").write_text(SOURCE)
    return folder


def test_invoke_runs_on_the_runtimes_python(code: Path):
    python = next((found for runtime in ("python3.12", "python3.13", "python3.10", "python3.9") if runtime != OWN
                   for found in [find(runtime)[0]] if found is not None), None)
    if python is None:
        pytest.skip("no Python besides the console's own is installed (pyenv or uv): install one for this test")
    proc = run("invoke", code, "--handler", "app.handler", "--runtime", python.runtime)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == list(python.version[:2])
    assert b"Note:" not in proc.stderr


def test_invoke_says_on_stderr_when_the_consoles_python_ran_it(code: Path, tmp_path: Path):
    runtime = "python3.12" if OWN != "python3.12" else "python3.13"
    missing = tmp_path / "no-such-python"
    proc = run("invoke", code, "--handler", "app.handler", "--runtime", runtime,
               env={"LAMBDA_CONSOLE_INTERPRETERS": f"{runtime}={missing}"})
    assert proc.returncode == 0, proc.stderr
    version = list(sys.version_info[:2])
    assert proc.stdout == json.dumps(version).encode() + b"\n"  # the payload only, as Lambda returns it
    last = proc.stderr.decode().rstrip("\n").splitlines()[-1]
    assert last == (f"Note: ran on Python {OWN[6:]}; the function's runtime is {runtime} (the configured interpreter: "
                    f"{missing} does not exist: give the path of a Python interpreter.).")


def test_invoke_refuses_a_malformed_interpreter_mapping(code: Path):
    proc = run("invoke", code, "--handler", "app.handler", env={"LAMBDA_CONSOLE_INTERPRETERS": "python3.12"})
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().strip() == (
        "Error: LAMBDA_CONSOLE_INTERPRETERS: 'python3.12' is not runtime=path: write python3.12=/usr/bin/python3.12, "
        "several separated by commas.")


def test_test_says_a_deprecated_runtime_ran_on_the_consoles_python(code: Path, tmp_path: Path):
    data = tmp_path / "data"
    from console.config import Config
    from console.core.console import Console
    from tests.zips import zip_bytes

    with Console(Config(data_dir=data, load_samples=False)) as console:
        console.create_function("old", zip_bytes({"app.py": SOURCE}), "app.handler", runtime="python3.6")
    proc = run("--data-dir", data, "test", "old")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == list(sys.version_info[:2])
    assert f"Note: ran on Python {OWN[6:]}; the function's runtime is python3.6 (" in proc.stderr.decode()
    listing = run("--data-dir", data, "functions").stdout.decode().splitlines()
    assert listing[1].split()[:4] == ["old", "app.handler", "python3.6", "(deprecated)"]
    listed = json.loads(run("--data-dir", data, "functions", "--json").stdout)
    assert listed[0]["runtime"] == "python3.6" and listed[0]["runtime_deprecated_since"] == "2022-07-18"
