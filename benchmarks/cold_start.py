"""Cold start of a package with pandas: from its zip (stored as the console stores uploads) against the same files in
a folder, and against the zip unpacked without its timestamps (how the console unpacked before).

    python benchmarks/cold_start.py                  # pip installs pandas into a temporary folder first
    python benchmarks/cold_start.py --rounds 3       # fewer cold starts per way
    python benchmarks/cold_start.py --package-dir D  # reuse a folder made by `pip install --target D pandas`

The package is what a user builds: `pip install --target` (which compiles every .py to a .pyc), a handler that
imports pandas, zipped with the zip tool (which records each file's exact time) or, without it, by Python writing
the same extended timestamps. Each cold start is a new execution environment; the figure is Lambda's Init Duration
(the handler module's import), the median of the rounds.
Goal beside the figures: the zip's cold start within 1.2 x the folder's.
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from console.core.packages import PackageStore
from console.core.store import Store
from console.core.unzip import unpack_zip
from console.engine import Engine, FunctionSpec

HANDLER_SOURCE = "import pandas\n\n\ndef handler(event, context):\n    return pandas.__version__\n"
GOAL_FACTOR = 1.2


def install(target: Path) -> None:
    print(f"pip install --target {target} pandas ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target",
                    str(target), "pandas"], check=True)


def zip_with_times(folder: Path, zip_path: Path) -> None:
    """Zip the folder's contents as a user would, each entry with its file's exact modification time."""
    if shutil.which("zip"):
        subprocess.run(["zip", "-q", "-r", str(zip_path), "."], cwd=folder, check=True)
        return
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            info = zipfile.ZipInfo.from_file(path, path.relative_to(folder).as_posix())
            info.extra = struct.pack("<HHBi", 0x5455, 5, 1, int(path.stat().st_mtime))  # Info-ZIP's UT field
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, b"" if path.is_dir() else path.read_bytes())


def unpack_without_times(zip_path: Path, into: Path) -> None:
    """The zip unpacked as before: every file dated when it was unzipped, so each .pyc looks stale."""
    into.mkdir()
    unpack_zip(zip_path, into, max_unzipped_bytes=1 << 40)
    now = time.time()
    for folder, _, files in os.walk(into):
        for name in files:
            os.utime(os.path.join(folder, name), (now, now))
    for folder, _, _ in sorted(os.walk(into), key=lambda walked: walked[0].count(os.sep), reverse=True):
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if not os.path.isdir(path):
                os.chmod(path, 0o444)
        os.chmod(folder, 0o555)


def cold_start(engine: Engine, name: str, code_dir: Path) -> float:
    """One cold start in a new execution environment: its Init Duration (ms)."""
    spec = FunctionSpec(name=name, code_dir=code_dir, handler="app.handler", timeout=120, memory=2048)
    engine.retire(name)
    result = engine.invoke(spec, b"{}")
    engine.retire(name)
    if not result.succeeded or result.init_duration_ms is None:
        raise SystemExit(f"{name}: the cold start failed: {result.payload.decode()}\n{result.log}")
    return result.init_duration_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="cold starts per way (default 5)")
    parser.add_argument("--package-dir", type=Path, help="a folder made by `pip install --target DIR pandas`")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cold-start-") as temp:
        work = Path(temp)
        folder = work / "folder"
        if args.package_dir:
            shutil.copytree(args.package_dir, folder, symlinks=True)  # copy2: the times and the .pyc files as pip left them
        else:
            install(folder)
        (folder / "app.py").write_text(HANDLER_SOURCE)
        zip_path = work / "package.zip"
        zip_with_times(folder, zip_path)
        pycs = sum(1 for _ in folder.rglob("*.pyc"))
        print(f"package: pandas, {pycs:,} .pyc files, zip {zip_path.stat().st_size / 2**20:.1f} MB", flush=True)

        store = Store(work / "data" / "lambda-console.sqlite3")
        packages = PackageStore(store, work / "data" / "packages", max_zip_bytes=1 << 30, max_unzipped_bytes=1 << 30)
        with open(zip_path, "rb") as file:
            stored = packages.add(file, "package.zip")
        before = work / "unpacked-without-times"
        unpack_without_times(zip_path, before)

        ways = [("folder (pip's files as they are)", folder),
                ("zip, stored (timestamps kept)", stored.code_dir),
                ("zip, unpacked without timestamps (before)", before)]
        results: dict[str, list[float]] = {label: [] for label, _ in ways}
        with Engine(max_environments=2) as engine:
            for n, (_, code_dir) in enumerate(ways):
                cold_start(engine, f"way{n}", code_dir)  # unmeasured: the file cache holds each way's files alike
            for _ in range(args.rounds):  # the ways take turns, so a busy moment of the machine hits them alike
                for n, (label, code_dir) in enumerate(ways):
                    results[label].append(cold_start(engine, f"way{n}", code_dir))
        packages.close()
        store.close()

    print(f"\nInit Duration of a cold start, {args.rounds} rounds each (ms):")
    print(f"  {'':44} {'median':>8} {'min':>8} {'max':>8}")
    for label, inits in results.items():
        print(f"  {label:44} {statistics.median(inits):8.1f} {min(inits):8.1f} {max(inits):8.1f}")
    folder_ms = statistics.median(results[ways[0][0]])
    zip_ms = statistics.median(results[ways[1][0]])
    before_ms = statistics.median(results[ways[2][0]])
    factor = zip_ms / folder_ms
    met = factor <= GOAL_FACTOR
    print(f"\nzip / folder: {factor:.2f} x   goal <= {GOAL_FACTOR} x: {'met' if met else 'MISSED'}")
    print(f"before (zip without timestamps) / folder: {before_ms / folder_ms:.2f} x")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
