"""A fault of the console itself (here: a function row that another program damaged in the database) is logged with
its traceback in the console's own log, under `lambda_console.*`, while the person gets a page, the API client an
AWS-shaped error and the command line one line: never the traceback."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from console import EXTENSION
from console.config import load_config
from console.core.console import Console
from tests.conftest import LiveServer

TRACEBACK = "Traceback (most recent call last)"


def damage(data_dir: Path, function: str = "hello_python") -> None:
    """Write a row the console cannot read, as a stray tool editing the database could."""
    conn = sqlite3.connect(data_dir / "lambda-console.sqlite3", timeout=30)
    with conn:
        conn.execute("UPDATE functions SET environment = '{not json' WHERE name = ?", (function,))
    conn.close()


def logged(caplog: pytest.LogCaptureFixture, logger: str) -> logging.LogRecord:
    records = [record for record in caplog.records if record.name == logger]
    assert records, f"nothing logged by {logger}: {[record.name for record in caplog.records]}"
    assert records[-1].exc_info is not None and records[-1].exc_info[0] is json.JSONDecodeError
    return records[-1]


def test_web_pages_and_json_twins_log_the_traceback_and_show_none(app, client, caplog) -> None:
    damage(app.extensions[EXTENSION].config.data_dir)
    caplog.set_level(logging.ERROR, logger="lambda_console")
    page = client.get("/functions/hello_python")
    assert page.status_code == 500
    html = page.get_data(as_text=True)
    assert "The console could not finish this request" in html and TRACEBACK not in html and "File \"" not in html
    logged(caplog, "lambda_console.web")
    twin = client.get("/functions/hello_python.json")
    assert twin.status_code == 500 and TRACEBACK not in twin.get_data(as_text=True)
    assert "The console could not finish this request" in twin.get_json()["error"]


def test_the_api_answers_in_aws_shape_and_logs_the_traceback(app, client, caplog) -> None:
    damage(app.extensions[EXTENSION].config.data_dir)
    caplog.set_level(logging.ERROR, logger="lambda_console")
    answer = client.get("/2015-03-31/functions/hello_python")
    assert answer.status_code == 400
    error = answer.get_json()
    assert error["__type"] == answer.headers["x-amzn-ErrorType"] == "ServiceException"
    assert error["message"].startswith("lambda-console could not do this (console error): JSONDecodeError")
    assert TRACEBACK not in answer.get_data(as_text=True)
    record = logged(caplog, "lambda_console.api")
    assert record.getMessage() == "Lambda API: GET /2015-03-31/functions/hello_python failed"


def test_a_background_job_that_fails_logs_the_traceback(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="lambda_console")
    with Console(load_config(tmp_path / "data")) as console:
        damage(console.config.data_dir)
        job = console.jobs.start("hello_python", b"{}", source="console")
        assert job.done.wait(30)
        assert job.record is None and "Expecting property name" in job.error
        record = logged(caplog, "lambda_console.jobs")
        assert record.getMessage() == f"job {job.id} (console of hello_python) failed"


def test_the_command_line_prints_one_line_and_writes_the_traceback_to_its_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Console(load_config(data)):
        pass  # a data folder with the samples
    damage(data)
    temp = tmp_path / "temp"
    temp.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(data), "test", "hello_python"],
        check=False, capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(temp)},
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: the console could not run the function: JSONDecodeError: ")
    log_file = Path(lines[0].rsplit("(details in ", 1)[1].rstrip(")"))
    assert log_file.parent == temp
    log = log_file.read_text()
    assert "ERROR lambda_console.cli: lambda-console test failed" in log
    assert TRACEBACK in log and "json.decoder.JSONDecodeError" in log


def test_serve_writes_the_traceback_to_its_stderr_and_the_client_sees_none(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data")
    try:
        damage(server.data_dir)
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"{server.url}/2015-03-31/functions/hello_python", timeout=30)
        body = answer.value.read().decode()
        assert answer.value.code == 400 and json.loads(body)["__type"] == "ServiceException"
        assert TRACEBACK not in body
    finally:
        server.stop()
    stderr = server.process.stderr.read().decode()
    assert "ERROR lambda_console.api: Lambda API: GET /2015-03-31/functions/hello_python failed" in stderr
    assert TRACEBACK in stderr and "json.decoder.JSONDecodeError" in stderr
