"""What a SAM template costs `lambda-console invoke`: the template path beside the plain folder path, in turns.

    python benchmarks/sam_template.py            # 15 rounds
    python benchmarks/sam_template.py --rounds 5

Prints, from one run:
  - reading tests/sam_projects/params_app/template.yaml in this process (PyYAML's import once, then each read);
  - the whole `lambda-console invoke --template template.yaml GreetFunction` process, beside its baseline, the
    same function run as `lambda-console invoke greet --handler app.handler --env ...` (no template, no YAML),
    alternated so that both see the same machine.
Goal beside the figures: the template path adds <= 60 ms to the whole process (PyYAML's import and the read).
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "tests" / "sam_projects" / "params_app"
GOAL_MS = 60.0


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=PROJECT, capture_output=True, check=True, timeout=120)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args()

    start = time.perf_counter()
    from console.core.sam import read_template

    read_template(PROJECT / "template.yaml")
    first = (time.perf_counter() - start) * 1000
    reads = []
    for _ in range(20):
        start = time.perf_counter()
        template = read_template(PROJECT / "template.yaml")
        reads.append((time.perf_counter() - start) * 1000)
    greet = template.function("GreetFunction")
    print(f"read_template, first (PyYAML imported): {first:7.2f} ms")
    print(f"read_template, median of 20:            {statistics.median(reads):7.2f} ms")

    base = [sys.executable, "-m", "console", "invoke", "--event", "events/event.json"]
    with_template = [*base, "--template", "template.yaml", "GreetFunction"]
    env = [item for name, value in greet.environment.items() for item in ("--env", f"{name}={value}")]
    plain = [*base, "greet", "--handler", greet.handler, "--timeout", str(greet.timeout), "--memory",
             str(greet.memory), *env]
    timed(with_template), timed(plain)  # warm the file cache
    templates, plains = [], []
    for _ in range(args.rounds):
        templates.append(timed(with_template))
        plains.append(timed(plain))
    added = statistics.median(templates) - statistics.median(plains)
    print(f"invoke --template (whole process), median: {statistics.median(templates):7.1f} ms")
    print(f"invoke FOLDER (baseline), median:          {statistics.median(plains):7.1f} ms")
    print(f"the template adds:                         {added:7.1f} ms (goal <= {GOAL_MS:.0f} ms)")
    return 1 if args.check and added > GOAL_MS else 0


if __name__ == "__main__":
    sys.exit(main())
