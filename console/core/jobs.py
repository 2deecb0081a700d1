"""Invocations that run in the background.

The web console's Test runs as a job so a long invocation never holds a request: the page polls the job and can
cancel it. The REST API's `Event` invocations run as jobs too: queued durably (console.core.event_queue), accepted at
once, and retried twice after a function error, as Lambda retries asynchronous invocations. Every attempt is recorded
in the history by the Console.

Jobs run on a bounded pool of threads (as many as the engine can run and queue); each job hands its database
connection back when it ends. A job keeps no result in memory: it refers to its history entry, and the registry of
finished jobs is bounded by the memory they take.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.core.credentials import CredentialsError
from console.core.event_queue import EventQueue, QueuedEvent
from console.core.functions import FunctionError, FunctionNotFound
from console.core.history import History, HistoryNotFound, InvocationRecord
from console.engine import EngineError, TooManyRequestsError
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from console.core.console import Console

log = logging.getLogger("lambda_console.jobs")

# The memory the registry of finished jobs may take: a finished job holds no payload, so this is several hundred
# jobs, more than any page still polls. A job is counted as its strings plus a fixed overhead (measured with
# tracemalloc on CPython 3.11: the Job, its threading.Event and the registry's entry take about 1.5 KB).
KEEP_FINISHED_BYTES = 1024 * 1024
JOB_OVERHEAD_BYTES = 1500
# How long a throttled Event invocation waits before it tries again.
THROTTLED_WAIT_SECONDS = 0.5
# Why a job could not run is kept up to this many characters.
ERROR_CHARS = 2000


class JobNotFound(KeyError):
    def __str__(self) -> str:
        return self.args[0] if self.args else "No such job"


@dataclass
class Job:
    """One background invocation (with its retries): where it stands, and its history entry once it has one."""

    id: str
    function: str
    version: str
    source: str
    request_id: str
    history: History | None = field(default=None, repr=False)
    started_at: float = field(default_factory=time.time)
    attempts: int = 0
    # The history entry of the last attempt.
    entry_id: int | None = None
    # The last attempt's result when the history could not keep it (a full disk): the page still shows it.
    unkept: InvocationRecord | None = field(default=None, repr=False)
    # Why the job could not run at all (the function was deleted, the engine throttled it...).
    error: str | None = None
    # The saved event it runs, for the history; empty for an event typed or edited.
    event_name: str = ""
    cancelled: bool = False
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def elapsed(self) -> float:
        return time.time() - self.started_at

    @property
    def record(self) -> InvocationRecord | None:
        """The last attempt's history entry, read from the history (None before it has one, or once the history no
        longer keeps it)."""
        if self.unkept is not None:
            return self.unkept
        if self.entry_id is None or self.history is None:
            return None
        try:
            return self.history.get(self.entry_id)
        except HistoryNotFound:
            return None

    @property
    def footprint(self) -> int:
        """About how many bytes the job takes in the registry."""
        held = (self.unkept.payload, self.unkept.log, self.unkept.event) if self.unkept is not None else ()
        return JOB_OVERHEAD_BYTES + sum(len(text) for text in (self.id, self.function, self.version, self.source,
                                                                self.request_id, self.error or "", *held))


class Jobs:
    """Starts, tracks and cancels background invocations of one Console."""

    def __init__(self, console: Console, *, retry_delay: float = 1.0, workers: int = 110) -> None:
        self._console = console
        self.retry_delay = retry_delay
        self.queue = EventQueue(console.store)
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._finished_bytes = 0
        self._queued: set[int] = set()  # event_queue ids this process runs
        self._lock = threading.Lock()
        self._closing = False
        self._running = 0  # jobs whose run has begun and not ended
        self._stopped = threading.Condition(self._lock)
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None  # made on first use: a one-shot command never needs it

    def start(
        self,
        function: str,
        payload: bytes,
        *,
        version: str = "$LATEST",
        source: str = "console",
        retries: int = 0,
        client_context: str | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        request_id: str | None = None,
        durable: bool = False,
        max_age: float | None = None,
        event_name: str = "",
    ) -> Job:
        """Run the invocation on the job pool; `retries` more attempts follow a function error. `durable`: queue it
        in the database first, so it runs even if the console stops before it is finished; `max_age` (seconds) makes
        it expire: an attempt due after that is not made (MaximumEventAgeInSeconds)."""
        request_id = request_id or str(uuid.uuid4())
        if not durable:
            job = self._register(function, version, source, request_id)
            job.event_name = event_name
            self._submit(job, lambda: payload, retries, 0, client_context, region, account, None)
            return job
        expires_at = time.time() + max_age if max_age is not None else None
        queued = self.queue.add(function, version, request_id, payload, retries=retries,
                                client_context=client_context, region=region, account=account, expires_at=expires_at)
        return self._start_queued(queued, source)

    def resume(self) -> list[Job]:
        """Run the queued Event invocations of console processes that are gone (at start: those of a crash)."""
        with self._lock:
            running = set(self._queued)
        return [self._start_queued(queued, "event") for queued in self.queue.claim_orphans(running)]

    def _start_queued(self, queued: QueuedEvent, source: str) -> Job:
        job = self._register(queued.function, queued.version, source, queued.request_id)
        job.attempts = queued.attempts
        with self._lock:
            self._queued.add(queued.id)

        def payload() -> bytes | None:
            return self.queue.payload(queued.id)

        self._submit(job, payload, queued.retries, queued.attempts, queued.client_context, queued.region,
                     queued.account, queued.id, queued.expires_at)
        return job

    def _register(self, function: str, version: str, source: str, request_id: str) -> Job:
        job = Job(uuid.uuid4().hex, function, version, source, request_id, history=self._console.history)
        with self._lock:
            self._jobs[job.id] = job
        return job

    def _submit(self, job: Job, payload: object, retries: int, first: int, client_context: str | None,
                region: str, account: str, queue_id: int | None, expires_at: float | None = None) -> None:
        def run() -> None:
            finished = True
            with self._lock:
                self._running += 1
            try:
                data = payload()  # type: ignore[operator]
                if data is None:  # no longer queued: another console finished it
                    job.error = "The invocation is no longer queued."
                    return
                for attempt in range(first, retries + 1):
                    if job.cancelled:  # cancelled before its engine invocation began
                        break
                    if attempt:
                        # Lambda waits a minute, then two; here `retry_delay`, then twice that.
                        if self._wait_or_cancelled(job, self.retry_delay * attempt):
                            break
                        job.request_id = str(uuid.uuid4())
                    if self._closing:  # the console is stopping: a queued invocation resumes at the next start
                        finished = False
                        break
                    if expires_at is not None and time.time() > expires_at:
                        # Lambda discards an event older than its MaximumEventAgeInSeconds rather than trying it.
                        job.error = (f"The event expired before attempt {attempt + 1}: it was older than the "
                                     "function's MaximumEventAgeInSeconds, so it was discarded, as Lambda does.")
                        break
                    record = self._attempt(job, data, queue_id is not None, client_context, region, account)
                    if record is None:  # cancelled, or the console is stopping, while it waited for room
                        finished = not self._closing
                        break
                    if self._closing and not record.succeeded and queue_id is not None:
                        # Stopped by the console's own shutdown: not one of its attempts; it runs again at start.
                        finished = False
                        break
                    job.attempts, job.entry_id = attempt + 1, record.id
                    job.unkept = record if record.not_kept else None
                    if queue_id is not None:
                        self.queue.attempted(queue_id, job.attempts, job.request_id)
                    if record.succeeded or job.cancelled:
                        break
            except Exception as exc:  # the job reports why it could not run instead of dying silently
                if self._closing:
                    finished = False
                elif isinstance(exc, (FunctionNotFound, FunctionError, EngineError, CredentialsError)):  # the user's
                    log.warning("Background invocation of %s could not run: %s", job.function, exc)
                else:
                    log.exception("job %s (%s of %s) failed", job.id, job.source, job.function)
                job.error = (str(exc) or type(exc).__name__)[:ERROR_CHARS]
            finally:
                try:
                    if queue_id is not None and finished:
                        self.queue.finish(queue_id)
                except Exception:
                    log.exception("Could not mark the queued invocation %s done", queue_id)
                finally:
                    self._console.store.release()
                    self._finished(job, queue_id)
                    with self._lock:
                        self._running -= 1
                        self._stopped.notify_all()

        try:
            self._executor().submit(run)
        except RuntimeError:  # the pool is shut down: the console is closing
            job.error = "The console is stopping."
            self._finished(job, queue_id)

    def _finished(self, job: Job, queue_id: int | None) -> None:
        with self._lock:
            self._queued.discard(queue_id)
            job.done.set()
            if job.id in self._jobs:
                self._finished_bytes += job.footprint
            self._forget_old()

    def _attempt(self, job: Job, data: bytes, durable: bool, client_context: str | None, region: str,
                 account: str) -> InvocationRecord | None:
        """One attempt. When the engine is full, a queued Event invocation stays queued and tries again, as Lambda
        keeps throttled asynchronous invocations (a web Test says the engine is busy instead)."""
        while True:
            try:
                return self._console.invoke(
                    job.function, data, version=job.version, source=job.source, client_context=client_context,
                    region=region, account=account, request_id=job.request_id, event_name=job.event_name,
                )
            except TooManyRequestsError:
                if not durable:
                    raise
            if self._wait_or_cancelled(job, THROTTLED_WAIT_SECONDS) or self._closing:
                return None

    @staticmethod
    def _wait_or_cancelled(job: Job, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if job.cancelled:
                return True
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        return job.cancelled

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"No invocation {job_id} is running or recently finished")
        return job

    def cancel(self, job_id: str) -> bool:
        """Stop a running job: its invocation ends failed and no retry follows. False if it had already finished."""
        job = self.get(job_id)
        if job.done.is_set():
            return False
        job.cancelled = True
        self._console.engine.cancel(job.request_id)
        return True

    @property
    def finished_bytes(self) -> int:
        """About how much memory the finished jobs in the registry take."""
        return self._finished_bytes

    def _forget_old(self) -> None:
        """Keep the registry bounded by bytes: drop the oldest finished jobs. Caller holds the lock."""
        if self._finished_bytes <= KEEP_FINISHED_BYTES:
            return
        for key in list(self._jobs):
            job = self._jobs[key]
            if job.done.is_set():
                del self._jobs[key]
                self._finished_bytes -= job.footprint
                if self._finished_bytes <= KEEP_FINISHED_BYTES:
                    return

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="job")
                if self._closing:
                    self._pool.shutdown(wait=False)
            return self._pool

    def close(self) -> None:
        """Stop taking jobs; queued Event invocations not yet finished stay queued for the next start."""
        with self._lock:
            self._closing = True
            pool = self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def wait_stopped(self, timeout: float) -> bool:
        """After close(): wait until no job runs any more (their invocations end once the engine is closed), so that
        none is still writing to the database when it closes. False if some still ran after `timeout` seconds."""
        with self._lock:
            return self._stopped.wait_for(lambda: self._running == 0, timeout)
