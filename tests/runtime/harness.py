"""A throwaway Lambda Runtime API for driving one worker process until the console's Engine is available.

It serves the documented protocol under a secret path prefix, spawns the worker with the engine's exact command
line and environment, and records what the worker posts and writes.
"""

from __future__ import annotations

import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BOOTSTRAP = Path(__file__).resolve().parents[2] / "console" / "runtime" / "bootstrap.py"
SITE_PACKAGES = (
    Path(__file__).resolve().parents[2]
    / ".venv"
    / "lib"
    / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    / "site-packages"
)
RUNTIME_LIBS = ("awslambdaric", "simplejson", "snapshot_restore_py.py")


def runtime_dir() -> Path:
    """A LAMBDA_RUNTIME_DIR with links to awslambdaric and what it needs."""
    path = Path(tempfile.mkdtemp(prefix="runtime-dir-"))
    for name in RUNTIME_LIBS:
        if (SITE_PACKAGES / name).exists():
            os.symlink(SITE_PACKAGES / name, path / name)
    for so in SITE_PACKAGES.glob("runtime_client*.so"):
        os.symlink(so, path / so.name)
    return path


@dataclass
class Outcome:
    kind: str  # response, error, init_error, exit
    body: bytes = b""
    headers: dict = field(default_factory=dict)


class _Api(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, prefix: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.prefix = prefix
        self.events: queue.Queue = queue.Queue()
        self.outcomes: queue.Queue = queue.Queue()
        self.requests: list[tuple[str, str, dict]] = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Api

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.requests.append(("GET", self.path, dict(self.headers)))
        if self.path != f"/{self.server.prefix}/2018-06-01/runtime/invocation/next":
            return self._reply(404)
        event = self.server.events.get()
        if event is None:
            self.close_connection = True
            return
        body, headers = event
        self._reply(200, body, headers)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        path = self.path
        self.server.requests.append(("POST", path, dict(self.headers)))
        base = f"/{self.server.prefix}/2018-06-01/runtime/"
        if not path.startswith(base):
            return self._reply(404)
        route = path[len(base) :]
        if route == "init/error":
            kind = "init_error"
        elif route.endswith("/response"):
            kind = "response"
        elif route.endswith("/error"):
            kind = "error"
        else:
            return self._reply(404)
        self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
        self.server.outcomes.put(Outcome(kind, body, dict(self.headers)))


class Worker:
    """One worker process (our bootstrap or awslambdaric) attached to its own Runtime API."""

    def __init__(
        self,
        code_dir: Path,
        handler: str,
        client: str = "bootstrap",
        runtime: str = "python3.12",
        layers: tuple[Path, ...] = (),
        environment: dict | None = None,
        runtime_path: Path | None = None,
    ):
        self.prefix = secrets.token_hex(8)
        self.api = _Api(self.prefix)
        threading.Thread(target=self.api.serve_forever, daemon=True).start()
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/22/[$LATEST]" + "0" * 32,
            **(environment or {}),
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(runtime_path or runtime_dir()),
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{self.api.server_address[1]}/{self.prefix}",
        }
        cmd = [sys.executable, "-I", "-S", "-B", str(BOOTSTRAP), "--client", client]
        for layer in layers:
            cmd += ["--layer", str(layer)]
        self.proc = subprocess.Popen(
            cmd, cwd=code_dir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self._log = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _read(self):
        while chunk := self.proc.stdout.read1(65536):
            self._log += chunk

    def _watch(self):
        code = self.proc.wait()
        self.api.outcomes.put(Outcome("exit", str(code).encode()))

    def invoke(self, payload: bytes, headers: dict | None = None, timeout: float = 20) -> tuple[str, Outcome]:
        request_id = str(uuid.uuid4())
        all_headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 3000),
            "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:fn",
            "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
        }
        all_headers.update(headers or {})
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        self.api.events.put((payload, all_headers))
        return request_id, self.api.outcomes.get(timeout=timeout)

    @property
    def log(self) -> str:
        return self._log.decode("utf-8", "replace")

    def close(self) -> str:
        self.api.events.put(None)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(5)
        self.api.shutdown()
        self.api.server_close()
        return self.log
