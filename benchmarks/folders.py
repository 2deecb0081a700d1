"""Folder functions' costs, measured beside a stored package's in the same run:

    python benchmarks/folders.py           # 300 warm invocations each, 10 saves
    python benchmarks/folders.py --quick   # fewer

Prints:
  - the median of warm invocations of the same handler stored as a package (the baseline) and run from a folder,
    with a small folder (1 file) and a larger one (500 files): a folder's code is looked at (its files' sizes and
    times) on each invocation, so that a save is never missed;
  - the time from a saved file to the warm environment retired, with no request (goal: under 1 s), over several saves.
This is a benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from console.config import load_config
from console.core.console import Console

HANDLER = "def handler(event, context):\n    return {value!r}\n"


def zip_of(source: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def warm_median(console: Console, name: str, count: int) -> float:
    console.invoke(name, b"{}")  # cold start
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        record = console.invoke(name, b"{}")
        samples.append((time.perf_counter() - start) * 1000)
        assert record.succeeded, record.payload
    return statistics.median(samples)


def reload_times(console: Console, folder: Path, name: str, saves: int) -> list[float]:
    watcher = console.sources.watcher
    assert watcher is not None
    times = []
    for number in range(saves):
        console.invoke(name, b"{}")  # a warm environment to retire
        while not watcher.ready.is_set():
            time.sleep(0.01)
        time.sleep(0.3)
        start = time.perf_counter()
        (folder / "app.py").write_text(HANDLER.format(value=f"save {number}"))
        while any(env.function == name for env in console.engine.environments()):
            time.sleep(0.002)
            if time.perf_counter() - start > 10:
                raise SystemExit("a save did not retire the environment within 10 s")
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, saves = (50, 3) if args.quick else (300, 10)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        with Console(load_config(root / "data", {"load_samples": False})) as console:
            console.create_function("packaged", zip_of(HANDLER.format(value="x")), "app.handler")
            small, large = root / "small", root / "large"
            for folder, extra in ((small, 0), (large, 499)):
                folder.mkdir()
                (folder / "app.py").write_text(HANDLER.format(value="x"))
                for index in range(extra):
                    (folder / f"module_{index}.py").write_text(f"VALUE = {index}\n")
            console.create_folder_function("small", small, "app.handler")
            console.create_folder_function("large", large, "app.handler")
            baseline = warm_median(console, "packaged", count)
            print(f"warm invoke, median of {count}:")
            print(f"  stored package (baseline)  {baseline:7.2f} ms")
            for name, files in (("small", 1), ("large", 500)):
                median = warm_median(console, name, count)
                print(f"  folder of {files:>3} file(s)        {median:7.2f} ms  ({median - baseline:+.2f} ms)")
            times = reload_times(console, small, "small", saves)
            print(f"save -> warm environment retired, {saves} saves: median {statistics.median(times):.0f} ms, "
                  f"max {max(times):.0f} ms (goal: under 1000 ms)")


if __name__ == "__main__":
    main()
