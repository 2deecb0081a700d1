"""No worker outlives the console: killed with SIGKILL in the middle of an invocation, or while its workers idle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from console.engine.sandbox import SANDBOX_VARIABLE
from tests.processes import running, wait_until

REPO = Path(__file__).resolve().parents[2]

CONSOLE = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from console.engine import Engine, FunctionSpec
    engine = Engine()
    busy = FunctionSpec(name="busy", code_dir=Path(sys.argv[1]), handler="app.busy", timeout=600)
    idle = FunctionSpec(name="idle", code_dir=Path(sys.argv[1]), handler="app.idle")
    engine.invoke(idle)  # a warm, idle worker
    threading.Thread(target=engine.invoke, args=(busy,), daemon=True).start()
    threading.Event().wait()
    """
)

HANDLERS = textwrap.dedent(
    """
    import os, subprocess, sys, time
    def idle(event, context):
        open(os.path.join(os.environ["PIDS"], f"idle-{os.getpid()}"), "w").close()
        return "ok"
    def busy(event, context):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open(os.path.join(os.environ["PIDS"], f"busy-{os.getpid()}"), "w").close()
        open(os.path.join(os.environ["PIDS"], f"child-{child.pid}"), "w").close()
        while True:
            time.sleep(1)
    """
)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_workers_and_their_children_die_with_a_killed_console(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    pids = tmp_path / "pids"
    pids.mkdir()
    # Each process reports its pid as a file in `pids`.
    (code / "app.py").write_text(HANDLERS.replace('os.environ["PIDS"]', repr(str(pids))))
    # Unsandboxed, so that the handlers can report their process ids here (test_sandbox.py covers the sandbox's
    # daemons).
    console = subprocess.Popen([sys.executable, "-c", CONSOLE, str(code)], cwd=REPO,
                               env={**os.environ, SANDBOX_VARIABLE: "off"})

    def started_all() -> bool:
        assert console.poll() is None, "the console ended by itself"
        return len(list(pids.iterdir())) == 3

    try:
        wait_until(started_all, "the console to start its workers")
    except BaseException:  # failed: leave no console behind
        console.kill()
        console.wait()
        raise
    started = {path.name.split("-")[0]: int(path.name.split("-")[1]) for path in pids.iterdir()}
    assert all(running(pid) for pid in started.values())

    console.send_signal(signal.SIGKILL)
    console.wait()

    # Well before the ten minutes the busy handler's child would sleep.
    wait_until(lambda: not any(running(pid) for pid in started.values()), f"the end of all of {started}")
