"""`serve` over a working day, against a real server process: long invocations and idle connections never keep the
pages from answering, the engine's cap and queue answer 429 as Lambda does, an accepted Event invocation survives a
killed console, and clicking and invoking leave no open files behind."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ROLE, boto3_client, zip_bytes
from tests.conftest import LiveServer

SLOW_ZIP = zip_bytes({"slow.py": (
    "import pathlib, time\n"
    "def handler(event, context):\n"
    "    if event.get('marker'):\n"
    "        pathlib.Path(event['marker']).touch()\n"
    "    time.sleep(event['s'])\n"
    "    return {'slept': event['s']}\n"
)})
# Generous: the old server took 10 s and more for these, or never answered; a free thread answers in milliseconds.
ANSWER_WITHIN = 8.0


def start(data_dir: Path, **settings: str) -> LiveServer:
    """A `serve` process with the given LAMBDA_CONSOLE_* settings; its log is read so it never fills the pipe."""
    server = LiveServer(data_dir, env={f"LAMBDA_CONSOLE_{key.upper()}": value for key, value in settings.items()})
    threading.Thread(target=server.process.stderr.read, daemon=True).start()
    return server


@pytest.fixture
def servers() -> Iterator[list[LiveServer]]:
    started: list[LiveServer] = []
    yield started
    for server in started:
        server.stop()


def get(url: str, timeout: float = ANSWER_WITHIN) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def invoke_raw(url: str, name: str, event: dict, timeout: float = 120) -> tuple[int, http.client.HTTPMessage, bytes]:
    """A RequestResponse Invoke as plain HTTP (unsigned: loopback needs no signature)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("POST", f"/2015-03-31/functions/{name}/invocations", json.dumps(event).encode())
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_pages_answer_while_invocations_fill_the_engine_and_idle_connections_stay_open(tmp_path, servers):
    # A cap of 4 running and 6 waiting: ten invocations in flight, more than the old server had threads.
    # Unsandboxed: the handlers and the test meet through files in the test's folder.
    server = start(tmp_path / "data", max_environments="4", max_queue="6", load_samples="false", sandbox="off")
    servers.append(server)
    lam = boto3_client(server.url)
    lam.create_function(FunctionName="slow", Runtime="python3.12", Role=ROLE, Handler="slow.handler",
                        Code={"ZipFile": SLOW_ZIP}, Timeout=120)
    markers = tmp_path / "markers"
    markers.mkdir()
    answers: list[int] = []

    def fly(i: int) -> None:
        try:
            answers.append(invoke_raw(server.url, "slow", {"s": 25, "marker": str(markers / str(i))})[0])
        except (OSError, http.client.HTTPException):  # the server is stopped at the end, while they still run
            pass

    flights = [threading.Thread(target=fly, args=(i,), daemon=True) for i in range(10)]
    for flight in flights:
        flight.start()
    deadline = time.monotonic() + 60
    while len(list(markers.iterdir())) < 4:  # four running; the other six wait in the engine's queue
        assert time.monotonic() < deadline, "the first four invocations did not start"
        time.sleep(0.1)
    time.sleep(1.0)
    idle = [socket.create_connection(("127.0.0.1", urllib.parse.urlsplit(server.url).port)) for _ in range(120)]
    try:
        status, body = get(server.url + "/")
        assert status == 200 and b"slow" in body
        status, body = get(server.url + "/assets/console.css")
        assert status == 200 and body
        status, body = get(server.url + "/index.json")
        assert status == 200 and "slow" in body.decode()
        # Past the cap and the queue: refused at once, in Lambda's words, and boto3 names the error.
        status, headers, body = invoke_raw(server.url, "slow", {"s": 0}, timeout=ANSWER_WITHIN)
        assert status == 429
        assert json.loads(body) == {"__type": "TooManyRequestsException", "Type": "User",
                                    "message": "Rate Exceeded.", "Reason": "ConcurrentInvocationLimitExceeded"}
        assert headers["Retry-After"] == "1" and headers["x-amzn-ErrorType"] == "TooManyRequestsException"
        with pytest.raises(ClientError) as refused:
            lam.invoke(FunctionName="slow", Payload=b'{"s": 0}')
        assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert answers == []  # the ten were still in flight all along
    finally:
        for sock in idle:
            sock.close()
        lam.close()


