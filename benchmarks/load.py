"""Load held: many clients invoking several functions through the REST API, nothing lost, nothing mixed up.

    python benchmarks/load.py               # 16 client threads, 4 functions, 60 s
    python benchmarks/load.py --seconds 10  # a shorter look

It starts `lambda-console serve` on a free port over a temporary data folder, creates four echo functions through
boto3 (CreateFunction), and has each client thread invoke them in turn with a payload carrying a unique id that the
handler returns with the function's name. It prints the throughput, p50 and p99 latency, the errors, the responses
that came back for another request or another function (must be zero), and the console's memory (RSS) growth from
after warm-up to the end (goal: under 20 MB). A benchmark, not a test: it reports, and fails (--check) when asked to.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import rss_mb, start_server, stop_server

ECHO = """
def handler(event, context):
    return {"id": event["id"], "function": context.function_name}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--functions", type=int, default=4)
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()

    import boto3
    from botocore.config import Config

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("echo.py", ECHO)
    package = buffer.getvalue()

    with tempfile.TemporaryDirectory(prefix="lambda-console-load-") as folder:
        process, url = start_server(Path(folder) / "data", {"LAMBDA_CONSOLE_MAX_ENVIRONMENTS": "16",
                                                             "LAMBDA_CONSOLE_LOAD_SAMPLES": "false"})
        try:
            config = Config(retries={"max_attempts": 1}, max_pool_connections=args.threads * 2,
                            read_timeout=60, connect_timeout=10)
            session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                            region_name="us-east-1")
            client = session.client("lambda", endpoint_url=url, config=config)
            names = [f"echo-{n}" for n in range(args.functions)]
            for name in names:
                client.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::123456789012:role/x",
                                       Handler="echo.handler", Code={"ZipFile": package})
            for name in names:  # warm-up: every function answers once before the clock starts
                client.invoke(FunctionName=name, Payload=json.dumps({"id": "warm"}).encode())
            rss_start = rss_mb(process.pid)

            latencies: list[float] = []
            errors: list[str] = []
            mismatches: list[str] = []
            lock = threading.Lock()
            stop_at = time.monotonic() + args.seconds

            def client_thread(index: int) -> None:
                own: list[float] = []
                n = index
                while time.monotonic() < stop_at:
                    name = names[n % len(names)]
                    n += 1
                    request_id = uuid.uuid4().hex
                    started = time.perf_counter()
                    try:
                        response = client.invoke(FunctionName=name, Payload=json.dumps({"id": request_id}).encode())
                        answer = json.loads(response["Payload"].read())
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}")
                        continue
                    own.append((time.perf_counter() - started) * 1000)
                    if "FunctionError" in response or answer != {"id": request_id, "function": name}:
                        with lock:
                            mismatches.append(f"{name} {request_id}: {answer}")
                with lock:
                    latencies.extend(own)

            threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(args.threads)]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            rss_end = rss_mb(process.pid)
        finally:
            stop_server(process)

    total = len(latencies)
    ordered = sorted(latencies) or [float("nan")]
    growth = rss_end - rss_start
    print(f"lambda-console load: {args.threads} client threads, {args.functions} functions, {elapsed:.0f} s, "
          f"boto3 Invoke through the REST API, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"  invocations                {total:>10}")
    print(f"  throughput                 {total / elapsed:>10.1f} /s")
    print(f"  latency p50                {statistics.median(ordered):>10.2f} ms")
    print(f"  latency p99                {ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]:>10.2f} ms")
    print(f"  errors                     {len(errors):>10}   goal 0")
    print(f"  mismatched responses       {len(mismatches):>10}   goal 0")
    print(f"  console RSS                {rss_start:>6.1f} -> {rss_end:.1f} MB ({growth:+.1f} MB)   goal < 20 MB")
    for line in (errors + mismatches)[:5]:
        print("   ", line)
    ok = not errors and not mismatches and growth < 20
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
