"""A remote's functions through the Console alone (no Flask), against a second real `lambda-console serve`: the
remote Invoke read into the local result object, its REPORT figures, Compare, and the checks made before a job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.deploy import RoleError
from console.core.event_json import EventError
from console.core.remote_functions import report_figures
from console.core.remotes import RemoteNotFound
from tests.conftest import LiveServer
from tests.processes import wait_until
from tests.test_cli_remotes import KEYS
from tests.web.test_remote_pages import ROLE, remote_lambda
from tests.zips import zip_bytes


@pytest.fixture
def remote_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "remote-data")
    yield server
    server.stop()


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remote_server: LiveServer) -> Iterator[Console]:
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    with Console(load_config(tmp_path / "data", {"watch_folders": False})) as console:
        console.add_remote("other", endpoint_url=remote_server.url)
        yield console


def test_report_figures_are_read_from_the_last_report_line_as_lambda_writes_it() -> None:
    tail = ("START RequestId: 8f5 Version: $LATEST\nhello\nEND RequestId: 8f5\n"
            "REPORT RequestId: 8f5\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\t"
            "Max Memory Used: 56 MB\tInit Duration: 130.49 ms\t\n")
    assert report_figures(tail) == {"Duration": "15.74", "Billed Duration": "147", "Memory Size": "128",
                                    "Max Memory Used": "56", "Init Duration": "130.49"}
    timed_out = "REPORT RequestId: 9a\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 256 MB\t" \
                "Max Memory Used: 40 MB\tStatus: timeout\n"
    assert report_figures(timed_out)["Status"] == "timeout"
    # A tail cut before its REPORT line (Lambda keeps the last 4 KB) has no figures, rather than invented ones.
    assert report_figures("...the middle of a long log\n") == {}


def test_a_remote_invoke_is_read_into_the_local_result_object_cold_then_warm(console) -> None:
    first = console.invoke_remote("other", "hello_python", '{"first_name": "Ada", "last_name": "Lovelace"}')
    assert first.succeeded and json.loads(first.payload) == {"message": "Hello Ada Lovelace!"}
    assert f"REPORT RequestId: {first.request_id}\t" in first.log
    assert first.cold and first.init_duration_ms is not None and first.memory_size_mb == 128
    assert first.duration_ms == float(report_figures(first.log)["Duration"])
    assert first.billed_duration_ms == int(report_figures(first.log)["Billed Duration"])
    second = console.invoke_remote("other", "hello_python", '{"first_name": "Grace", "last_name": "Hopper"}')
    assert not second.cold and second.init_duration_ms is None and second.request_id != first.request_id
    assert console.list_invocations("hello_python") == []  # the remote's invocations are not in the local history

    failed = console.invoke_remote("other", "raise_error", '{"quantity": 11}')
    assert not failed.succeeded and failed.error_type == "OrderRejected" and failed.status == "error"
    assert failed.error_message == "at most 10 items per order, got 11"


def test_compare_ignores_key_order_and_the_error_payloads_request_id(console, remote_server) -> None:
    remote = remote_lambda(remote_server)
    remote.update_function_code(FunctionName="hello_python", ZipFile=zip_bytes({
        "hello_python.py": "def my_handler(event, context):\n"
                           "    return {'z': 1, 'message': 'Hello ' + event['first_name'] + ' ' + event['last_name'] + '!'}\n"}))
    local_code = {"hello_python.py": "def my_handler(event, context):\n"
                                     "    return {'message': 'Hello ' + event['first_name'] + ' ' + event['last_name'] + '!',"
                                     " 'z': 1}\n"}
    package = console.upload_package(zip_bytes(local_code), "hello.zip")
    console.update_function_code("hello_python", package.sha256)
    same = console.compare_remote("other", "hello_python", '{"first_name": "Ada", "last_name": "Lovelace"}')
    assert same.same and same.diff == []
    assert same.local.payload != same.remote.payload  # the bytes differ, in key order only

    failing = console.compare_remote("other", "raise_error", '{"quantity": 0}')
    assert failing.same and failing.local.request_id != failing.remote.request_id
    # One failing, the other not: different, and the outcome line says so.
    remote.update_function_code(FunctionName="raise_error", ZipFile=zip_bytes({
        "raise_error.py": "def handler(event, context):\n    return {'accepted': event['quantity']}\n"}))
    different = console.compare_remote("other", "raise_error", '{"quantity": 0}')
    assert not different.same
    assert "-// failed (ValueError)" in different.diff and "+// succeeded" in different.diff


def test_what_can_be_checked_is_refused_before_any_job_starts(console) -> None:
    with pytest.raises(RemoteNotFound, match="nowhere: no such remote"):
        console.start_deploy("hello_python", "nowhere", role=ROLE)
    with pytest.raises(RoleError, match="--role admin: not an IAM role's ARN"):
        console.start_deploy("hello_python", "other", role="admin")
    with pytest.raises(EventError, match="line 1"):
        console.start_remote_test("other", "hello_python", '{"first_name": ')
    with pytest.raises(RemoteNotFound):
        console.start_compare("nowhere", "hello_python", "{}")

    job = console.start_deploy("hello_python", "other")
    wait_until(lambda: not job.running, "the deploy")
    assert job.error is None and not job.outcome.created
    assert job.lines[0].startswith("Updating the code of hello_python on other")
    assert console.get_remote_job(job.id, "hello_python", ("deploy",)) is job


def test_a_remotes_client_is_kept_until_its_credentials_sources_change(console, monkeypatch, tmp_path) -> None:
    client = console.remote_client("other")
    assert console.remote_client("other") is client
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDANOTHERKEY")
    renewed = console.remote_client("other")
    assert renewed is not client
    (tmp_path / "no-config").write_text("[default]\nregion = eu-west-1\n")  # the config file written: read again
    assert console.remote_client("other") is not renewed
    console.remove_remote("other")
    console.add_remote("other", endpoint_url="http://127.0.0.1:9")  # the same name, somewhere else
    assert console.remote_client("other").meta.endpoint_url == "http://127.0.0.1:9"
