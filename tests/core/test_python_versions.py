"""The Console runs each function on its runtime's Python where one is installed, records which Python ran it, and
marks Lambda's deprecated runtimes. Real interpreters (pyenv's here), real workers, a real SQLite file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from console.config import Config, ConfigError, load_config
from console.core.console import Console
from console.core.function_rules import deprecated_since
from console.engine.interpreters import find
from tests.zips import zip_bytes

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"
VERSION_ZIP = zip_bytes({"app.py": "import sys\n\ndef handler(event, context):\n    return list(sys.version_info[:2])\n"})


def other_python():
    for runtime in ("python3.12", "python3.13", "python3.10", "python3.9"):
        if runtime != OWN:
            found, _ = find(runtime)
            if found is not None:
                return found
    pytest.skip("no Python 3.9-3.13 besides the console's own is installed (pyenv or uv): install one for this test")


@pytest.fixture
def console(tmp_path: Path):
    with Console(Config(data_dir=tmp_path, load_samples=False)) as console:
        yield console


def test_a_function_runs_on_its_runtimes_python_and_the_history_says_which(console):
    python = other_python()
    console.create_function("versioned", VERSION_ZIP, "app.handler", runtime=python.runtime)
    record = console.invoke("versioned")
    assert json.loads(record.payload) == list(python.version[:2])
    assert record.ran_on == python.runtime and record.interpreter_note == ""
    kept = console.get_invocation(record.id)
    assert kept.ran_on == python.runtime
    choice = console.interpreter_for(console.get_function("versioned"))
    assert choice.interpreter.path == python.path and choice.note == ""


def test_a_configured_interpreter_that_is_gone_runs_on_the_consoles_own_and_every_record_says_so(tmp_path: Path):
    runtime = "python3.12" if OWN != "python3.12" else "python3.13"
    gone = tmp_path / "removed" / "python"
    config = Config(data_dir=tmp_path / "data", load_samples=False, interpreters=((runtime, str(gone)),))
    with Console(config) as console:
        console.create_function("fallback", VERSION_ZIP, "app.handler", runtime=runtime)
        record = console.invoke("fallback")
        assert json.loads(record.payload) == list(sys.version_info[:2])
        expected = (f"ran on Python {OWN[6:]}; the function's runtime is {runtime} (the configured interpreter: "
                    f"{gone} does not exist: give the path of a Python interpreter.)")
        assert record.ran_on == OWN and record.interpreter_note == expected
        assert console.list_invocations("fallback")[0].interpreter_note == expected


def test_the_config_file_and_the_environment_name_interpreters_checked_at_start(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"interpreters": {"python3.12": str(tmp_path / "nope")}}))
    with pytest.raises(ConfigError, match=r"config\.json: interpreters: python3\.12: .*nope does not exist"):
        load_config(data, environ={})
    (data / "config.json").write_text(json.dumps({"interpreters": {OWN: sys.executable}}))
    assert load_config(data, environ={}).interpreter_mapping == {OWN: sys.executable}
    other = "python3.13" if OWN != "python3.13" else "python3.12"
    with pytest.raises(ConfigError, match=rf"LAMBDA_CONSOLE_INTERPRETERS: interpreters: {other}: .* is Python "
                                          rf"{OWN[6:]}\.\d+, not {other}"):
        load_config(data, environ={"LAMBDA_CONSOLE_INTERPRETERS": f"{other}={sys.executable}"})
    with pytest.raises(ConfigError, match="interpreters: 'python3.12' is not runtime=path"):
        load_config(data, environ={"LAMBDA_CONSOLE_INTERPRETERS": "python3.12"})


def test_deprecated_runtimes_are_known_by_lambdas_dates(console):
    assert deprecated_since("python3.6", today="2026-11-30") == "2022-07-18"
    assert deprecated_since("python3.9", today="2026-11-30") == "2025-12-15"
    assert deprecated_since("python3.9", today="2025-12-14") is None
    assert deprecated_since("python3.12", today="2026-11-30") is None
    old = console.create_function("old", VERSION_ZIP, "app.handler", runtime="python3.7")
    assert old.deprecated_since == "2023-12-04"
    assert console.invoke("old").succeeded  # accepted and run, as an old account's functions are
