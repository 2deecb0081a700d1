"""Saved events as tests against a remote: each saved event with an expectation, invoked on the remote's deployed
function of the same name (Invoke with LogType Tail), and checked as a local run checks it (console.core.expectations).

The result is the same TestRun a local run gives, so the command line prints it and writes its JUnit XML the same way.
Nothing is recorded locally: the history and the functions' last runs are about the local functions.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.core.expectations import Expectation, verdict
from console.core.remotes import Remote, RemoteRefused, remote_failure
from console.core.test_runs import EventOutcome, TestRun, plan

if TYPE_CHECKING:
    from console.core.console import Console

# How many events run at once on the remote (its own concurrency limits apply; throttling is retried by boto3).
REMOTE_CONCURRENCY = 4
# Lambda's REPORT line: "REPORT RequestId: ... Duration: 12.34 ms Billed Duration: 13 ms ..."
_DURATION = re.compile(r"\bDuration: ([\d.]+) ms")


@dataclass(frozen=True)
class RemoteInvocation:
    """A remote Invoke's answer, as the expectation checks read it."""

    succeeded: bool
    payload: bytes
    error_type: str | None
    duration_ms: float
    log_tail: str
    status_code: int


def invoke(client: Any, remote: Remote, function: str, payload: bytes) -> RemoteInvocation:
    """Invoke the remote's function with LogType Tail; RemoteError for a refusal or an endpoint not reached."""
    started = time.monotonic()
    try:
        answer = client.invoke(FunctionName=function, Payload=payload, LogType="Tail")
        body = answer["Payload"].read()
    except Exception as exc:
        failure = remote_failure(remote, exc)
        if failure is None:
            raise
        raise failure from None
    elapsed_ms = (time.monotonic() - started) * 1000
    tail = base64.b64decode(answer.get("LogResult") or "").decode("utf-8", "replace")
    durations = _DURATION.findall(tail)
    function_error = answer.get("FunctionError")
    error_type = None
    if function_error:
        try:
            error_type = json.loads(body).get("errorType") or function_error
        except (ValueError, AttributeError):
            error_type = function_error
    # The function's own Duration from the REPORT line when the tail has it; the round trip otherwise.
    duration = float(durations[-1]) if durations else elapsed_ms
    return RemoteInvocation(not function_error, body, error_type, duration, tail, answer.get("StatusCode", 0))


def run_remote(console: Console, remote_name: str, functions: Iterable[str] | None = None) -> TestRun:
    """Run the saved events with expectations (of the named functions, or of all) on the remote and wait.

    A remote that cannot be reached or signed for stops the run with RemoteError; a refusal about one function (not
    deployed there, access denied) fails that function's events and says why."""
    remote = console.get_remote(remote_name)
    client = console.remote_client(remote_name)
    tests = plan(console, functions)
    names = tuple(dict.fromkeys(name for name, *_ in tests)) if functions is None else tuple(dict.fromkeys(functions))
    test_run = TestRun(uuid.uuid4().hex, names, len(tests))
    lock = threading.Lock()

    def one(test: tuple[str, str, bytes, Expectation]) -> None:
        name, event, payload, expectation = test
        try:
            answer = invoke(client, remote, name, payload)
            checked = verdict(expectation, answer)
            outcome = EventOutcome(name, event, checked.passed, answer.duration_ms, checked.diff_text())
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
