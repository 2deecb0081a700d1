"""Max Memory Used and the memory limit, read from /proc (Linux) and through psutil (the path macOS takes, forced here
with LAMBDA_CONSOLE_MEMORY_READER=psutil): the figure is what the handler and everything it started hold, and the
limit ends the environment with Lambda's out-of-memory payload whichever reader measured it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import psutil
import pytest

from console.engine.memory import READER_VARIABLE, ProcessMemory

HOLD = """
    import time
    kept = []
    def handler(event, context):
        kept.append(b"x" * (event["mb"] * 1024 * 1024))
        time.sleep(0.3)  # held for a while, as a handler working on it would
        return len(kept)
"""
# The handler forks a child that forks a grandchild and exits at once: the grandchild is reparented to init (or the
# nearest subreaper), out of the worker's tree of children, and holds the memory.
DOUBLE_FORK = """
    import os, time
    def handler(event, context):
        ready_read, ready_write = os.pipe()
        child = os.fork()
        if child == 0:
            if os.fork() == 0:
                os.setpgid(0, 0)  # out of the worker's process group too; still in its session
                with open(event["pidfile"], "w") as pidfile:
                    pidfile.write(str(os.getpid()))
                hoard = b"x" * (event["mb"] * 1024 * 1024)
                os.write(ready_write, b"1")
                time.sleep(120)
                os._exit(0)
            os._exit(0)
        os.waitpid(child, 0)
        os.close(ready_write)
        os.read(ready_read, 1)
        time.sleep(0.5)
        return "forked"
"""


@pytest.fixture(params=["proc", "psutil"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each way of reading memory; "psutil" is what a system without /proc uses."""
    if request.param == "proc" and not os.path.isdir("/proc/self/task"):
        pytest.skip("no /proc here")
    monkeypatch.setenv(READER_VARIABLE, request.param)
    return request.param


def max_memory_used(result) -> int:
    reported = int(re.search(r"\tMax Memory Used: (\d+) MB", result.report_line).group(1))
    assert reported == result.max_memory_used_mb
    return reported


def test_the_reader_is_the_one_asked_for_and_reads_a_session_leader(reader: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; held = b'x' * (60 << 20); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, start_new_session=True,
    )
    memory = ProcessMemory(holder.pid)
    try:
        assert holder.stdout.readline() == b"ready\n"
        assert memory.reader == reader
        actual = psutil.Process(holder.pid).memory_info().rss // 1024
        assert actual > 60 * 1024
        assert abs(memory.rss_kb() - actual) < actual // 10
    finally:
        memory.close()
        holder.kill()
        holder.wait()


def test_a_handler_holding_300_mb_reports_about_300_mb(reader: str, engine, make_function) -> None:
    spec = make_function(HOLD, memory=1024)
    result = engine.invoke(spec, b'{"mb": 300}')
    assert result.succeeded, result.payload
    assert 300 <= max_memory_used(result) <= 380


def test_a_handler_past_its_256_mb_is_killed_with_lambdas_out_of_memory_payload(reader: str, engine,
                                                                                 make_function) -> None:
    spec = make_function(HOLD, memory=256)
    result = engine.invoke(spec, b'{"mb": 300}')
    assert result.error_type == "Runtime.OutOfMemory"
    assert result.payload == (
        b'{"errorType":"Runtime.OutOfMemory","errorMessage":"RequestId: ' + result.request_id.encode()
        + b' Error: Runtime exited with error: signal: killed"}'
    )
    assert max_memory_used(result) == 256
    assert result.report_line.endswith("\tStatus: error\tError Type: Runtime.OutOfMemory")


def _ended(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_a_double_forked_grandchild_is_counted_and_ended_with_the_environment(reader: str, no_sandbox, engine,
                                                                            make_function, tmp_path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    spec = make_function(DOUBLE_FORK, memory=1024)
    result = engine.invoke(spec, json.dumps({"mb": 250, "pidfile": str(pidfile)}).encode())
    assert json.loads(result.payload) == "forked"
    assert max_memory_used(result) >= 250
    grandchild = int(pidfile.read_text())
    assert not _ended(grandchild, within=0.2)  # it outlives the invocation, as a daemon would
    engine.close()
    assert _ended(grandchild)


def test_a_double_forked_grandchild_past_the_limit_is_out_of_memory(reader: str, no_sandbox, engine, make_function,
                                                                    tmp_path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    spec = make_function(DOUBLE_FORK, memory=256)
    result = engine.invoke(spec, json.dumps({"mb": 300, "pidfile": str(pidfile)}).encode())
    assert result.error_type == "Runtime.OutOfMemory"
    assert _ended(int(pidfile.read_text()))


def test_without_any_reading_max_memory_used_is_left_out_not_invented(monkeypatch, engine, make_function) -> None:
    monkeypatch.setenv(READER_VARIABLE, "none")
    result = engine.invoke(make_function(HOLD, memory=1024), b'{"mb": 50}')
    assert result.succeeded
    assert result.max_memory_used_mb is None
    assert "Max Memory Used" not in result.report_line
    assert re.fullmatch(r"REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 1024 MB"
                        r"\tInit Duration: [\d.]+ ms", result.report_line)
