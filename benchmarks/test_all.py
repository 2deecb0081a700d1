"""How long saved events take to run as tests: 200 saved events with expectations over 4 functions.

    python benchmarks/test_all.py                    # 50 events per function, 4 functions
    python benchmarks/test_all.py --events 25        # fewer events per function
    python benchmarks/test_all.py --sample 10        # processes timed for the one-process-per-event baseline

Figures, each the wall time of the whole suite:
- `lambda-console test --all` in a new process: the console starts, every environment starts cold;
- Run all in a running console (the web's button, the pytest plugin's session): first with cold environments, then
  warm, as a second Run all finds them;
- baselines measured in the same run: one `lambda-console test FUNCTION --event NAME` process per event (a script
  looping over the events; timed on `--sample` events and scaled to all of them), and a plain loop of
  `Console.invoke`, one event at a time, warm (a runner that does not run events concurrently).
This is a benchmark, not a test: it reports figures.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from console.config import load_config
from console.core.console import Console

FUNCTIONS = 4
# Handlers of the usual kind: parse the event, do a little work, answer JSON.
HANDLER = (
    "import json\n"
    "def handler(event, context):\n"
    "    items = [n * n for n in range(event['n'])]\n"
    "    return {'statusCode': 200, 'body': json.dumps({'n': event['n'], 'total': sum(items)})}\n"
)


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def prepare(data: Path, per_function: int) -> list[tuple[str, str]]:
    """A data folder with FUNCTIONS functions, each with `per_function` saved events that have expectations."""
    tests = []
    with Console(load_config(data, {"load_samples": False})) as console:
        for index in range(FUNCTIONS):
            name = f"bench-{index}"
            console.create_function(name, package(), "app.handler")
            for number in range(per_function):
                event = f"event-{number:03d}"
                console.save_event(name, event, f'{{"n": {number}}}')
                total = sum(n * n for n in range(number))
                body = f'{{\\"n\\": {number}, \\"total\\": {total}}}'
                console.set_expectation(name, event, f'{{"statusCode": 200, "body": "{body}"}}', "success")
                tests.append((name, event))
    return tests


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", "--data-dir", str(data), *args], capture_output=True,
                          check=False, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50, help="saved events per function (default 50)")
    parser.add_argument("--sample", type=int, default=12, help="events timed one process each (default 12)")
    args = parser.parse_args()
    total = FUNCTIONS * args.events

    with tempfile.TemporaryDirectory(prefix="bench-test-all-") as folder:
        data = Path(folder) / "data"
        tests = prepare(data, args.events)

        cli_seconds, proc = timed(lambda: cli(data, "test", "--all"))
        last_line = proc.stdout.decode().strip().splitlines()[-1] if proc.stdout else proc.stderr.decode()
        assert proc.returncode == 0, proc.stdout.decode()[-2000:] + proc.stderr.decode()

        with Console(load_config(data, {"load_samples": False})) as console:
            concurrency = console.config.max_environments
            cold_seconds, cold = timed(lambda: console.run_tests())
            warm_seconds, warm = timed(lambda: console.run_tests())
            assert cold.failed == warm.failed == 0 and cold.passed == warm.passed == total
            payloads = [(name, console.get_event(name, event).payload) for name, event in tests]
            loop_seconds, _ = timed(lambda: [console.invoke(name, payload) for name, payload in payloads])

        sample = tests[:: max(1, len(tests) // args.sample)][: args.sample]
        sample_seconds, _ = timed(lambda: [cli(data, "test", name, "--event", event) for name, event in sample])
        per_process = sample_seconds / len(sample)

    print(f"{total} saved events with expectations over {FUNCTIONS} functions "
          f"(Run all runs {concurrency} at once; {os.cpu_count()} CPUs)")
    print(f"  lambda-console test --all, new process, cold      {cli_seconds:8.2f} s   ({last_line})")
    print(f"  Run all in a running console, cold environments   {cold_seconds:8.2f} s")
    print(f"  Run all in a running console, warm                {warm_seconds:8.2f} s   "
          f"({warm_seconds / total * 1000:.1f} ms per event)")
    print("Baselines, measured in the same run:")
    print(f"  one 'lambda-console test' process per event       {per_process * total:8.2f} s   "
          f"({per_process:.2f} s each, timed on {len(sample)} events)")
    print(f"  a plain loop of Console.invoke, one at a time     {loop_seconds:8.2f} s   (warm)")
    print(f"test --all against one process per event: {per_process * total / cli_seconds:.0f}x faster; "
          f"warm Run all against the plain loop: {loop_seconds / warm_seconds:.1f}x")


if __name__ == "__main__":
    main()
