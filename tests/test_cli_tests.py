"""Saved events as tests on the command line: `<name>.expected.json` files in and out, `test --all`, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.test_cli_store import run


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def write_events(folder: Path, files: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in files.items():
        (folder / name).write_text(value if isinstance(value, str) else json.dumps(value, indent=2))
    return folder


def test_events_export_and_import_carry_expected_files(data, tmp_path) -> None:
    source = write_events(tmp_path / "events", {
        "grace.json": {"first_name": "Grace", "last_name": "Hopper"},
        "grace.expected.json": {"response": {"message": "Hello Grace Hopper!"}, "functionError": False,
                                "maxDurationMs": 2500},
        "plain.json": {"first_name": "A", "last_name": "B"},
    })
    proc = run(data, "events", "import", "hello_python", source)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "grace" in proc.stderr.decode() and "grace.expected" not in proc.stderr.decode()
    listed = run(data, "events", "list", "hello_python").stdout.decode().split()
    assert listed == ["ada-lovelace", "grace", "plain"]

    out = tmp_path / "out"
    assert run(data, "events", "export", "hello_python", out).returncode == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "ada-lovelace.json", "grace.expected.json", "grace.json", "plain.json"]
    assert json.loads((out / "grace.expected.json").read_text()) == json.loads(
        (source / "grace.expected.json").read_text())

    # Into another data folder, through a bundle too: the expectation comes along.
    other = tmp_path / "other"
    assert run(other, "events", "import", "hello_python", out, "--replace").returncode == 0
    bundle = run(other, "events", "export", "hello_python", "-", "--bundle").stdout.decode()
    entry = next(item for item in json.loads(bundle)["events"] if item["name"] == "grace")
    assert entry["expected"] == {"response": {"message": "Hello Grace Hopper!"}, "functionError": False,
                                 "maxDurationMs": 2500}


def test_a_bad_or_lonely_expected_file_imports_nothing(data, tmp_path) -> None:
    source = write_events(tmp_path / "events", {
        "one.json": {"first_name": "A", "last_name": "B"},
        "one.expected.json": {"statusCode": 200},
        "two.expected.json": {"response": {}},
    })
    proc = run(data, "events", "import", "hello_python", source)
    assert proc.returncode == 2
    message = proc.stderr.decode()
    assert "one.expected.json: unknown key 'statusCode'" in message
    assert "two.expected.json: no two.json beside it" in message
    assert run(data, "events", "list", "hello_python").stdout.decode().split() == ["ada-lovelace"]


def test_test_all_prints_each_event_the_diffs_and_the_count_and_exits_1_on_a_failure(data, tmp_path) -> None:
    write_events(tmp_path / "hello", {
        "ada-lovelace.json": {"first_name": "Ada", "last_name": "Lovelace"},
        "ada-lovelace.expected.json": {"response": {"message": "Hello Ada Lovelace!"}},
        "grace.json": {"first_name": "Grace", "last_name": "Hopper"},
        "grace.expected.json": {"response": {"message": "Hello Grace!"}},
    })
    write_events(tmp_path / "raise", {
        "zero-quantity.json": {"quantity": 0},
        "zero-quantity.expected.json": {"response": {"errorType": "ValueError"}, "functionError": True},
    })
    assert run(data, "events", "import", "hello_python", tmp_path / "hello", "--replace").returncode == 0
    assert run(data, "events", "import", "raise_error", tmp_path / "raise", "--replace").returncode == 0

    report = tmp_path / "report.xml"
    proc = run(data, "test", "--all", "--junit", report)
    assert proc.returncode == 1, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [
        ["PASS", "hello_python/ada-lovelace"], ["FAIL", "hello_python/grace"], ["PASS", "raise_error/zero-quantity"]]
    assert lines[0].endswith(" ms")
    assert "--- hello_python/grace" in lines
    assert '    changed  $.message: expected "Hello Grace!", got "Hello Grace Hopper!"' in lines
    assert lines[-1] == "2 passed, 1 failed"

    # JUnit XML in the shape CI systems read: testsuites > testsuite (per function) > testcase (per event).
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "0")
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {"hello_python", "raise_error"}
    hello = suites["hello_python"]
    assert (hello.get("tests"), hello.get("failures"), hello.get("errors"), hello.get("skipped")) == ("2", "1", "0", "0")
    for suite in suites.values():
        assert float(suite.get("time")) >= 0 and suite.get("timestamp")
        for case in suite.findall("testcase"):
            assert case.get("classname") == suite.get("name") and float(case.get("time")) >= 0
    cases = {case.get("name"): case for case in hello.findall("testcase")}
    assert cases["ada-lovelace"].find("failure") is None
    failure = cases["grace"].find("failure")
    assert failure.get("message") == 'changed  $.message: expected "Hello Grace!", got "Hello Grace Hopper!"'
    assert failure.get("type") and "$.message" in failure.text

    # Only the named function: all pass, exit 0.
    proc = run(data, "test", "--all", "raise_error")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert proc.stdout.decode().splitlines()[-1] == "1 passed, 0 failed"
    # The function list shows each function's last test run.
    listed = {row["name"]: row for row in json.loads(run(data, "functions", "--json").stdout)}
    assert listed["raise_error"]["last_test_run"]["passed"] == 1
    assert listed["hello_python"]["last_test_run"]["failed"] == 1


def test_test_all_refuses_what_it_cannot_run(data, tmp_path) -> None:
    proc = run(data, "test", "--all", "no-such-function")
    assert proc.returncode == 2 and "no-such-function: no such function" in proc.stderr.decode()
    proc = run(data, "test", "hello_python", "--junit", tmp_path / "r.xml")
    assert proc.returncode == 2 and "--junit: only with --all" in proc.stderr.decode()
    proc = run(data, "test", "--all", "--junit", tmp_path)
    assert proc.returncode == 2 and "a folder" in proc.stderr.decode()
    # A data folder where nothing has an expectation: nothing to fail, and it says so.
    proc = run(data, "test", "--all")
    assert proc.returncode == 0 and proc.stdout.decode().splitlines()[-1] == "0 passed, 0 failed"
    assert "nothing was tested" in proc.stderr.decode()
    # One function without --all still runs as the Test button does.
    assert run(data, "test", "hello_python", "--event", "ada-lovelace").returncode == 0
