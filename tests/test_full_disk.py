"""A full disk, for real (a small tmpfs filled up): the web Test, the REST API's Invoke and the command line's `test`
still give the result they could not keep, and say that it was not kept."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.filesystems import fill, tmpfs

ANSWER = "x" * 300_000  # larger than anything the database wrote before: it cannot fit in space already taken
NOT_KEPT = "This result was not kept in the history: the disk holding the database"


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", f"def handler(event, context):\n    return {ANSWER!r}\n")
    return buffer.getvalue()


@pytest.fixture
def full_disk_app(tmp_path: Path) -> Iterator:
    """The application over a data folder whose disk is full once its function `big` exists."""
    from console import EXTENSION, create_app

    with tmpfs(tmp_path / "mount", "4m") as mount:
        app = create_app({"TESTING": True, "DATA_DIR": mount / "data", "CONSOLE": {"load_samples": False}})
        console = app.extensions[EXTENSION]
        try:
            console.create_function("big", package(), "app.handler")
            fill(mount)
            yield app
        finally:
            console.close()


def test_the_web_test_shows_the_result_and_that_it_was_not_kept(full_disk_app):
    client = full_disk_app.test_client()
    response = client.post("/functions/big/test", data={"event_json": "{}"})
    assert response.status_code == 303
    deadline = time.monotonic() + 60
    while "Running big" in (page := client.get(response.headers["Location"]).get_data(as_text=True)):
        assert time.monotonic() < deadline, "the test never finished"
        time.sleep(0.1)
    assert "Executing function: succeeded" in page and ANSWER in page
    assert "Not kept in the history." in page and NOT_KEPT in page
    assert "Open in History" not in page  # there is no entry to open
    assert "big" in client.get("/functions/big/history").get_data(as_text=True)


def test_the_api_invoke_returns_the_payload_and_says_it_was_not_kept(full_disk_app):
    client = full_disk_app.test_client()
    response = client.post("/2015-03-31/functions/big/invocations", data=b"{}")
    assert response.status_code == 200
    assert response.get_data() == f'"{ANSWER}"'.encode()
    assert response.headers["X-Lambda-Console-Not-Kept"].startswith(NOT_KEPT)


def test_the_command_line_test_prints_the_result_and_warns_it_was_not_kept(tmp_path):
    from console.config import load_config
    from console.core.console import Console

    with tmpfs(tmp_path / "mount", "4m") as mount:
        data = mount / "data"
        with Console(load_config(data, {"load_samples": False})) as console:
            console.create_function("big", package(), "app.handler")
        # Room to open the database (its shared-memory index), not to record a 300 KB result.
        fill(mount, leave=96 * 1024)
        done = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(data), "test", "big"],
                              check=False, capture_output=True, timeout=120,
                              env={**os.environ, "LAMBDA_CONSOLE_LOAD_SAMPLES": "0"})
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == f'"{ANSWER}"\n'.encode()
    stderr = done.stderr.decode()
    assert "REPORT RequestId:" in stderr and f"Warning: {NOT_KEPT}" in stderr
    assert "Traceback" not in stderr.split("REPORT RequestId:")[-1]


def test_a_disk_too_full_to_open_the_database_is_named(tmp_path):
    from console.config import load_config
    from console.core.console import Console

    with tmpfs(tmp_path / "mount", "4m") as mount:
        data = mount / "data"
        with Console(load_config(data, {"load_samples": False})) as console:
            console.create_function("big", package(), "app.handler")
        fill(mount)
        done = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(data), "functions"],
                              check=False, capture_output=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.decode().startswith(f"Error: The disk holding the database {data / 'lambda-console.sqlite3'} "
                                           "is full")
