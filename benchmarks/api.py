"""The REST API's cost: Invoke through boto3 beside GetFunction, and throughput under concurrent clients.

    python benchmarks/api.py            # the full run (about a minute)
    python benchmarks/api.py --quick    # fewer calls and a shorter load, for a first look

It starts its own `lambda-console serve` on a free port over a temporary data folder, then, from one run, prints:
  - the median (and p90) of 500 warm Invoke calls of handlers/hello_python (the seed's handler) through one boto3
    client, beside the median of 500 GetFunction calls through the same client, interleaved so that both see the same
    machine. GetFunction is the floor: signing, HTTP, Flask and a database read, no handler. Goal: Invoke <= 1.5 x
    GetFunction;
  - the throughput of 8 client threads (a boto3 client each) invoking for 20 s: invocations per second and the
    p50/p99 latency.
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import lambda_client, percentile, start_server, stop_server

FUNCTION = "hello_python"  # a sample function: every new data folder has it
EVENT = b'{"first_name": "Ada", "last_name": "Lovelace"}'
EXPECTED = b'{"message": "Hello Ada Lovelace!"}'
INVOKE_FACTOR_GOAL = 1.5


def client(url: str):
    return lambda_client(url, pool=4)


def invoke(lam) -> None:
    answer = lam.invoke(FunctionName=FUNCTION, Payload=EVENT)
    payload = answer["Payload"].read()
    if payload != EXPECTED or "FunctionError" in answer:
        raise RuntimeError(f"unexpected answer from {FUNCTION}: {payload[:300]!r}")


def latency(lam, calls: int) -> tuple[list[float], list[float]]:
    """Interleaved Invoke and GetFunction wall times, in milliseconds."""
    invokes, gets = [], []
    for _ in range(calls):
        start = time.perf_counter()
        invoke(lam)
        invokes.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        lam.get_function(FunctionName=FUNCTION)
        gets.append((time.perf_counter() - start) * 1000)
    return invokes, gets


def throughput(url: str, threads: int, seconds: float) -> tuple[int, list[float], int]:
    """`threads` clients invoking for `seconds`: (invocations, latencies in ms, errors)."""
    clients = [client(url) for _ in range(threads)]
    for lam in clients:
        invoke(lam)  # connect and warm an environment per client before the clock starts
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    samples: list[str] = []  # the first few errors, to say what went wrong
    start_gate = threading.Barrier(threads + 1)
    deadline = 0.0

    def run(index: int) -> None:
        lam, own = clients[index], latencies[index]
        start_gate.wait()
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                invoke(lam)
            except Exception as exc:  # noqa: BLE001 - counted and reported, the load goes on
                errors[index] += 1
                if len(samples) < 3:
                    samples.append(f"{type(exc).__name__}: {exc}")
                continue
            own.append((time.perf_counter() - start) * 1000)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    deadline = time.perf_counter() + seconds
    start_gate.wait()
    for worker in workers:
        worker.join()
    for lam in clients:
        lam.close()
    every = [value for own in latencies for value in own]
    for sample in samples:
        print(f"  error: {sample}")
    return len(every), every, sum(errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 calls and a 5 s load: a first look, not figures")
    parser.add_argument("--calls", type=int, default=None, help="Invoke and GetFunction calls each (default 500)")
    parser.add_argument("--threads", type=int, default=8, help="client threads of the load (default 8)")
    parser.add_argument("--seconds", type=float, default=None, help="length of the load (default 20)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    calls = args.calls or (100 if args.quick else 500)
    seconds = args.seconds or (5.0 if args.quick else 20.0)

    print(f"lambda-console REST API benchmark: Python {platform.python_version()}, {platform.system()} "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="lambda-console-bench-") as folder:
        process, url = start_server(Path(folder) / "data")
        try:
            lam = client(url)
            for _ in range(20):  # warm: the environment, the connection, Flask's first requests
                invoke(lam)
                lam.get_function(FunctionName=FUNCTION)
            invokes, gets = latency(lam, calls)
            lam.close()
            count, load, errors = throughput(url, args.threads, seconds)
        finally:
            stop_server(process)

    invoke_median, get_median = statistics.median(invokes), statistics.median(gets)
    factor = invoke_median / get_median
    rate = count / seconds
    print(f"\nwarm Invoke through boto3 ({calls} calls):  median {invoke_median:.2f} ms, "
          f"p90 {percentile(invokes, 0.9):.2f} ms")
    print(f"GetFunction through boto3 ({calls} calls): median {get_median:.2f} ms, p90 {percentile(gets, 0.9):.2f} ms")
    factor_ok = factor <= INVOKE_FACTOR_GOAL
    print(f"Invoke / GetFunction: {factor:.2f} x   goal <= {INVOKE_FACTOR_GOAL} x   "
          f"{'met' if factor_ok else 'MISSED'}")
    print(f"\n{args.threads} client threads invoking for {seconds:.0f} s: {count} invocations, {rate:.0f} per second, "
          f"p50 {percentile(load, 0.5):.2f} ms, p99 {percentile(load, 0.99):.2f} ms, {errors} errors")
    return 1 if args.check and (not factor_ok or errors) else 0


if __name__ == "__main__":
    sys.exit(main())
