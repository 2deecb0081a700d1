"""Background jobs over a long day: no open file, no payload and no unbounded registry left behind; Event
invocations queued in the database and resumed by the next console."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.jobs import KEEP_FINISHED_BYTES, JobNotFound
from tests.core.test_console import make_zip
from tests.processes import wait_until

ECHO = make_zip({"app.py": "def handler(event, context):\n    return event\n"})
FLAKY = make_zip({"app.py": (
    "import os\n"
    "def handler(event, context):\n"
    "    marker = event['marker']\n"
    "    if not os.path.exists(marker):\n"
    "        open(marker, 'w').close()\n"
    "        raise RuntimeError('first attempt fails')\n"
    "    return 'second attempt'\n"
)})

needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False, "event_retry_delay": 0.05})) as console:
        yield console


@needs_proc
def test_hundreds_of_jobs_leave_no_open_files(console):
    console.create_function("echo", ECHO, "app.handler")

    def batch(first: int) -> None:
        jobs = [console.jobs.start("echo", json.dumps({"n": first + i}).encode()) for i in range(10)]
        assert all(job.done.wait(60) for job in jobs)
        assert all(job.record is not None and job.record.succeeded for job in jobs)

    for first in range(0, 30, 10):  # warm: the workers ten jobs at once need, their pipes, the pool's threads
        batch(first)
    before = open_files()
    for first in range(30, 330, 10):
        batch(first)
    assert open_files() - before <= 5


def test_finished_jobs_keep_their_results_in_the_history_not_in_memory(console):
    console.create_function("echo", ECHO, "app.handler")
    event = json.dumps({"blob": "x" * (3 * 1024 * 1024)}).encode()
    assert console.jobs.start("echo", b"{}").done.wait(30)  # the worker is started before measuring
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        jobs = []
        for _ in range(12):
            job = console.jobs.start("echo", event)
            assert job.done.wait(60)
            jobs.append(job)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    # Twelve 3 MB events, each echoed back: kept in memory that is over 70 MB; from the history, a few KB.
    assert kept < 8 * 1024 * 1024, f"{kept} bytes kept after 12 jobs with a 3 MB event"
    last = console.jobs.get(jobs[-1].id).record
    assert last is not None and last.payload == event and last.event == event.decode()


def test_the_registry_of_finished_jobs_is_bounded_by_bytes(console):
    jobs = [console.jobs.start("missing", b"{}") for _ in range(3000)]
    assert all(job.done.wait(60) for job in jobs)
    assert "Function not found: missing" in jobs[-1].error
    assert console.jobs.get(jobs[-1].id) is jobs[-1]
    with pytest.raises(JobNotFound):
        console.jobs.get(jobs[0].id)
    assert 0 < console.jobs.finished_bytes <= KEEP_FINISHED_BYTES


def test_an_event_invocation_is_queued_until_its_retries_are_done(console, tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_CONSOLE_SANDBOX", "off")  # the handler counts its attempts in the test's folder
    console.create_function("flaky", FLAKY, "app.handler")
    job = console.jobs.start("flaky", json.dumps({"marker": str(tmp_path / "m")}).encode(), source="event",
                             retries=2, durable=True)
    assert job.done.wait(30)
    assert job.attempts == 2 and job.record.payload == b'"second attempt"'
    assert [e.error_type for e in console.history.for_function("flaky")] == [None, "RuntimeError"]
    assert console.jobs.queue.pending() == 0


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_the_next_console_runs_what_a_dead_one_left_queued(tmp_path):
    config = load_config(tmp_path / "data", {"load_samples": False, "event_retry_delay": 0.05})
    with Console(config) as console:
        console.create_function("echo", ECHO, "app.handler")
        queued = console.jobs.queue.add("echo", "$LATEST", "req-left-behind", b'{"left": true}', retries=2,
                                        client_context=None, region="us-east-1", account="123456789012")
        # As a console killed before running it leaves it: owned by a process that is gone.
        with console.store.write() as conn:
            conn.execute("UPDATE event_queue SET owner_pid = ? WHERE id = ?", (dead_pid(), queued.id))
    with Console(config) as console:
        assert console.jobs.queue.pending() == 1
        (job,) = console.jobs.resume()
        assert job.done.wait(30)
        entry = console.history.latest("echo")
        assert (entry.request_id, entry.source, entry.payload) == ("req-left-behind", "event", b'{"left": true}')
        assert console.jobs.queue.pending() == 0
        assert console.jobs.resume() == []


def test_a_live_console_keeps_its_own_queue(console):
    console.create_function("echo", ECHO, "app.handler")
    console.jobs.queue.add("echo", "$LATEST", "req-of-a-live-one", b"{}", retries=0, client_context=None,
                           region="us-east-1", account="123456789012")
    with console.store.write() as conn:  # another console process, still running, owns it
        conn.execute("UPDATE event_queue SET owner_pid = ?", (os.getppid(),))
    assert console.jobs.resume() == []
    assert console.jobs.queue.pending() == 1


def test_an_event_invocation_waits_for_room_where_a_test_is_refused(tmp_path):
    slow = make_zip({"app.py": "import time\ndef handler(event, context):\n    time.sleep(event['s'])\n"
                               "    return event['s']\n"})
    config = load_config(tmp_path / "data", {"load_samples": False, "max_environments": 1, "max_queue": 1})
    with Console(config) as console:
        console.create_function("slow", slow, "app.handler", timeout=30)
        # Two synchronous invocations (as the REST API's RequestResponse makes) fill the engine: one runs, one waits.
        calls = [threading.Thread(target=console.invoke, args=("slow", payload), kwargs={"source": "api"})
                 for payload in (b'{"s": 1.5}', b'{"s": 0.1}')]
        for call in calls:
            call.start()
            time.sleep(0.3)
        deadline = time.monotonic() + 20
        while not any(env.busy for env in console.engine.environments()):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        refused = console.jobs.start("slow", b'{"s": 0}')
        queued = console.jobs.start("slow", b'{"s": 0.2}', source="event", durable=True)
        assert refused.done.wait(10) and refused.error == "Rate Exceeded."
        assert queued.done.wait(30)
        for call in calls:
            call.join(30)
        assert queued.error is None and queued.record.payload == b"0.2" and queued.record.source == "event"
        assert console.jobs.queue.pending() == 0


def test_a_console_closed_while_tests_run_keeps_their_results_before_its_database_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDA_CONSOLE_SANDBOX", "off")  # the handlers say they started in the test's folder
    slow = make_zip({"app.py": (
        "import time\n"
        "def handler(event, context):\n"
        "    open(event['started'], 'w').close()\n"
        "    time.sleep(30)\n"
    )})
    data = tmp_path / "data"
    console = Console(load_config(data))
    console.create_function("slow", slow, "app.handler", timeout=60)
    markers = [tmp_path / f"started-{n}" for n in range(8)]
    jobs = [console.jobs.start("slow", json.dumps({"started": str(marker)}).encode()) for marker in markers]
    wait_until(lambda: all(marker.exists() for marker in markers), "the handlers to start")
    console.close()  # the invocations end, failed, and are recorded before the database closes
    assert all(job.done.is_set() for job in jobs)
    with Console(load_config(data)) as reopened:
        entries = reopened.history.for_function("slow")
    assert [entry.succeeded for entry in entries] == [False] * len(jobs)
