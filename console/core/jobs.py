"""Invocations that run in the background.

The web console's Test runs as a job so a long invocation never holds a request: the page polls the job and can
cancel it. The REST API's `Event` invocations run as jobs too: accepted at once, and retried twice after a function
error, as Lambda retries asynchronous invocations. Every attempt is recorded in the history by the Console.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.core.history import InvocationRecord
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION

if TYPE_CHECKING:
    from console.core.console import Console

KEEP_FINISHED = 500


class JobNotFound(KeyError):
    def __str__(self) -> str:
        return self.args[0] if self.args else "No such job"


@dataclass
class Job:
    """One background invocation (with its retries): where it stands, and its record once it has one."""

    id: str
    function: str
    version: str
    source: str
    request_id: str
    started_at: float = field(default_factory=time.time)
    attempts: int = 0
    record: InvocationRecord | None = None
    # Why the job could not run at all (the function was deleted, the engine throttled it...).
    error: str | None = None
    cancelled: bool = False
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def elapsed(self) -> float:
        return time.time() - self.started_at


class Jobs:
    """Starts, tracks and cancels background invocations of one Console."""

    def __init__(self, console: Console, *, retry_delay: float = 1.0) -> None:
        self._console = console
        self.retry_delay = retry_delay
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

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
    ) -> Job:
        """Run the invocation in a thread of its own; `retries` more attempts follow a function error."""
        job = Job(uuid.uuid4().hex, function, version, source, request_id or str(uuid.uuid4()))
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()

        def run() -> None:
            try:
                for attempt in range(retries + 1):
                    if job.cancelled:  # cancelled before its engine invocation began
                        break
                    if attempt:
                        # Lambda waits a minute, then two; here `retry_delay`, then twice that.
                        if self._wait_or_cancelled(job, self.retry_delay * attempt):
                            break
                        job.request_id = str(uuid.uuid4())
                    job.attempts = attempt + 1
                    job.record = self._console.invoke(
                        function, payload, version=version, source=source, client_context=client_context,
                        region=region, account=account, request_id=job.request_id,
                    )
                    if job.record.succeeded or job.cancelled:
                        break
            except Exception as exc:  # the job reports why it could not run, and the log keeps the traceback
                logging.getLogger("lambda_console.jobs").exception("job %s (%s of %s) failed", job.id, source, function)
                job.error = str(exc) or type(exc).__name__
            finally:
                job.done.set()

        threading.Thread(target=run, name=f"job-{job.id[:8]}", daemon=True).start()
        return job

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

    def _forget_old(self) -> None:
        """Keep the registry bounded: drop the oldest finished jobs. Caller holds the lock."""
        finished = [key for key, job in self._jobs.items() if job.done.is_set()]
        for key in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[key]
