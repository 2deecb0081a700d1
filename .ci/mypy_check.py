"""mypy over console/ with a ratchet: console/core and console/engine clean, the rest no worse than the baseline.

    .venv/bin/python .ci/mypy_check.py            # check (what .ci/run does)
    .venv/bin/python .ci/mypy_check.py --update   # write the current counts, after fixing errors (never to add any)

The baseline (.ci/mypy-baseline.txt) holds `<errors> <file>` lines. A file with more errors than its line allows, a
file not listed with any error, or any error in a package that must stay clean fails the check; a file with fewer is
reported, so that its line can be lowered. --update refuses to raise a count or add a file: the baseline only shrinks.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
CLEAN = ("console/core/", "console/engine/")
ERROR = re.compile(r"^(?P<file>[^:\s]+\.py):\d+(?::\d+)?: error: ")


def current_counts() -> tuple[Counter[str], str]:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if proc.returncode not in (0, 1):
        sys.exit(f"mypy could not run:\n{proc.stdout}{proc.stderr}")
    counts: Counter[str] = Counter()
    for line in proc.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            counts[match["file"]] += 1
    return counts, proc.stdout


def read_baseline() -> dict[str, int]:
    baseline = {}
    for line in BASELINE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            count, file = line.split(maxsplit=1)
            baseline[file] = int(count)
    return baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--update", action="store_true", help="write the lower counts into the baseline")
    args = parser.parse_args()
    counts, output = current_counts()
    baseline = read_baseline()
    failures = [f"{file}: {n} error(s); {', '.join(CLEAN)} must have none" for file, n in sorted(counts.items())
                if file.startswith(CLEAN)]
    failures += [f"{file}: {n} error(s), the baseline allows {baseline.get(file, 0)}"
                 for file, n in sorted(counts.items()) if not file.startswith(CLEAN) and n > baseline.get(file, 0)]
    lower = {file: counts.get(file, 0) for file, allowed in baseline.items() if counts.get(file, 0) < allowed}
    if failures:
        failing = {line.split(":", 1)[0] for line in failures}
        print("".join(line + "\n" for line in output.splitlines() if line.split(":", 1)[0] in failing), end="")
        print("mypy: new errors:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    if args.update:
        kept = {file: n for file, n in counts.items() if n}
        lines = [f"{n} {file}" for file, n in sorted(kept.items())]
        header = "# mypy errors allowed per file (.ci/mypy_check.py); counts only ever go down.\n"
        BASELINE.write_text(header + "\n".join(lines) + "\n")
        print(f"mypy baseline: {sum(kept.values())} error(s) in {len(kept)} file(s)")
        return 0
    for file, n in sorted(lower.items()):
        print(f"mypy: {file} is down to {n} error(s) from {baseline[file]}: lower its line "
              "(.ci/mypy_check.py --update)")
    print(f"mypy: {sum(counts.values())} error(s), none new; {', '.join(CLEAN)} clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
