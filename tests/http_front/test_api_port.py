"""`serve --api-port`: a port that cannot be had is refused in one line, before anything is stored."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.test_cli_forgiving import lambda_console


def test_a_busy_api_port_gets_one_line_naming_the_option_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = lambda_console("serve", "--port", "0", "--api-port", str(port), "--data-dir", data)
    message = proc.stderr.decode()
    assert proc.returncode == 2 and message.count("\n") == 1, message
    assert f"127.0.0.1:{port}" in message and "in use" in message and "--api-port" in message
    assert not data.exists()


def test_the_api_port_cannot_be_the_consoles_own(tmp_path: Path) -> None:
    proc = lambda_console("serve", "--port", "8123", "--api-port", "8123", "--data-dir", tmp_path / "data")
    message = proc.stderr.decode()
    assert proc.returncode == 2 and "console's own port" in message
    assert not (tmp_path / "data").exists()
