"""Function URLs' cost: a warm GET through a function URL beside the same function through the REST API's Invoke,
and requests per second under 16 concurrent clients.

    python benchmarks/function_urls.py            # the full run (about a minute)
    python benchmarks/function_urls.py --quick    # fewer calls and a shorter load, for a first look

It starts its own `lambda-console serve` (console and function URL ports picked free) over a temporary data folder,
creates one function answering `{"statusCode": 200, "body": "ok"}` with a function URL, then, from one run, prints:
  - the median (and p90) of 500 warm GETs through the function URL (plain HTTP, one kept-alive connection: the
    request becomes a payload 2.0 event, is invoked, recorded in the history and converted back), interleaved with
    500 Invoke calls of the same function with the same event through the REST API, both as plain HTTP on a
    kept-alive connection and through boto3 (signing included). Goal: URL GET <= 1.2 x plain-HTTP Invoke;
  - the throughput of 16 client threads (a connection each) sending GETs to the URL for 20 s: requests per second,
    p50/p99 latency and errors.
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import argparse
import http.client
import io
import json
import os
import platform
import re
import statistics
import subprocess
import tempfile
import threading
import time
import zipfile
from urllib.parse import urlsplit

from server import lambda_client, percentile, stop_server

REPO = HERE.parent

FUNCTION = "http_bench"
HANDLER = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'
URL_FACTOR_GOAL = 1.2
ROLE = "arn:aws:iam::123456789012:role/lambda_basic_execution"


def start_serving(data_dir: Path) -> tuple[subprocess.Popen, str, int]:
    """`serve --port 0 --api-port 0`: the process, the console's URL and the function URL port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--data-dir", str(data_dir), "serve", "--port", "0", "--api-port", "0"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})
    url = api_port = None
    text = ""
    while api_port is None and (line := process.stderr.readline().decode()):
        text += line
        if found := re.search(r"lambda-console at (http://[\d.]+:\d+)/", line):
            url = found.group(1)
        if found := re.search(r"Function URLs at http://[\d.]+:(\d+)/", line):
            api_port = int(found.group(1))
    if url is None or api_port is None:
        process.kill()
        raise SystemExit(f"lambda-console serve did not start: {text}{process.stderr.read().decode()}")
    return process, url, api_port


class Plain:
    """One kept-alive HTTP connection."""

    def __init__(self, port: int, host: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.host = host

    def call(self, method: str, path: str, body: bytes | None = None) -> bytes:
        self.connection.request(method, path, body=body, headers={"Host": self.host})
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
        return data


def throughput(api_port: int, host: str, threads: int, seconds: float) -> tuple[int, list[float], int]:
    clients = [Plain(api_port, host) for _ in range(threads)]
    for client in clients:
        client.call("GET", "/")  # connect and warm an environment per client before the clock starts
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    gate = threading.Barrier(threads + 1)
    deadline = 0.0

    def run(index: int) -> None:
        client, own = clients[index], latencies[index]
        gate.wait()
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                client.call("GET", "/")
            except Exception:  # noqa: BLE001 - counted and reported, the load goes on
                errors[index] += 1
                client.connection.close()
                continue
            own.append((time.perf_counter() - start) * 1000)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    deadline = time.perf_counter() + seconds
    gate.wait()
    for worker in workers:
        worker.join()
    every = [value for own in latencies for value in own]
    return len(every), every, sum(errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 calls and a 5 s load: a first look, not figures")
    parser.add_argument("--calls", type=int, default=None, help="calls of each kind (default 500)")
    parser.add_argument("--threads", type=int, default=16, help="client threads of the load (default 16)")
    parser.add_argument("--seconds", type=float, default=None, help="length of the load (default 20)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    calls = args.calls or (100 if args.quick else 500)
    seconds = args.seconds or (5.0 if args.quick else 20.0)

    print(f"lambda-console function URL benchmark: Python {platform.python_version()}, {platform.system()} "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="lambda-console-bench-") as folder:
        process, url, api_port = start_serving(Path(folder) / "data")
        try:
            lam = lambda_client(url)
            package = io.BytesIO()
            with zipfile.ZipFile(package, "w") as archive:
                archive.writestr("bench.py", HANDLER)
            lam.create_function(FunctionName=FUNCTION, Runtime="python3.12", Role=ROLE, Handler="bench.handler",
                                Code={"ZipFile": package.getvalue()})
            function_url = lam.create_function_url_config(FunctionName=FUNCTION, AuthType="NONE")["FunctionUrl"]
            host = urlsplit(function_url).netloc
            site = Plain(api_port, host)
            site.call("GET", "/")
            # The same event the URL's GET hands the function, sent through Invoke.
            event = json.dumps({"version": "2.0", "routeKey": "$default", "rawPath": "/", "rawQueryString": "",
                                "headers": {"host": host, "accept-encoding": "identity"},
                                "requestContext": {"http": {"method": "GET", "path": "/"}},
                                "isBase64Encoded": False}).encode()
            invoke_path = f"/2015-03-31/functions/{FUNCTION}/invocations"
            console_port = int(urlsplit(url).port)
            api = Plain(console_port, f"127.0.0.1:{console_port}")
            for _ in range(20):  # warm: the environment, the connections
                site.call("GET", "/")
                api.call("POST", invoke_path, event)
                lam.invoke(FunctionName=FUNCTION, Payload=event)["Payload"].read()
            gets, plain_invokes, boto_invokes = [], [], []
            for _ in range(calls):
                start = time.perf_counter()
                site.call("GET", "/")
                gets.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                api.call("POST", invoke_path, event)
                plain_invokes.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                lam.invoke(FunctionName=FUNCTION, Payload=event)["Payload"].read()
                boto_invokes.append((time.perf_counter() - start) * 1000)
            lam.close()
            count, load, errors = throughput(api_port, host, args.threads, seconds)
        finally:
            stop_server(process)

    get_median, invoke_median = statistics.median(gets), statistics.median(plain_invokes)
    factor = get_median / invoke_median
    print(f"\nwarm GET through the function URL ({calls} calls):    median {get_median:.2f} ms, "
          f"p90 {percentile(gets, 0.9):.2f} ms")
    print(f"warm Invoke, plain HTTP, same event ({calls} calls):  median {invoke_median:.2f} ms, "
          f"p90 {percentile(plain_invokes, 0.9):.2f} ms")
    print(f"warm Invoke through boto3, same event ({calls} calls): median {statistics.median(boto_invokes):.2f} ms, "
          f"p90 {percentile(boto_invokes, 0.9):.2f} ms")
    factor_ok = factor <= URL_FACTOR_GOAL
    print(f"URL GET / plain Invoke: {factor:.2f} x   goal <= {URL_FACTOR_GOAL} x   {'met' if factor_ok else 'MISSED'}")
    print(f"\n{args.threads} clients sending GETs to the URL for {seconds:.0f} s: {count} requests, "
          f"{count / seconds:.0f} per second, p50 {percentile(load, 0.5):.2f} ms, p99 {percentile(load, 0.99):.2f} ms, "
          f"{errors} errors")
    return 1 if args.check and (not factor_ok or errors) else 0


if __name__ == "__main__":
    sys.exit(main())
