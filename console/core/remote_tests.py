"""Saved events as tests against a remote: each saved event with an expectation, invoked on the remote's deployed
function of the same name (Invoke with LogType Tail), and checked as a local run checks it (console.core.expectations).

The result is the same TestRun a local run gives, so the command line prints it and writes its JUnit XML the same way.
Nothing is recorded locally: the history and the functions' last runs are about the local functions.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

from console.core.expectations import Expectation, verdict
from console.core.remote_functions import invoke
from console.core.remotes import RemoteRefused
from console.core.test_runs import EventOutcome, TestRun, plan

if TYPE_CHECKING:
    from console.core.console import Console

# How many events run at once on the remote (its own concurrency limits apply; throttling is retried by boto3).
REMOTE_CONCURRENCY = 4


def run_remote(console: Console, remote_name: str, functions: Iterable[str] | None = None) -> TestRun:
    """Run the saved events with expectations (of the named functions, or of all) on the remote and wait.

    A remote that cannot be reached or signed for stops the run with RemoteError; a refusal about one function (not
    deployed there, access denied) fails that function's events and says why."""
    console.remote_client(remote_name)  # a remote that cannot be used stops the run here, before any event
    tests = plan(console, functions)
    names = tuple(dict.fromkeys(name for name, *_ in tests)) if functions is None else tuple(dict.fromkeys(functions))
    test_run = TestRun(uuid.uuid4().hex, names, len(tests))
    lock = threading.Lock()

    def one(test: tuple[str, str, bytes, Expectation]) -> None:
        name, event, payload, expectation = test
        try:
            started = time.monotonic()
            record = invoke(console, remote_name, name, payload, event_name=event)
            if "REPORT " not in record.log:  # no Duration of the function's own in the tail: the round trip's
                record = replace(record, duration_ms=(time.monotonic() - started) * 1000)
            checked = verdict(expectation, record)
            outcome = EventOutcome(name, event, checked.passed, record.duration_ms, checked.diff_text())
        except RemoteRefused as exc:  # any other RemoteError: the remote cannot be used, the run stops and says why
            outcome = EventOutcome(name, event, False, 0.0, f"could not run: {exc}", error=str(exc))
        with lock:
            test_run.results.append(outcome)

    workers = max(1, min(REMOTE_CONCURRENCY, len(tests) or 1))
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="remote-test") as pool:
            list(pool.map(one, tests))
    finally:
        console.store.release()
    test_run.duration_ms = (time.monotonic() - test_run.started) * 1000
    test_run.done.set()
    return test_run
