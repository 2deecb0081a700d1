"""Invocation latency and memory of the engine, side by side with a bare Python start and python-lambda-local.

    python benchmarks/invoke.py            # the full run (a minute or two)
    python benchmarks/invoke.py --quick    # fewer rounds, for a first look

It runs handlers/hello_python (the seed's handler) and prints, from one run:
  - a bare `python -I -c pass` spawn, the baseline of the cold-start goal, and `python -I -S -c pass`, the worker's
    own flags (no site-packages): the floor under any cold start;
  - a cold invocation (a new execution environment: worker start, init, invoke), each after retiring the last one;
  - what simplejson (Lambda's JSON library, which the worker loads only for what plain JSON cannot hold) adds, each
    beside its baseline measured in turns with it: `python -I -S` importing simplejson beside the bare spawn, and a
    cold invocation returning Decimal("2.50") (simplejson loads) beside the same handler returning 2.5 (it does not);
    where bubblewrap is installed, in turns with the same cold invocation without the sandbox
    (LAMBDA_CONSOLE_SANDBOX=off), and the difference: what the sandbox costs a cold start;
  - a warm invocation (a reused environment) and its overhead: wall time minus the handler's own time, measured by
    calling the handler in this process;
  - python-lambda-local (PyPI, the `bench` extra) running the same handler, a subprocess per call, where installed;
  - the whole `lambda-console invoke` process on a zip of the same handler (start, unpack, invoke, clean up, exit),
    run in turns with python-lambda-local so that both see the same machine;
  - this process's RSS before and after 10,000 warm invocations.
Goals beside the figures: cold <= 2.5 x bare spawn; the sandbox <= 10 ms over the same cold start without it; warm overhead median <= 0.25 ms; memory flat (<= 1 MB growth);
the whole CLI process <= 0.5 x python-lambda-local's.
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from console.engine import Engine, FunctionSpec
from console.engine.sandbox import SANDBOX_VARIABLE, unsandboxed_reason

SAMPLE = REPO / "handlers" / "hello_python"
HANDLER = "hello_python.my_handler"
EVENT = b'{"first_name": "Ada", "last_name": "Lovelace"}'
EXPECTED = b'{"message": "Hello Ada Lovelace!"}'

COLD_FACTOR_GOAL = 2.5
SANDBOX_COST_GOAL_MS = 10.0
WARM_OVERHEAD_GOAL_MS = 0.25  # the loopback round trips alone take about 0.1 ms
MEMORY_GROWTH_GOAL_MB = 1.0
CLI_FACTOR_GOAL = 0.5  # of python-lambda-local's time, per whole process


def ms(seconds: float) -> float:
    return seconds * 1000.0


def median_p90(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    """Wall time of each call, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(ms(time.perf_counter() - start))
    return times


def rss_mb() -> float | None:
    """This process's resident memory now (Linux /proc); None where it cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 1_048_576


def bare_spawn(rounds: int, *flags: str) -> list[float]:
    command = [sys.executable, *flags, "-c", "pass"]
    return timed(lambda: subprocess.run(command, check=True), rounds)


def in_turns(calls: tuple[Callable[[], object], ...], rounds: int) -> list[list[float]]:
    """Wall times of each call, one of each per round, so that all see the same machine."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, samples in zip(calls, times, strict=True):
            samples.extend(timed(call, 1))
    return times


def simplejson_spawns(rounds: int) -> list[list[float]]:
    """A bare `python -I -S` spawn, and one importing simplejson from the workers' runtime library folder."""
    from console.engine.runtime_libs import shared_runtime_dir

    runtime_dir, owned = shared_runtime_dir()
    script = f"import sys; sys.path.insert(0, {str(runtime_dir)!r}); import simplejson"
    try:
        return in_turns(
            (
                lambda: subprocess.run([sys.executable, "-I", "-S", "-c", "pass"], check=True),
                lambda: subprocess.run([sys.executable, "-I", "-S", "-c", script], check=True),
            ),
            rounds,
        )
    finally:
        if owned:
            shutil.rmtree(runtime_dir, ignore_errors=True)


# The same work but for the result: a Decimal, which the worker writes with simplejson, or a float, which it does not.
DECIMAL_HANDLER = "from decimal import Decimal\n\n\ndef handler(event, context):\n    return {}(Decimal('2.50'))\n"


def beside(label: str, samples: list[float], baseline_ms: float, note: str) -> tuple[str, str, str, str, str]:
    """A table row: the samples' median and its change from a baseline measured in the same run."""
    median = statistics.median(samples)
    return (label, f"{median:.2f} ms", f"{median - baseline_ms:+.2f} ms", str(len(samples)), note)


