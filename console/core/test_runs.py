"""Running saved events as tests: every saved event with an expectation, of one function or of several, checked.

The events run concurrently, as many at once as the engine runs environments (`Config.max_environments`), so a warm
function answers a suite in about the time of its slowest events. Each invocation is recorded in the history like
any other (a failure can be opened there), and each function's last run is kept (the `test_runs` table) for the
function list and the Test tab. A run started from the web runs in the background (`TestRuns`), and the page polls it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from console.core.clock import now_iso
from console.core.expectations import Expectation, verdict
from console.core.functions import FunctionNotFound
from console.core.history import InvocationRecord
from console.core.jobs import THROTTLED_WAIT_SECONDS
from console.engine import TooManyRequestsError

if TYPE_CHECKING:
    from console.core.console import Console

# A stored diff is cut to this many characters: the function list's last run must stay small.
KEPT_DIFF_CHARS = 20_000
# Finished runs the web registry keeps for pages still polling them.
KEEP_RUNS = 20
# How long an event waits for room in an engine that other work keeps full before it fails as throttled.
THROTTLED_PATIENCE_SECONDS = 60.0


@dataclass(frozen=True)
class EventOutcome:
    """One saved event run as a test."""

    function: str
    event: str
    passed: bool
    duration_ms: float  # the invocation's Duration; 0 when it could not run
    diff: str = ""  # the readable diff (console.core.expectations.Verdict.diff_text), empty when it passed
    entry_id: int | None = None  # its history entry
    error: str | None = None  # why it could not run at all

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"


@dataclass
class TestRun:
    """A run of saved events as tests, in progress or finished."""

    __test__ = False  # not a pytest test class, whatever its name

    id: str
    functions: tuple[str, ...]
    total: int
    results: list[EventOutcome] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    duration_ms: float = 0.0
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def passed(self) -> int:
        return sum(outcome.passed for outcome in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def ordered(self) -> list[EventOutcome]:
        """The results by function and event name, whatever order they finished in."""
        return sorted(self.results, key=lambda outcome: (outcome.function, outcome.event.casefold(), outcome.event))

    def by_function(self) -> dict[str, list[EventOutcome]]:
        grouped: dict[str, list[EventOutcome]] = {name: [] for name in self.functions}
        for outcome in self.ordered:
            grouped.setdefault(outcome.function, []).append(outcome)
        return grouped


@dataclass(frozen=True)
class LastRun:
    """A function's last test run, as the function list shows it."""

    function: str
    passed: int
    failed: int
    duration_ms: float
    finished_at: str
    results: tuple[EventOutcome, ...]

    @property
    def status(self) -> str:
        return "passed" if not self.failed else "failed"


# -- running ----------------------------------------------------------------------------------------------------


def plan(console: Console, functions: Iterable[str] | None) -> list[tuple[str, str, bytes, Expectation]]:
    """The saved events with expectations: (function, event, payload, expectation), of the named functions (each
    must exist: FunctionNotFound) or of all."""
    names = [function.name for function in console.functions.all()] if functions is None else list(functions)
    tests: list[tuple[str, str, bytes, Expectation]] = []
    for name in dict.fromkeys(names):
        console.functions.get(name)
        expected = console.expectations.for_function(name)
        tests.extend((name, event.name, event.payload, expected[event.name])
                     for event in console.events.for_function(name) if event.name in expected)
    return tests


