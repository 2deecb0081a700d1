"""What choosing a function's Python costs, and a cold start on another interpreter beside one on the console's own.

    python benchmarks/interpreters.py

Prints, from one run:
  - choosing the interpreter for a runtime as every invocation does (cached: a dictionary look-up and one stat), beside
    a bare dictionary look-up, the floor;
  - choosing it afresh (the PATH, uv's and pyenv's folders, the version known from the cache on disk), as after the
    choice's few seconds have passed;
  - asking an interpreter its version (starting it once), which the caches spare every later invocation;
  - a cold invocation on another installed Python (pyenv's or uv's) beside a cold invocation on the console's own,
    in turns, sandboxed where bubblewrap runs.
Goal beside the figures: the cached choice under 20 microseconds, so that invocations pay nothing noticeable.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.engine import Engine, FunctionSpec
from console.engine.interpreters import Interpreters, _probe, find

OWN = f"python{sys.version_info.major}.{sys.version_info.minor}"


def per_call_us(call, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        call()
    return (time.perf_counter() - start) / rounds * 1e6


def main() -> None:
    other = next((found for runtime in ("python3.12", "python3.13", "python3.10", "python3.9") if runtime != OWN
                  for found in [find(runtime)[0]] if found is not None), None)
    runtime = other.runtime if other else "python3.12"
    chooser = Interpreters()
    chooser.choose(runtime)
    table = {runtime: 1}
    print(f"choosing the Python for {runtime} ({'found: ' + other.path if other else 'none installed'})")
    print(f"  dictionary look-up (floor)       {per_call_us(lambda: table.get(runtime), 200_000):8.2f} us")
    print(f"  cached choice (every invocation) {per_call_us(lambda: chooser.choose(runtime), 200_000):8.2f} us")
    print(f"  fresh choice (every 10 s)        {per_call_us(lambda: Interpreters().choose(runtime), 200):8.2f} us")
    if other is not None:
        probes = [per_call_us(lambda: _probe(other.path), 1) for _ in range(5)]
        print(f"  starting it to ask its version   {statistics.median(probes) / 1000:8.2f} ms (spared by the caches)")
    if other is None:
        print("no other Python installed: cold starts not compared")
        return
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "app.py").write_text("def handler(event, context):\n    return 1\n")
        choice = chooser.choose(runtime)
        theirs = FunctionSpec(name="theirs", code_dir=Path(folder), handler="app.handler", runtime=runtime,
                              interpreter=choice.interpreter)
        mine = FunctionSpec(name="mine", code_dir=Path(folder), handler="app.handler")
        cold: dict[str, list[float]] = {"mine": [], "theirs": []}
        with Engine(max_environments=2) as engine:
            engine.invoke(mine), engine.invoke(theirs)  # the runtime folders and bytecode, made once
            for _ in range(15):
                for name, spec in (("mine", mine), ("theirs", theirs)):
                    engine.retire(spec.name)
                    start = time.perf_counter()
                    engine.invoke(spec)
                    cold[name].append((time.perf_counter() - start) * 1000)
    print("cold invocation, median of 15, in turns")
    print(f"  on the console's own {OWN:<12} {statistics.median(cold['mine']):8.2f} ms (baseline)")
    print(f"  on {other.path:<30} {statistics.median(cold['theirs']):8.2f} ms")


if __name__ == "__main__":
    main()
