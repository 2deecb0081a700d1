"""A tiny package for requirements.txt tests, with no network: a wheel made here, and a local link page that pip's
--find-links reads, which answers only when the test lets it (so a test can see an install while it runs)."""

from __future__ import annotations

import base64
import hashlib
import http.server
import threading
import zipfile
from pathlib import Path


def make_wheel(folder: Path, name: str = "tinydep", version: str = "1.0", value: str = "from tinydep") -> Path:
    """A pure-Python wheel whose module `name` holds VALUE = value."""
    files = {
        f"{name}/__init__.py": f"VALUE = {value!r}\n",
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
                                             "Tag: py3-none-any\n",
    }
    record = [
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode().rstrip('=')},"
        f"{len(text.encode())}"
        for path, text in files.items()
    ]
    record.append(f"{name}-{version}.dist-info/RECORD,,")
    files[f"{name}-{version}.dist-info/RECORD"] = "\n".join(record) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


class LinkServer:
    """http://127.0.0.1:port/ lists the wheels of a folder for `--find-links`; it answers only once `gate` is set.
    `requests` counts what pip asked for."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.gate = threading.Event()
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                server.gate.wait(120)
                name = self.path.strip("/")
                if not name:
                    links = "".join(f'<a href="{wheel.name}">{wheel.name}</a>\n'
                                    for wheel in sorted(server.folder.glob("*.whl")))
                    body, kind = f"<html><body>{links}</body></html>".encode(), "text/html"
                elif (server.folder / name).is_file():
                    body, kind = (server.folder / name).read_bytes(), "application/octet-stream"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def requirements(self, *lines: str) -> str:
        """A requirements.txt that takes packages from this server only."""
        return "\n".join(["--no-index", f"--find-links {self.url}", *lines]) + "\n"

    def close(self) -> None:
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()
