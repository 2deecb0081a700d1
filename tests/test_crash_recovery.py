"""The console killed with SIGKILL in the middle of invocations and uploads, then started again: the store is
consistent, everything it acknowledged is there, and no worker process is left."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import threading
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from console.config import load_config
from console.core.console import Console
from tests.conftest import LiveServer
from tests.processes import wait_until


def _client(url: str):
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=30))


def _package(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", f"def handler(event, context):\n    return {marker!r}\n")
        archive.writestr("padding.bin", os.urandom(256 * 1024))  # uploads long enough to be cut in the middle
    return buffer.getvalue()


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is inside `folder`: the workers run in their code folders there."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="finds worker processes through /proc")
def test_killed_mid_work_then_restarted_nothing_acknowledged_is_lost(tmp_path):
    data = tmp_path / "data"
    keep_all = {"LAMBDA_CONSOLE_HISTORY_KEEP": "100000"}  # every acknowledged invocation must still be there
    server = LiveServer(data, env=keep_all)
    client = _client(server.url)
    acknowledged_invocations: list[str] = []
    acknowledged_functions: list[str] = []
    stop = threading.Event()

    def invoker() -> None:
        while not stop.is_set():
            marker = uuid.uuid4().hex
            try:
                response = client.invoke(FunctionName="hello_python",
                                         Payload=json.dumps({"first_name": marker, "last_name": "X"}))
                if response["StatusCode"] == 200 and marker in response["Payload"].read().decode():
                    acknowledged_invocations.append(marker)
            except Exception:  # noqa: BLE001 - the server is killed under it: unacknowledged, nothing promised
                return

    def uploader() -> None:
        n = 0
        while not stop.is_set():
            name = f"upload-{n}"
            n += 1
            try:
                client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler",
                                       Role="arn:aws:iam::123456789012:role/x", Code={"ZipFile": _package(name)})
                acknowledged_functions.append(name)
            except Exception:  # noqa: BLE001 - as above
                return

    def sleeper() -> None:
        # Busy in a worker when the console dies; its answer (a timeout, or none at all) does not matter.
        with contextlib.suppress(Exception):
            client.invoke(FunctionName="sleep_seconds", Payload=json.dumps({"seconds": 60}))

    threads = [threading.Thread(target=f) for f in (invoker, invoker, uploader, uploader, sleeper)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(acknowledged_invocations) >= 20 and len(acknowledged_functions) >= 3,
               "the console to acknowledge 20 invocations and 3 uploads")
    assert _processes_in(data), "workers should be running"
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    stop.set()
    for thread in threads:
        thread.join(60)

    # No worker survives its console.
    wait_until(lambda: not _processes_in(data), "the workers to end with their console")

    # Started again, the console serves everything it acknowledged.
    again = LiveServer(data, env=keep_all)
    try:
        client = _client(again.url)
        for name in acknowledged_functions:
            answer = client.invoke(FunctionName=name, Payload=b"{}")
            assert json.loads(answer["Payload"].read()) == name
    finally:
        again.stop()

    with Console(load_config(data)) as console:
        assert console.store.query_one("PRAGMA integrity_check")[0] == "ok"
        recorded = {json.loads(entry.event)["first_name"] for entry in console.history.for_function("hello_python")}
        assert set(acknowledged_invocations) <= recorded
        for package in console.packages.all():
            assert package.code_dir.is_dir() and package.zip_path.is_file()
        names = {function.name for function in console.functions.all()}
        assert set(acknowledged_functions) <= names
