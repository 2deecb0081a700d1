"""A working day against one console: memory and open files stay flat.

    python benchmarks/day.py                          # 10,000 web Tests + 10,000 REST invokes
    python benchmarks/day.py --tests 2000 --invokes 2000 --step 500   # a shorter look

It starts `lambda-console serve` on a free port over a temporary data folder (the sample functions loaded) and has a
few client threads work as a day of use does: web Tests through the endpoints the browser's htmx calls (POST the
Test form as a fragment request, then poll the running status until the result replaces it), and REST Invokes
through boto3. It prints the console process's RSS and open files after warm-up (the baseline), after each `--step`
of each kind, and at the end, with a pass/fail line against the goal: from the baseline to the end, open files grow
by at most 10 and RSS by at most 25 MB, however long the day. A benchmark, not a test: it reports, and fails
(--check) when asked to. Linux (reads /proc).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import rss_mb, start_server, stop_server

GOAL_FILES = 10
GOAL_RSS_MB = 25.0
FUNCTION = "hello_python"  # a sample: loaded in every new data folder
POLL = re.compile(r'hx-get="(/functions/[^"]+/runs/[0-9a-f]+)"')


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Browser:
    """One browser tab: a kept-alive connection, the Test form posted as htmx posts it, the status polled."""

    def __init__(self, url: str, event: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.form = urllib.parse.urlencode({"event_json": event, "choice": "new"})
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None) -> str:
        headers = {"HX-Request": "true"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                text = response.read().decode()
                if response.status != 200:
                    raise RuntimeError(f"{method} {path}: {response.status} {text[:200]}")
                return text
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # the server closed an idle connection: a browser opens another
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def test(self) -> None:
        text = self.request("POST", f"/functions/{FUNCTION}/test", self.form)
        while (poll := POLL.search(text)) and "Executing function" not in text:
            time.sleep(0.05)
            text = self.request("GET", poll.group(1))
        if "Executing function: succeeded" not in text:
            raise RuntimeError(f"the Test did not succeed: {text[:300]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=10_000, help="web Tests (default 10,000)")
    parser.add_argument("--invokes", type=int, default=10_000, help="REST invokes (default 10,000)")
    parser.add_argument("--step", type=int, default=2_000, help="report after each this many of each kind")
    parser.add_argument("--threads", type=int, default=4, help="client threads, each a browser tab and an SDK client")
    parser.add_argument("--event-kb", type=int, default=0, help="pad each event to about this many KB")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args()

    import boto3
    from botocore.config import Config

    event = {"first_name": "Ada", "last_name": "Lovelace"}
    if args.event_kb:
        event["padding"] = "x" * (args.event_kb * 1024)
    event_json = json.dumps(event)

    with tempfile.TemporaryDirectory(prefix="lambda-console-day-") as folder:
        process, url = start_server(Path(folder) / "data")
        threading.Thread(target=process.stderr.read, daemon=True).start()  # its log never fills the pipe
        try:
            session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                            region_name="us-east-1")
            config = Config(retries={"max_attempts": 1}, max_pool_connections=args.threads * 2, read_timeout=120)
            client = session.client("lambda", endpoint_url=url, config=config)
            lock = threading.Lock()
            done = {"tests": 0, "invokes": 0}
            errors: list[str] = []

            def work(tests: int, invokes: int) -> None:
                browser = Browser(url, event_json)
                for n in range(max(tests, invokes)):
                    try:
                        if n < tests:
                            browser.test()
                            with lock:
                                done["tests"] += 1
                        if n < invokes:
                            answer = client.invoke(FunctionName=FUNCTION, Payload=event_json.encode())
                            answer["Payload"].read()
                            if answer["StatusCode"] != 200 or "FunctionError" in answer:
                                raise RuntimeError(f"invoke: {answer['StatusCode']} {answer.get('FunctionError')}")
                            with lock:
                                done["invokes"] += 1
                    except Exception as exc:  # noqa: BLE001 - counted and reported, the day goes on
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}")

            def run(tests: int, invokes: int) -> None:
                share = [(tests // args.threads + (i < tests % args.threads),
                          invokes // args.threads + (i < invokes % args.threads)) for i in range(args.threads)]
                threads = [threading.Thread(target=work, args=pair) for pair in share]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()

            print(f"lambda-console day: {args.tests} web Tests + {args.invokes} REST invokes, {args.threads} client "
                  f"threads, events of {len(event_json)} bytes", flush=True)
            run(100, 100)  # warm-up: workers, pool threads, page caches
            start_rss, start_files = rss_mb(process.pid), open_files(process.pid)
            began = time.monotonic()
            print(f"{'':>22} {'tests':>7} {'invokes':>8} {'RSS MB':>8} {'open files':>11} {'req/s':>7}")
            print(f"{'start (after warm-up)':>22} {0:>7} {0:>8} {start_rss:>8.1f} {start_files:>11} {'':>7}",
                  flush=True)
            tests_left, invokes_left = args.tests, args.invokes
            while tests_left or invokes_left:
                tests, invokes = min(args.step, tests_left), min(args.step, invokes_left)
                run(tests, invokes)
                tests_left -= tests
                invokes_left -= invokes
                elapsed = time.monotonic() - began
                rate = (args.tests - tests_left + args.invokes - invokes_left) / elapsed
                print(f"{'after':>22} {done['tests'] - 100:>7} {done['invokes'] - 100:>8} {rss_mb(process.pid):>8.1f} "
                      f"{open_files(process.pid):>11} {rate:>7.0f}", flush=True)
            end_rss, end_files = rss_mb(process.pid), open_files(process.pid)
            client.close()
        finally:
            stop_server(process)

    grew_rss, grew_files = end_rss - start_rss, end_files - start_files
    print(f"end: RSS {start_rss:.1f} -> {end_rss:.1f} MB ({grew_rss:+.1f}), open files {start_files} -> {end_files} "
          f"({grew_files:+d}), {len(errors)} errors")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    ok = grew_files <= GOAL_FILES and grew_rss <= GOAL_RSS_MB and not errors
    print(f"{'PASS' if ok else 'FAIL'}: goal open files +{GOAL_FILES} at most, RSS +{GOAL_RSS_MB:.0f} MB at most, "
          "no errors")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
