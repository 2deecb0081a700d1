"""The pytest plugin as a user's suite uses it: a real `python -m pytest` in a subprocess over a real data folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console

SAM_PROJECTS = Path(__file__).parent / "sam_projects"

SUITE = '''
def test_a_success(lambda_console):
    result = lambda_console.invoke("hello_python", {"first_name": "Ada", "last_name": "Lovelace"})
    assert result.function_error is None
    assert result.payload == {"message": "Hello Ada Lovelace!"}
    assert result.raw == b'{"message": "Hello Ada Lovelace!"}'
    assert "REPORT RequestId" in result.log and result.duration_ms > 0


def test_a_failure(lambda_console):
    result = lambda_console.invoke("raise_error", {"quantity": 0})
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "ValueError"


def test_warm_environments_are_reused_across_tests(lambda_console):
    for _ in range(20):
        assert lambda_console.invoke("hello_python", {"first_name": "A", "last_name": "B"}).function_error is None
    environments = [env for env in lambda_console.console.engine.environments() if env.function == "hello_python"]
    assert len(environments) == 1 and environments[0].invocations == 21


def test_a_wrong_answer(lambda_console):
    assert lambda_console.invoke("hello_python", {"first_name": "A", "last_name": "B"}).payload == {"message": "no"}
'''


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with Console(load_config(folder)) as console:
        console.set_expectation("hello_python", "ada-lovelace", '{"message": "Hello Ada Lovelace!"}', "success")
        console.save_event("hello_python", "grace", '{"first_name": "Grace", "last_name": "Hopper"}')
        console.set_expectation("hello_python", "grace", '{"message": "Hello Grace!"}')
    return folder


def pytest_run(folder: Path, *args: str | Path, autoload: bool = False) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "LAMBDA_CONSOLE_"))}
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    plugin = [] if autoload else ["-p", "console.pytest_plugin"]
    return subprocess.run([sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider", *map(str, args)],
                          cwd=folder, capture_output=True, timeout=300, check=False, env=env)


def test_a_suite_using_the_fixture_and_the_saved_events(data, tmp_path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_handlers.py").write_text(textwrap.dedent(SUITE))
    report = tmp_path / "report.xml"
    proc = pytest_run(suite, "--lambda-console-data-dir", data, "--lambda-console-saved-events",
                      f"--junitxml={report}", "-q")
    output = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 1, output  # some tests failed
    outcomes = {case.get("name"): "failed" if case.find("failure") is not None else "passed"
                for case in ET.parse(report).getroot().iter("testcase")}
    assert outcomes == {
        "test_a_success": "passed", "test_a_failure": "passed", "test_warm_environments_are_reused_across_tests":
        "passed", "test_a_wrong_answer": "failed",
        # One test per saved event with an expectation.
        "hello_python/ada-lovelace": "passed", "hello_python/grace": "failed",
    }
    assert "hello_python/grace did not produce its expected result" in output
    assert 'changed  $.message: expected "Hello Grace!", got "Hello Grace Hopper!"' in output
    assert "2 failed, 4 passed" in output


def test_the_entry_point_loads_the_plugin(data, tmp_path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_one.py").write_text(textwrap.dedent(SUITE))
    proc = pytest_run(suite, "--lambda-console-data-dir", data, "-k", "test_a_success", "-q", autoload=True)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert "1 passed" in proc.stdout.decode()


TEMPLATE_SUITE = '''
import json


def test_the_templates_function_by_its_logical_id(lambda_console):
    result = lambda_console.invoke("HelloWorldFunction", {"path": "/hello", "httpMethod": "GET"})
    assert result.function_error is None
    body = json.loads(result.payload["body"])
    assert body == {"message": "hello world", "path": "/hello", "method": "GET", "function": "HelloWorldFunction"}
'''


def test_functions_from_a_sam_template_with_the_projects_events_as_tests(tmp_path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SAM_PROJECTS / "hello_world_api", project)
    # The project's event with an expected result beside it, as `events export` writes them.
    (project / "events" / "event.expected.json").write_text(json.dumps({"response": {"statusCode": 200}}))
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_template.py").write_text(textwrap.dedent(TEMPLATE_SUITE))
    proc = pytest_run(suite, "--lambda-console-template", project / "template.yaml", "--lambda-console-saved-events",
                      "-v", autoload=True)
    output = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 0, output
    assert "test_the_templates_function_by_its_logical_id PASSED" in output
    assert "HelloWorldFunction/event PASSED" in output
    assert "2 passed" in output


def test_a_template_that_cannot_be_read_stops_the_session_with_its_line(tmp_path) -> None:
    (tmp_path / "template.yaml").write_text("Resources:\n  Fn: [unclosed\n")
    proc = pytest_run(tmp_path, "--lambda-console-template", "template.yaml", "-q", autoload=True)
    assert proc.returncode == 4
    assert "--lambda-console-template" in proc.stderr.decode() and "line" in proc.stderr.decode()


def test_importing_the_plugin_loads_nothing_of_the_console_and_a_run_without_the_fixture_makes_no_console(
        tmp_path) -> None:
    probe = ("import sys, console.pytest_plugin; "
             "print(sorted(m for m in sys.modules if m.startswith(('console.core', 'console.engine', 'flask'))))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=60, check=True)
    assert proc.stdout.decode().strip() == "[]"
    suite = tmp_path / "plain"
    suite.mkdir()
    (suite / "test_plain.py").write_text("def test_nothing():\n    assert True\n")
    data = tmp_path / "untouched"
    proc = pytest_run(suite, "--lambda-console-data-dir", data, "-q", autoload=True)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert not data.exists()  # no Console, no database, no workers
