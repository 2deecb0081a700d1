"""The wheel works as installed by a user: built from the checkout, installed in a fresh virtualenv, served from
another folder with a new data folder, then checked as a browser and an SDK would check it.

    .venv/bin/python .ci/wheel_smoke.py [--python PYTHON]

Checks `/` (200, HTML listing the samples), the page's stylesheet (200, text/css), the function page's scripts
(the event editor's among them), and one Test through the Lambda REST API's Invoke of the sample hello_python (its
exact response). Exits 1 with what went wrong otherwise.
Standard library only: it runs before anything of the project is importable.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENT = b'{"first_name": "Ada", "last_name": "Lovelace"}'
EXPECTED = {"message": "Hello Ada Lovelace!"}


def step(text: str) -> None:
    print(f"+ {text}", flush=True)


def run(*command: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(part) for part in command], cwd=cwd, check=True)


def fetch(url: str, data: bytes | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.headers.get_content_type(), response.read()


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"wheel smoke test: {what}")
    print(f"  ok: {what}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the Python that makes the fresh virtualenv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lambda-console-wheel-") as tmp:
        base = Path(tmp)
        step("pip wheel . --no-deps")
        run(args.python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", base / "dist", ROOT)
        (wheel,) = (base / "dist").glob("lambda_console-*.whl")
        step(f"install {wheel.name} in a fresh virtualenv")
        run(args.python, "-m", "venv", base / "venv")
        bin_dir = base / "venv" / ("Scripts" if os.name == "nt" else "bin")
        run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel)

        elsewhere = base / "elsewhere"  # not the checkout: nothing of it may be found from here
        elsewhere.mkdir()
        data = base / "data"
        step(f"lambda-console serve --port 0 --data-dir {data}  (from {elsewhere})")
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "LAMBDA_CONSOLE_DATA")}
        server = subprocess.Popen([bin_dir / "lambda-console", "serve", "--port", "0", "--data-dir", data],
                                  cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert server.stderr is not None
            line = server.stderr.readline().decode()
            match = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
            if not match:
                raise SystemExit(f"wheel smoke test: serve did not start: {line}{server.stderr.read().decode()}")
            url = match.group(1)

            status, kind, body = fetch(url + "/")
            page = body.decode()
            check(status == 200 and kind == "text/html", f"GET / answers 200 text/html ({status} {kind})")
            check("hello_python" in page, "the function list shows the sample hello_python")
            stylesheet = re.search(r'<link[^>]+href="([^"]+\.css[^"]*)"', page)
            check(stylesheet is not None, "the page links a stylesheet")
            assert stylesheet is not None
            status, kind, _ = fetch(url + stylesheet.group(1).replace("&amp;", "&"))
            check(status == 200 and kind == "text/css", f"GET {stylesheet.group(1)} answers 200 text/css")
            # The function page's scripts, the event editor's bundle among them, ship in the wheel.
            status, kind, body = fetch(url + "/functions/hello_python")
            scripts = re.findall(r'<script src="([^"]+)"', body.decode())
            check(any("/codemirror-" in src for src in scripts), "the function page loads the event editor")
            for src in scripts:
                status, kind, _ = fetch(url + src.replace("&amp;", "&"))
                check(status == 200 and kind.endswith("javascript"), f"GET {src} answers 200 JavaScript ({kind})")

            started = time.monotonic()
            status, kind, body = fetch(url + "/2015-03-31/functions/hello_python/invocations", EVENT)
            check(status == 200 and json.loads(body) == EXPECTED,
                  f"Invoke hello_python answers {body.decode()} ({time.monotonic() - started:.2f} s)")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    print("wheel smoke test: passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
