"""A `lambda-console serve` of its own for a benchmark: started on a free port over a given data folder, stopped;
and what the benchmarks that talk to it share (a boto3 Lambda client of it, percentiles, Chromium's command line)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Headless Chromium as the browser benchmarks drive it (Debian's chromium; Playwright cannot download its own here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def start_server(data_dir: Path, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """`lambda-console serve --port 0 [args]` with `env` added to the environment; returns the process and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--data-dir", str(data_dir), "serve", "--port", "0", *args],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )
    line = process.stderr.readline().decode()
    match = re.search(r"at (http://[\d.]+:\d+)/", line)
    if not match:
        process.kill()
        raise SystemExit(f"lambda-console serve did not start: {line}{process.stderr.read().decode()}")
    return process, match.group(1)


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def rss_mb(pid: int) -> float:
    """The process's resident memory in MB, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def lambda_client(url: str, pool: int = 10):
    """A boto3 Lambda client of the server at `url` that never retries (a retry would hide a failure's cost)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=pool),
    )


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
