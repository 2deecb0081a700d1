"""Fixtures shared by the whole suite: the repository's paths, a fresh engine, zipping a folder as a user would."""

from __future__ import annotations

import importlib.util
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HANDLERS = REPO / "handlers"

# Every runtime client a user can pick here: awslambdaric only where it is installed (Linux, the `ric` extra).
RUNTIME_CLIENTS = ["bootstrap"] + (["awslambdaric"] if importlib.util.find_spec("awslambdaric") else [])


@pytest.fixture(params=RUNTIME_CLIENTS)
def runtime_client(request: pytest.FixtureRequest) -> str:
    """Each runtime client in turn: a user must see the same thing whichever runs the handler."""
    return request.param


@pytest.fixture
def engine() -> Iterator:
    """A fresh Engine, closed (all workers stopped) after the test."""
    from console.engine import Engine

    with Engine() as engine:
        yield engine


def zip_contents(folder: Path, zip_path: Path) -> Path:
    """Zip the folder's contents (not the folder itself), the way Lambda's guide says to build a package."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
    return zip_path


@pytest.fixture
def make_zip(tmp_path: Path) -> Callable[..., Path]:
    """make_zip(folder, name=None) -> a .zip of the folder's contents in the test's temporary folder."""

    def make(folder: Path, name: str | None = None) -> Path:
        return zip_contents(folder, tmp_path / (name or f"{folder.name}.zip"))

    return make


@pytest.fixture
def app(tmp_path: Path) -> Iterator:
    """The Flask application over a fresh data folder (with the samples loaded), closed after the test."""
    from console import EXTENSION, create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data"})
    yield app
    app.extensions[EXTENSION].close()


@pytest.fixture
def client(app):
    return app.test_client()


class LiveServer:
    """`lambda-console serve --port 0` in a subprocess: the real server a browser or an SDK talks to."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        import os
        import re
        import subprocess
        import sys

        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "console", "--data-dir", str(data_dir), "serve", "--port", "0", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
        )
        # Warnings may come first (packages recorded again at start...); the address is on the line that names it.
        line, before = "", ""
        while not (match := re.search(r"at (http://[\d.]+:\d+)/(?:\?token=(\S+))?", line)):
            before += line
            line = self.process.stderr.readline().decode()
            if not line:
                break
        line = before + line
        if not match:
            self.process.kill()
            raise RuntimeError(f"lambda-console serve did not start: {line}{self.process.stderr.read().decode()}")
        self.url = match.group(1)
        # With authentication: the browser's token, and the API's keys from the next line.
        self.token = match.group(2)
        self.access_key_id = self.secret_access_key = None
        if self.token:
            keys = re.search(r"AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)\)",
                             self.process.stderr.readline().decode())
            self.access_key_id, self.secret_access_key = keys.groups()
        # Function URLs' own listener: its address follows the data folder's line.
        self.api_url: str | None = None
        while line := self.process.stderr.readline().decode():
            if found := re.search(r"Function URLs at (http://[\d.]+:(\d+))/", line):
                self.api_url, self.api_port = found.group(1), int(found.group(2))
                break

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except Exception:  # noqa: BLE001 - a server that will not stop is killed
                self.process.kill()
                self.process.wait()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A running console over a fresh data folder (samples loaded); its URL is `live_server.url`."""
    server = LiveServer(tmp_path / "data")
    yield server
    server.stop()


SAM_PROJECTS = Path(__file__).resolve().parent / "sam_projects"


@pytest.fixture
def served(tmp_path: Path):
    """served(project, *serve_args): `serve --template` over a copy of tests/sam_projects/<project>; (server,
    template, lines said at start after the API port's)."""
    servers: list[LiveServer] = []

    def start(name: str, *serve_args: str) -> tuple[LiveServer, Path, list[str]]:
        folder = Path(shutil.copytree(SAM_PROJECTS / name, tmp_path / name))
        server = LiveServer(tmp_path / "data", env={"TMPDIR": str(tmp_path)},
                            args=("--template", str(folder / "template.yaml"), *serve_args))
        servers.append(server)
        lines = []
        while line := server.process.stderr.readline().decode():
            if line.startswith("Handlers get"):
                break
            lines.append(line.strip())
        return server, folder / "template.yaml", lines

    yield start
    for server in servers:
        server.stop()