def handler_own_time(code_dir: Path, rounds: int) -> float:
    """Median time of the bare function call in this process, in milliseconds: the work any runner must do."""
    spec = importlib.util.spec_from_file_location("hello_python_bench", code_dir / "hello_python.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    event = json.loads(EVENT)
    return statistics.median(timed(lambda: module.my_handler(event, None), rounds))


def lambda_local_command(code_dir: Path) -> list[str] | None:
    script = Path(sys.executable).with_name("python-lambda-local")
    if not script.exists():
        found = shutil.which("python-lambda-local")
        if not found:
            return None
        script = Path(found)
    event_file = code_dir.parent / "event.json"
    event_file.write_bytes(EVENT)
    return [str(script), "-f", "my_handler", "-t", "3", "hello_python.py", str(event_file)]


def cli_command(zip_path: Path, event_file: Path) -> list[str]:
    """`lambda-console invoke` as a user types it: the installed script, else `python -m console`."""
    script = Path(sys.executable).with_name("lambda-console")
    start = [str(script)] if script.exists() else [sys.executable, "-m", "console"]
    return [*start, "invoke", str(zip_path), "--handler", HANDLER, "--event", str(event_file)]


def whole_processes(
    commands: dict[str, tuple[list[str], Path]], rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall time and CPU time (user + system, with the processes it waited for, such as a worker) of each command as
    a whole process, in turns (one of each per round), in milliseconds. CPU time shows the work done whatever else
    the machine is doing; wall time is what a user waits.

    Bytecode is written and used as on a user's machine (PYTHONDONTWRITEBYTECODE is dropped), after one warm-up run
    of each that also fills the OS caches."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO)  # the checkout's console, installed or not

    def call(command: list[str], cwd: Path) -> None:
        out = subprocess.run(command, cwd=cwd, capture_output=True, env=env, check=False)
        if b"Hello Ada Lovelace!" not in out.stdout + out.stderr:
            raise RuntimeError(f"{command[0]} did not answer as expected: {out.stdout + out.stderr!r}")

    def cpu_seconds() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for command, cwd in commands.values():
        call(command, cwd)
    for _ in range(rounds):
        for name, (command, cwd) in commands.items():
            cpu_start, start = cpu_seconds(), time.perf_counter()
            call(command, cwd)
            times[name].append(ms(time.perf_counter() - start))
            cpu[name].append(ms(cpu_seconds() - cpu_start))
    return times, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a first look, not figures to quote")
    parser.add_argument("--runtime-client", choices=("bootstrap", "awslambdaric"), default="bootstrap")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)

    spawn_rounds, cold_rounds, warm_rounds, local_rounds = (10, 10, 500, 5) if args.quick else (30, 30, 2000, 20)
    memory_rounds = 10_000

    with tempfile.TemporaryDirectory(prefix="lambda-console-bench-") as tmp:
        # A copy, as an unpacked zip would be: running it leaves the repository's folder untouched.
        code_dir = Path(shutil.copytree(SAMPLE, Path(tmp) / "hello_python"))
        spec = FunctionSpec(name="hello_python", code_dir=code_dir, handler=HANDLER, runtime_client=args.runtime_client)

        spawn = bare_spawn(spawn_rounds, "-I")
        # The worker starts with -I -S (no site-packages at all): its floor, shown beside the goal's baseline.
        spawn_no_site = bare_spawn(spawn_rounds, "-I", "-S")
        spawn_without, spawn_simplejson = simplejson_spawns(spawn_rounds)
        result_specs = []
        for kind in ("float", "Decimal"):
            folder = Path(tmp) / f"{kind.lower()}_result"
            folder.mkdir()
            (folder / "app.py").write_text(DECIMAL_HANDLER.format(kind))
            result_specs.append(
                FunctionSpec(name=folder.name, code_dir=folder, handler="app.handler", runtime_client=args.runtime_client)
            )
        own_ms = handler_own_time(code_dir, 10_000)

        with Engine() as engine:
            first = engine.invoke(spec, EVENT)  # the engine's one-time setup (Runtime API server) is not a cold start
            if first.payload != EXPECTED:
                print(f"unexpected response: {first.payload!r}\n{first.log}", file=sys.stderr)
                return 1

            cold_times: list[float] = []
            init_times: list[float] = []
            unsandboxed_times: list[float] = []
            sandboxed = unsandboxed_reason() is None
            for _ in range(cold_rounds):
                engine.retire(spec.name)  # the next invocation starts a new environment
                start = time.perf_counter()
                result = engine.invoke(spec, EVENT)
                cold_times.append(ms(time.perf_counter() - start))
                init_times.append(result.init_duration_ms or 0.0)
                assert result.cold and result.payload == EXPECTED
                if sandboxed:  # the same cold start without the sandbox, in turns, so both see the same machine
                    os.environ[SANDBOX_VARIABLE] = "off"
                    try:
                        engine.retire(spec.name)
                        start = time.perf_counter()
                        result = engine.invoke(spec, EVENT)
                        unsandboxed_times.append(ms(time.perf_counter() - start))
                        assert result.cold and result.payload == EXPECTED
                    finally:
                        del os.environ[SANDBOX_VARIABLE]
            engine.retire(spec.name)  # the warm figures below are the sandbox's, where there is one

            def cold_once(spec: FunctionSpec) -> None:
                engine.retire(spec.name)
                result = engine.invoke(spec, EVENT)
                assert result.cold and result.payload in (b"2.5", b"2.50"), result.payload

            float_cold, decimal_cold = in_turns(tuple(lambda s=s: cold_once(s) for s in result_specs), cold_rounds)
            for spec_done in result_specs:
                engine.retire(spec_done.name)

            for _ in range(200):  # settle: caches, allocator, branch predictors
                engine.invoke(spec, EVENT)
            durations: list[float] = []

            def warm_once() -> None:
                result = engine.invoke(spec, EVENT)
                durations.append(result.duration_ms)

            warm = timed(warm_once, warm_rounds)

            gc.collect()
            rss_before = rss_mb()
            worker_before = engine.invoke(spec, EVENT).max_memory_used_mb
            for _ in range(memory_rounds):
                engine.invoke(spec, EVENT)
            gc.collect()
            rss_after = rss_mb()
            worker_after = engine.invoke(spec, EVENT).max_memory_used_mb

        # The seed's zip, as a user makes it (README): the handler's file at the top of the archive.
        zip_path = Path(tmp) / "hello_python.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(SAMPLE / "hello_python.py", "hello_python.py")
        event_file = Path(tmp) / "event.json"
        event_file.write_bytes(EVENT)
        processes: dict[str, tuple[list[str], Path]] = {"cli": (cli_command(zip_path, event_file), Path(tmp))}
        local_command = lambda_local_command(code_dir)
        if local_command is not None:
            processes["local"] = (local_command, code_dir)
        process_times, process_cpu = whole_processes(processes, local_rounds)
        cli_times, local = process_times["cli"], process_times.get("local")

    spawn_med, spawn_p90 = median_p90(spawn)
    cold_med, cold_p90 = median_p90(cold_times)
    warm_med, warm_p90 = median_p90(warm)
    overhead = warm_med - own_ms
    cold_goal = COLD_FACTOR_GOAL * spawn_med

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    misses = []
    rows: list[tuple[str, str, str, str, str]] = [
        ("bare `python -I -c pass` spawn", f"{spawn_med:.2f} ms", f"{spawn_p90:.2f} ms", str(len(spawn)), ""),
        (
            "bare `python -I -S -c pass` spawn",
            f"{median_p90(spawn_no_site)[0]:.2f} ms",
            f"{median_p90(spawn_no_site)[1]:.2f} ms",
            str(len(spawn_no_site)),
            "the worker's own flags",
        ),
        (
            "cold invocation (new environment" + (", sandboxed)" if unsandboxed_times else ")"),
            f"{cold_med:.2f} ms",
            f"{cold_p90:.2f} ms",
            str(len(cold_times)),
            f"<= {COLD_FACTOR_GOAL} x spawn = {cold_goal:.2f} ms: {cold_med / spawn_med:.2f} x "
            + verdict(cold_med <= cold_goal),
        ),
        ("  of which Init Duration (REPORT)", f"{statistics.median(init_times):.2f} ms", "", "", ""),
        beside(
            "  `python -I -S` importing simplejson",
            spawn_simplejson,
            statistics.median(spawn_without),
            f"beside the bare `-I -S` spawn in turns ({statistics.median(spawn_without):.2f} ms)",
        ),
        beside(
            "  cold invocation, Decimal result",
            decimal_cold,
            statistics.median(float_cold),
            f"simplejson loads; beside the same returning a float in turns ({statistics.median(float_cold):.2f} ms)",
        ),
    ]
    if unsandboxed_times:
        bare_med, bare_p90 = median_p90(unsandboxed_times)
        cost = cold_med - bare_med
        rows += [
            ("cold invocation without the sandbox", f"{bare_med:.2f} ms", f"{bare_p90:.2f} ms",
             str(len(unsandboxed_times)), f"fastest {min(unsandboxed_times):.2f} ms (sandboxed {min(cold_times):.2f})"),
            ("  the sandbox's cost (median difference)", f"{cost:.2f} ms", "", "",
             f"<= {SANDBOX_COST_GOAL_MS:g} ms: {verdict(cost <= SANDBOX_COST_GOAL_MS)}"),
        ]
        if cost > SANDBOX_COST_GOAL_MS:
            misses.append("sandbox cost")
    else:
        rows.append(("cold invocation without the sandbox", "", "", "", f"no sandbox here: {unsandboxed_reason()}"))
    rows += [
        ("warm invocation", f"{warm_med:.3f} ms", f"{warm_p90:.3f} ms", str(len(warm)), ""),
        ("  handler's own time (in-process)", f"{own_ms:.4f} ms", "", "10000", ""),
        (
            "  warm overhead (warm - own time)",
            f"{overhead:.3f} ms",
            "",
            "",
            f"<= {WARM_OVERHEAD_GOAL_MS:g} ms: {verdict(overhead <= WARM_OVERHEAD_GOAL_MS)}",
        ),
        ("  Duration in REPORT", f"{statistics.median(durations):.3f} ms", "", str(len(durations)), ""),
    ]
    if cold_med > cold_goal:
        misses.append("cold")
    if overhead > WARM_OVERHEAD_GOAL_MS:
        misses.append("warm overhead")
    cli_med, cli_p90 = median_p90(cli_times)
    if local is None:
        rows.append(("python-lambda-local (subprocess per call)", "not installed", "", "", "pip install '.[bench]'"))
        rows.append(("`lambda-console invoke` (whole process, zip)", f"{cli_med:.2f} ms", f"{cli_p90:.2f} ms",
                     str(len(cli_times)), "no python-lambda-local to compare with"))
    else:
        local_med, local_p90 = median_p90(local)
        rows.append(
            (
                "python-lambda-local (subprocess per call)",
                f"{local_med:.2f} ms",
                f"{local_p90:.2f} ms",
                str(len(local)),
                f"{local_med / cold_med:.1f} x our cold, {local_med / warm_med:.0f} x our warm",
            )
        )
        cli_goal = CLI_FACTOR_GOAL * local_med
        rows.append(
            (
                "`lambda-console invoke` (whole process, zip)",
                f"{cli_med:.2f} ms",
                f"{cli_p90:.2f} ms",
                str(len(cli_times)),
                f"<= {CLI_FACTOR_GOAL:g} x python-lambda-local = {cli_goal:.2f} ms: {cli_med / local_med:.2f} x "
                + verdict(cli_med <= cli_goal),
            )
        )
        if cli_med > cli_goal:
            misses.append("CLI process")
        cli_cpu, local_cpu = statistics.median(process_cpu["cli"]), statistics.median(process_cpu["local"])
        rows.append(("  CPU time: CLI / python-lambda-local", f"{cli_cpu:.1f} / {local_cpu:.1f} ms", "", "",
                     f"{cli_cpu / local_cpu:.2f} x"))
    if rss_before is None or rss_after is None:
        rows.append((f"console RSS over {memory_rounds:,} warm invocations", "unknown (no /proc)", "", "", ""))
    else:
        growth = rss_after - rss_before
        rows.append(
            (
                f"console RSS before -> after {memory_rounds:,} warm",
                f"{rss_before:.1f} -> {rss_after:.1f} MB",
                f"{growth:+.2f} MB",
                str(memory_rounds),
                f"flat (<= {MEMORY_GROWTH_GOAL_MB:g} MB): {verdict(growth <= MEMORY_GROWTH_GOAL_MB)}",
            )
        )
        if growth > MEMORY_GROWTH_GOAL_MB:
            misses.append("memory")
    rows.append(
        (
            "  worker Max Memory Used (REPORT)",
            f"{worker_before} -> {worker_after} MB",
            "",
            "",
            "",
        )
    )

    print(
        f"lambda-console invoke benchmark: {HANDLER}, runtime client {args.runtime_client}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
        + (", --quick" if args.quick else "")
    )
    header = ("", "median", "p90 / change", "n", "goal")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(width) if i in (0, 4) else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths))
            ).rstrip()
        )
    if misses:
        print(f"goals missed: {', '.join(misses)}")
    return 1 if (args.check and misses) else 0


if __name__ == "__main__":
    sys.exit(main())
