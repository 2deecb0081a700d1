"""The command line over a data folder: functions, test, events list/export/import, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(data: Path, *args: str | Path, stdin: bytes = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(data), *map(str, args)],
        input=stdin, capture_output=True, timeout=120, check=False, env=env,
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_a_new_data_folder_lists_the_samples(data):
    proc = run(data, "functions")
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert lines[0].split() == ["NAME", "HANDLER", "RUNTIME", "MEMORY", "TIMEOUT", "LAST", "RESULT"]
    hello = next(line for line in lines if line.startswith("hello_python "))
    assert "hello_python.my_handler" in hello and "never invoked" in hello
    assert (data / "lambda-console.sqlite3").is_file()


def test_the_data_folder_can_come_from_the_environment(tmp_path):
    import os

    folder = tmp_path / "elsewhere"
    env = {**os.environ, "LAMBDA_CONSOLE_DATA": str(folder)}
    proc = subprocess.run([sys.executable, "-m", "console", "functions", "--json"], capture_output=True,
                          timeout=120, check=False, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "hello_python" in [row["name"] for row in json.loads(proc.stdout)]
    assert (folder / "lambda-console.sqlite3").is_file()


def test_test_runs_a_saved_event_and_records_it(data):
    proc = run(data, "test", "hello_python", "--event", "ada-lovelace")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == b'{"message": "Hello Ada Lovelace!"}\n'
    assert proc.stderr.decode().splitlines()[0].startswith("START RequestId: ")
    listed = json.loads(run(data, "functions", "--json").stdout)
    hello = next(row for row in listed if row["name"] == "hello_python")
    assert hello["last_result"] == "succeeded"

    from console.config import load_config
    from console.core.console import Console

    with Console(load_config(data)) as console:
        entries = console.history.for_function("hello_python")
    assert [(e.source, e.succeeded) for e in entries] == [("cli", True)]


def test_test_with_an_event_file_and_a_failing_function(data, tmp_path):
    event = tmp_path / "zero.json"
    event.write_text('{"quantity": 0}')
    proc = run(data, "test", "raise_error", "--event-file", event)
    assert proc.returncode == 1
    error = json.loads(proc.stdout)
    assert error["errorType"] == "ValueError"
    proc = run(data, "test", "hello_python", "--event-file", "-", stdin=b'{"first_name": "A", "last_name": "B"}')
    assert proc.stdout == b'{"message": "Hello A B!"}\n'


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["test", "nope"], "nope: no such function. See 'lambda-console functions' for the functions there are."),
        (["test", "hello_python", "--event", "nope"],
         "--event nope: hello_python has no saved event of that name (it has: ada-lovelace)."),
        (["test", "hello_python", "--version", "7"],
         "hello_python:7: no such function. See 'lambda-console functions' for the functions there are."),
        (["events", "export", "nope", "x"],
         "nope: no such function. See 'lambda-console functions' for the functions there are."),
    ],
)
def test_mistakes_get_one_line(data, args, expected):
    proc = run(data, *args)
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"Error: {expected}\n"


def test_events_export_and_import_a_folder(data, tmp_path):
    folder = tmp_path / "events"
    proc = run(data, "events", "export", "raise_error", folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(p.name for p in folder.iterdir()) == ["too-many.json", "valid-order.json", "zero-quantity.json"]
    assert json.loads((folder / "valid-order.json").read_text()) == {"quantity": 3}
    proc = run(data, "events", "import", "hello_python", folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert run(data, "events", "list", "hello_python").stdout.decode().split() == [
        "ada-lovelace", "too-many", "valid-order", "zero-quantity"]
    clash = run(data, "events", "import", "hello_python", folder)
    assert clash.returncode == 2 and b"valid-order" in clash.stderr
    assert run(data, "events", "import", "hello_python", folder, "--replace").returncode == 0


def test_events_bundle_round_trip_through_stdout_and_stdin(data):
    bundle = run(data, "events", "export", "raise_error", "-", "--bundle")
    assert bundle.returncode == 0
    document = json.loads(bundle.stdout)
    assert [event["name"] for event in document["events"]] == ["too-many", "valid-order", "zero-quantity"]
    proc = run(data, "events", "import", "return_none", "-", stdin=bundle.stdout)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "valid-order" in run(data, "events", "list", "return_none").stdout.decode().split()


def test_an_import_with_a_bad_file_imports_nothing(data, tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "good.json").write_text("{}")
    (folder / "bad.json").write_text('{\n  "a": 1,\n  "b" 2\n}')
    proc = run(data, "events", "import", "hello_python", folder)
    assert proc.returncode == 2
    message = proc.stderr.decode()
    assert "bad.json" in message and "line 3, column 7" in message
    assert run(data, "events", "list", "hello_python").stdout.decode().split() == ["ada-lovelace"]