def history_request_ids(url: str, name: str) -> list[str]:
    status, body = get(f"{url}/functions/{name}/history.json")
    assert status == 200
    return [entry["request_id"] for entry in json.loads(body)["invocations"] if entry["source"] == "event"]


def test_event_invocations_accepted_before_a_crash_run_after_the_restart(tmp_path, servers):
    data = tmp_path / "data"
    first = start(data, max_environments="1", load_samples="false")
    servers.append(first)
    lam = boto3_client(first.url)
    lam.create_function(FunctionName="queued", Runtime="python3.12", Role=ROLE, Handler="slow.handler",
                        Code={"ZipFile": SLOW_ZIP}, Timeout=30)
    accepted = []
    for n in range(5):
        answer = lam.invoke(FunctionName="queued", InvocationType="Event", Payload=json.dumps({"s": 1, "n": n}))
        assert answer["StatusCode"] == 202
        accepted.append(answer["ResponseMetadata"]["RequestId"])
    lam.close()
    first.process.send_signal(signal.SIGKILL)  # one engine slot, one-second handlers: most are still queued
    first.process.wait(10)
    assert len(history_request_ids_from_db(data)) < 5

    second = start(data, max_environments="1", load_samples="false")
    servers.append(second)
    deadline = time.monotonic() + 60
    while not set(accepted) <= set(history_request_ids(second.url, "queued")):
        assert time.monotonic() < deadline, f"not run after the restart: {set(accepted) - set(history_request_ids(second.url, 'queued'))}"
        time.sleep(0.2)


def test_an_event_invocation_the_console_stopped_runs_after_the_restart(tmp_path, servers):
    data = tmp_path / "data"
    first = start(data, load_samples="false", sandbox="off")  # the handler marks its start in the test's folder
    servers.append(first)
    lam = boto3_client(first.url)
    lam.create_function(FunctionName="stopped", Runtime="python3.12", Role=ROLE, Handler="slow.handler",
                        Code={"ZipFile": SLOW_ZIP}, Timeout=30)
    marker = tmp_path / "started"
    answer = lam.invoke(FunctionName="stopped", InvocationType="Event",
                        Payload=json.dumps({"s": 3, "marker": str(marker)}))
    lam.close()
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, "the Event invocation did not start"
        time.sleep(0.05)
    first.process.send_signal(signal.SIGTERM)  # stopped as a user stops it, in the middle of the invocation
    assert first.process.wait(20) == 0

    second = start(data, load_samples="false", sandbox="off")
    servers.append(second)
    request_id = answer["ResponseMetadata"]["RequestId"]
    deadline = time.monotonic() + 60
    while True:
        _, body = get(f"{second.url}/functions/stopped/history.json")
        runs = [entry for entry in json.loads(body)["invocations"] if entry["request_id"] == request_id]
        if any(entry["status"] == "succeeded" for entry in runs):
            break
        assert time.monotonic() < deadline, f"not run to the end after the restart: {runs}"
        time.sleep(0.2)


def history_request_ids_from_db(data: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(f"file:{data / 'lambda-console.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        return [row[0] for row in conn.execute("SELECT request_id FROM invocations WHERE source = 'event'")]
    finally:
        conn.close()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_hundreds_of_test_clicks_and_invokes_leave_no_open_files(tmp_path, servers):
    server = start(tmp_path / "data")
    servers.append(server)
    lam = boto3_client(server.url)

    def click() -> None:
        data = urllib.parse.urlencode({"event_json": '{"first_name": "Ada", "last_name": "Lovelace"}', "choice": "new"}).encode()
        request = urllib.request.Request(server.url + "/functions/hello_python/test", data=data,
                                         headers={"HX-Request": "true"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200 and b"succeeded" in response.read().lower()

    def day(clicks: int) -> None:
        for n in range(clicks):
            click()
            if n % 3 == 0:
                assert lam.invoke(FunctionName="hello_python", Payload=b'{"first_name": "A", "last_name": "L"}')["StatusCode"] == 200
            if n % 10 == 0:
                answer = lam.invoke(FunctionName="hello_python", InvocationType="Event", Payload=b'{"first_name": "E", "last_name": "V"}')
                assert answer["StatusCode"] == 202

    day(30)
    before = open_files(server.process.pid)
    day(300)
    after = open_files(server.process.pid)
    lam.close()
    assert after - before <= 10, f"open files went from {before} to {after} over 300 Test clicks"
