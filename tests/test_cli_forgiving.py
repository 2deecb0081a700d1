"""The command line forgives the order of options and says plainly why a server cannot start: real subprocesses."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path


def lambda_console(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", *map(str, args)], capture_output=True, timeout=120,
                          check=False, cwd=cwd)


def test_data_dir_after_the_subcommand_is_the_same_as_before(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    first = lambda_console("--data-dir", before, "functions", "--json")
    second = lambda_console("functions", "--json", "--data-dir", after)
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    assert first.stdout == second.stdout and b'"hello_python"' in second.stdout
    assert (after / "lambda-console.sqlite3").is_file()


def test_data_dir_after_a_nested_subcommand(tmp_path):
    proc = lambda_console("events", "list", "hello_python", "--data-dir", tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split() == ["ada-lovelace"]


def test_two_different_data_folders_are_refused_in_one_line(tmp_path):
    proc = lambda_console("--data-dir", tmp_path / "a", "functions", "--data-dir", tmp_path / "b")
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1
    assert "two data folders" in proc.stderr.decode()
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_serve_takes_data_dir_after_the_subcommand(tmp_path):
    data = tmp_path / "data"
    server = subprocess.Popen([sys.executable, "-m", "console", "serve", "--port", "0", "--data-dir", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        line = server.stderr.readline().decode()
        assert re.search(r"lambda-console at http://127\.0\.0\.1:\d+/", line), line + server.stderr.read().decode()
        assert server.stderr.readline().decode().strip() == f"Data: {data}"
        assert (data / "lambda-console.sqlite3").is_file()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_a_busy_port_gets_one_line_and_creates_nothing(tmp_path):
    data = tmp_path / "data"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = lambda_console("serve", "--port", str(port), "--data-dir", data)
    message = proc.stderr.decode()
    assert proc.returncode == 2
    assert message.count("\n") == 1, message
    assert f"127.0.0.1:{port}" in message and "in use" in message
    assert "Traceback" not in message and "Errno" not in message
    assert not data.exists()


def test_an_address_not_of_this_machine_gets_one_line(tmp_path):
    # 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a machine.
    proc = lambda_console("serve", "--host", "192.0.2.1", "--port", "8000", "--data-dir", tmp_path / "data")
    message = proc.stderr.decode()
    assert proc.returncode == 2 and message.count("\n") == 1, message
    assert "192.0.2.1:8000" in message and "cannot listen there" in message
    assert not (tmp_path / "data").exists()
