"""Cold start of a function whose libraries come from layers, against the same libraries in its own package.

    python benchmarks/layers.py                 # 5 rounds each, 40 small packages in all
    python benchmarks/layers.py --rounds 3 --packages 100

The libraries are `--packages` small Python packages (a few modules each), split over 5 layers (half of each layer's
in python/, half in python/lib/python3.X/site-packages/), or all in the function's own package: the baseline. The
layers reach the engine as the Console gives them, one folder merged once from links (console.core.layer_tree), and,
for comparison, as five folders the sandbox merges itself with a bind mount per entry they do not share. Each cold
start is a new execution environment; the figure is the wall time of the whole first invocation, starting the worker
included, and Lambda's Init Duration (from the worker's start to the handler module imported), the median of the
rounds.
Goal beside the figures: five layers' cold start within 1.5 x the baseline's.
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from console.core.layer_tree import LayerTrees
from console.engine import Engine, FunctionSpec
from console.engine.sandbox import unsandboxed_reason

GOAL_FACTOR = 1.5
LAYERS = 5
SITE = "python/lib/python{}.{}/site-packages".format(*sys.version_info[:2])


def write_library(root: Path, name: str) -> None:
    package = root / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"from {name}.core import VALUE\n")
    (package / "core.py").write_text("from . import util\nVALUE = util.double(21)\n")
    (package / "util.py").write_text("def double(n):\n    return 2 * n\n")


def build(folder: Path, packages: int) -> tuple[Path, tuple[Path, ...], Path]:
    """(the function's code, its layers, the baseline's code with every library inside)."""
    names = [f"lib{i:03d}" for i in range(packages)]
    source = "".join(f"import {name}\n" for name in names)
    source += f"\n\ndef handler(event, context):\n    return sum(m.VALUE for m in ({', '.join(names)},))\n"
    code, baseline = folder / "code", folder / "baseline"
    for target in (code, baseline):
        target.mkdir()
        (target / "app.py").write_text(source)
    layers = tuple(folder / f"layer{i}" for i in range(LAYERS))
    for index, name in enumerate(names):
        layer = layers[index % LAYERS]
        write_library(layer / ("python" if index % 2 else SITE), name)
        write_library(baseline, name)
    return code, layers, baseline


def cold_start(engine: Engine, name: str, code_dir: Path, layers: tuple[Path, ...]) -> tuple[float, float]:
    """One cold start in a new execution environment: (wall ms of the invocation, Init Duration ms)."""
    spec = FunctionSpec(name=name, code_dir=code_dir, handler="app.handler", timeout=120, layers=layers)
    engine.retire(name)
    started = time.perf_counter()
    result = engine.invoke(spec, b"{}")
    wall = (time.perf_counter() - started) * 1000
    engine.retire(name)
    if not result.succeeded or result.init_duration_ms is None:
        raise SystemExit(f"{name}: the cold start failed: {result.payload.decode()}\n{result.log}")
    return wall, result.init_duration_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="cold starts per way (default 5)")
    parser.add_argument("--packages", type=int, default=40, help="small packages in all (default 40)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args()
    print(f"sandbox: {unsandboxed_reason() or 'bwrap'}; {args.packages} packages; {LAYERS} layers", flush=True)
    with tempfile.TemporaryDirectory() as temp:
        code, layers, baseline = build(Path(temp), args.packages)
        started = time.perf_counter()
        merged = LayerTrees(Path(temp) / "merged").merged(layers)
        print(f"merging the {LAYERS} layers once: {(time.perf_counter() - started) * 1000:.1f} ms", flush=True)
        ways = {"baseline: libraries in the function's package": (baseline, ()),
                f"libraries in {LAYERS} layers, merged once": (code, (merged,)),
                f"libraries in {LAYERS} layer folders, mounted apart": (code, layers)}
        figures: dict[str, list[tuple[float, float]]] = {label: [] for label in ways}
        with Engine(max_environments=2) as engine:
            for label, (code_dir, layer_dirs) in ways.items():
                cold_start(engine, "warmup", code_dir, layer_dirs)  # the first start also fills the OS's caches
            for _ in range(args.rounds):  # interleaved, so a busy moment of the machine hits every way alike
                for label, (code_dir, layer_dirs) in ways.items():
                    figures[label].append(cold_start(engine, "bench", code_dir, layer_dirs))
    print(f"\nCold start, {args.rounds} rounds each (ms, median):")
    print(f"  {'':48} {'wall':>8} {'init':>8}")
    medians = {}
    for label, rows in figures.items():
        wall, init = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
        medians[label] = wall
        print(f"  {label:48} {wall:8.1f} {init:8.1f}")
    base, layered, _ = medians.values()
    factor = layered / base
    met = factor <= GOAL_FACTOR
    print(f"\nlayers merged / baseline (wall): {factor:.2f} x   goal <= {GOAL_FACTOR} x: {'met' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