def run(console: Console, functions: Iterable[str] | None = None, *, source: str = "console",
        concurrency: int | None = None, on_result: Callable[[EventOutcome], None] | None = None,
        test_run: TestRun | None = None) -> TestRun:
    """Run the saved events with expectations and wait; each function's last run is recorded."""
    tests = plan(console, functions)
    if test_run is None:
        names = tuple(dict.fromkeys(name for name, *_ in tests)) if functions is None else tuple(functions)
        test_run = TestRun(uuid.uuid4().hex, tuple(dict.fromkeys(names)), len(tests))
    lock = threading.Lock()

    def one(test: tuple[str, str, bytes, Expectation]) -> None:
        name, event, payload, expectation = test
        try:
            record = _invoke(console, name, payload, source, event)
            checked = verdict(expectation, record)
            outcome = EventOutcome(name, event, checked.passed, record.duration_ms, checked.diff_text(), record.id
                                   or None)
        except Exception as exc:  # noqa: BLE001 - the run goes on: this event failed, and says why
            outcome = EventOutcome(name, event, False, 0.0, f"could not run: {exc}", error=str(exc) or type(exc).__name__)
        finally:
            console.store.release()
        with lock:
            test_run.results.append(outcome)
        if on_result is not None:
            on_result(outcome)

    workers = max(1, min(concurrency or console.config.max_environments, len(tests) or 1))
    # Each function gets an even share of the engine's environments, so that the run never makes one function's
    # environments evict another's (which would make every run cold); the order alternates between functions, so a
    # worker rarely waits for its function's share.
    functions_run = list(dict.fromkeys(name for name, *_ in tests))
    share = {name: threading.Semaphore(max(1, workers // max(1, len(functions_run)))) for name in functions_run}

    def shared(test: tuple[str, str, bytes, Expectation]) -> None:
        with share[test[0]]:
            one(test)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="test-run") as pool:
        list(pool.map(shared, _alternating(tests)))
    test_run.duration_ms = (time.monotonic() - test_run.started) * 1000
    _record(console, test_run)
    test_run.done.set()
    return test_run


def _invoke(console: Console, name: str, payload: bytes, source: str, event_name: str = "") -> InvocationRecord:
    """One invocation; when other work (web Tests, API calls) fills the engine, wait for room as a queued Event
    invocation does, rather than fail the test for it."""
    deadline = time.monotonic() + THROTTLED_PATIENCE_SECONDS
    while True:
        try:
            return console.invoke(name, payload, source=source, event_name=event_name)
        except TooManyRequestsError:
            if time.monotonic() > deadline:
                raise
            time.sleep(THROTTLED_WAIT_SECONDS)


def _alternating(tests: list[tuple[str, str, bytes, Expectation]]) -> list[tuple[str, str, bytes, Expectation]]:
    """The tests taken one function at a time in turn: f1, f2, f3, f1, f2, f3..."""
    queues: dict[str, list[tuple[str, str, bytes, Expectation]]] = {}
    for test in tests:
        queues.setdefault(test[0], []).append(test)
    ordered: list[tuple[str, str, bytes, Expectation]] = []
    for index in range(max((len(queue) for queue in queues.values()), default=0)):
        ordered.extend(queue[index] for queue in queues.values() if index < len(queue))
    return ordered


def _record(console: Console, test_run: TestRun) -> None:
    """Keep each function's last run (functions deleted meanwhile are skipped)."""
    stamp = now_iso()
    with console.store.write() as conn:
        for name, outcomes in test_run.by_function().items():
            if not outcomes:
                continue
            kept = [{**asdict(outcome), "diff": outcome.diff[:KEPT_DIFF_CHARS]} for outcome in outcomes]
            passed = sum(outcome.passed for outcome in outcomes)
            conn.execute(
                "INSERT OR REPLACE INTO test_runs (function, passed, failed, duration_ms, results, finished_at)"
                " SELECT name, ?, ?, ?, ?, ? FROM functions WHERE name = ?",
                (passed, len(outcomes) - passed, test_run.duration_ms, json.dumps(kept), stamp, name))


def last_runs(console: Console) -> dict[str, LastRun]:
    """Every function's last test run, in one query."""
    runs = {}
    for row in console.store.query("SELECT * FROM test_runs"):
        results = tuple(EventOutcome(**item) for item in json.loads(row["results"]))
        runs[row["function"]] = LastRun(row["function"], row["passed"], row["failed"], row["duration_ms"],
                                        row["finished_at"], results)
    return runs


class TestRuns:
    """Runs started from the web, each on a thread of its own; the latest KEEP_RUNS are kept for pages polling."""

    __test__ = False

    def __init__(self, console: Console) -> None:
        self._console = console
        self._runs: OrderedDict[str, TestRun] = OrderedDict()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, functions: Iterable[str] | None = None, *, source: str = "console") -> TestRun:
        """Check the functions exist, then run in the background."""
        names = None if functions is None else list(dict.fromkeys(functions))
        tests = plan(self._console, names)
        chosen = tuple(dict.fromkeys(name for name, *_ in tests)) if names is None else tuple(names)
        test_run = TestRun(uuid.uuid4().hex, chosen, len(tests))
        with self._lock:
            self._runs[test_run.id] = test_run
            while len(self._runs) > KEEP_RUNS:
                self._runs.popitem(last=False)

        def background() -> None:
            try:
                run(self._console, names, source=source, test_run=test_run)
            except Exception as exc:  # noqa: BLE001 - the page says why the run stopped
                test_run.error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, FunctionNotFound) else str(exc)
                test_run.done.set()
            finally:
                self._console.store.release()

        thread = threading.Thread(target=background, name=f"test-run-{test_run.id[:8]}", daemon=True)
        with self._lock:
            self._threads = [alive for alive in self._threads if alive.is_alive()] + [thread]
        thread.start()
        return test_run

    def wait_stopped(self, timeout: float) -> bool:
        """After the engine is closed: wait for the runs to end (their last invocations fail at once), so that none
        writes to a closed database. False if some still ran after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)

    def get(self, run_id: str) -> TestRun:
        with self._lock:
            found = self._runs.get(run_id)
        if found is None:
            raise TestRunNotFound(f"No test run {run_id} is running or recently finished")
        return found


class TestRunNotFound(KeyError):
    def __str__(self) -> str:
        return self.args[0] if self.args else "No such test run"
