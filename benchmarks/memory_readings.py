"""What a memory reading of a worker costs: the engine takes one every 10 ms while an invocation runs.

    python benchmarks/memory_readings.py

It starts a session leader (as a worker is started) with two children and one double-forked grandchild, then times,
in the same run:
  - the baseline: the worker's /proc status plus a walk of its children (what readings cost before the session was
    searched; it misses the grandchild);
  - the /proc reader (the Linux default): the same, plus a search of the session at most every 0.1 s;
  - the psutil reader (the path macOS takes), forced here on Linux;
  - one full search of the session (all processes' getsid()), paid at most ten times a second per running invocation.
Each reading's figure is printed beside, so the grandchild's memory shows where it is counted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from console.engine import memory

FAMILY = """
import os, time
held = b"x" * (20 << 20)
for _ in range(2):
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
if os.fork() == 0:
    if os.fork() == 0:
        held = b"z" * (80 << 20)
        time.sleep(60)
        os._exit(0)
    os._exit(0)
time.sleep(1)
print("ready", flush=True)
time.sleep(60)
"""


def timed(action, rounds: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        value = action()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times), value


def main() -> None:
    family = subprocess.Popen([sys.executable, "-c", FAMILY], stdout=subprocess.PIPE, start_new_session=True)
    try:
        family.stdout.readline()
        pid = family.pid
        rounds = 2000

        def walk_only() -> int:
            total = memory._field_kb(memory._read_status(pid), b"VmRSS:") or 0
            todo = memory._children(pid)
            while todo:
                child = todo.pop()
                total += memory._field_kb(memory._read_status(child), b"VmRSS:") or 0
                todo.extend(memory._children(child))
            return total

        rows = [("baseline: status + children walk", *timed(walk_only, rounds), "KiB")]
        for reader in ("proc", "psutil"):
            readings = memory.ProcessMemory(pid, reader)
            rows.append((f"{reader} reader (session searched every 0.1 s)", *timed(readings.rss_kb, rounds), "KiB"))
            readings.close()
        pids = memory._proc_pids() if os.path.isdir("/proc") else memory.psutil.pids()
        members = timed(lambda: len(memory._session_members(pid, pids)), 200)
        rows.append(("one search of the session", *members, "processes"))
        print(f"{'reading':48} {'median':>10}  figure")
        for name, median_us, value, unit in rows:
            figure = f"{value / 1024:.0f} MB" if unit == "KiB" else f"{value} {unit}"
            print(f"{name:48} {median_us:8.1f} us  {figure}")
        print(f"({len(pids)} processes on this machine; the double-forked grandchild holds 80 MB)")
    finally:
        os.killpg(family.pid, 9)
        family.wait()


if __name__ == "__main__":
    main()
