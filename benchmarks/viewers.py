"""What a viewer link's session costs over the owner's: every request of a viewer checks its link again in the
database (so that a revoke takes effect at once) and which page it asks for.

    python benchmarks/viewers.py            # 300 of each request
    python benchmarks/viewers.py --quick    # 60 of each

It starts its own `lambda-console serve --auth` on a free port over a temporary data folder, signs in once as the
owner (the token URL) and once as a viewer (a viewer link the owner made), then, interleaved so that both see the
same machine, prints the median and p90 of:
  - GET of the presenter page of handlers/hello_python, owner beside viewer;
  - a presenter run of its saved event (POST, with the write key), owner beside viewer.
Goal: the viewer's median at most 1 ms above the owner's. A benchmark, not a test: it fails only with --check.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import percentile, start_server, stop_server

TOKEN = "benchmark-owner-token"
WRITE_KEY = re.compile(rb'<meta name="lambda-console-write-key" content="([^"]+)">')
ADDRESS = re.compile(rb'id="new-viewer-address" readonly value="[^"]*?(/present/[^"]+)"')
GOAL_MS = 1.0
HTTP = urllib3.PoolManager(maxsize=4)


class Session:
    """A signed-in browser: its cookie and its write key."""

    def __init__(self, url: str, path: str) -> None:
        self.url = url
        answer = HTTP.request("GET", url + path, redirect=False)
        if answer.status != 200 or not (key := WRITE_KEY.search(answer.data)):
            raise SystemExit(f"could not sign in with {path.split('?')[0]}: {answer.status} {answer.data[:300]!r}")
        self.cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
        self.write_key = key.group(1).decode()

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> bytes:
        headers = {"Cookie": self.cookie, "Origin": self.url, "HX-Request": "true"}
        kwargs: dict[str, object] = {}
        if fields is not None:
            kwargs = {"fields": {**fields, "lambda_console_key": self.write_key}, "encode_multipart": False}
        answer = HTTP.request(method, self.url + path, headers=headers, redirect=False, **kwargs)
        if answer.status not in (200, 201):
            raise SystemExit(f"{method} {path}: {answer.status} {answer.data[:300]!r}")
        return answer.data


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def compare(name: str, owner_action, viewer_action, calls: int) -> float:
    owner, viewer = [], []
    for _ in range(calls):
        owner.append(timed(owner_action))
        viewer.append(timed(viewer_action))
    owner_median, viewer_median = statistics.median(owner), statistics.median(viewer)
    print(f"{name:<28} owner {owner_median:7.2f} ms (p90 {percentile(owner, 0.9):7.2f})   "
          f"viewer {viewer_median:7.2f} ms (p90 {percentile(viewer, 0.9):7.2f})   "
          f"difference {viewer_median - owner_median:+.2f} ms")
    return viewer_median - owner_median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 requests of each kind instead of 300")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    options = parser.parse_args()
    calls = 60 if options.quick else 300
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_server(Path(folder) / "data", env={"LAMBDA_CONSOLE_TOKEN": TOKEN}, args=("--auth",))
        try:
            owner = Session(url, f"/?token={TOKEN}")
            made = owner.request("POST", "/viewers", {"label": "Benchmark", "function": "hello_python", "expires": ""})
            link = ADDRESS.search(made)
            if not link:
                raise SystemExit(f"no viewer link in the answer: {made[:300]!r}")
            viewer = Session(url, link.group(1).decode().replace("&amp;", "&"))
            page = "/present/hello_python"
            run = {"event": "ada-lovelace"}
            for session in (owner, viewer):  # warm: the first run starts the function's environment
                session.request("POST", page, run)
            print(f"{calls} requests of each kind, interleaved, against {url} (serve --auth)")
            differences = [
                compare("presenter page (GET)", lambda: owner.request("GET", page),
                        lambda: viewer.request("GET", page), calls),
                compare("presenter run (POST)", lambda: owner.request("POST", page, run),
                        lambda: viewer.request("POST", page, run), calls),
            ]
        finally:
            stop_server(process)
    worst = max(differences)
    met = worst <= GOAL_MS
    print(f"goal: a viewer's median at most {GOAL_MS:g} ms above the owner's: {'met' if met else 'missed'} "
          f"(worst {worst:+.2f} ms)")
    return 1 if options.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
