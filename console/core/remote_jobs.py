"""Work on a remote started from the pages: a deploy, a Test or a Compare, each on a thread of its own. A job keeps
the progress lines it is told (a deploy's steps) and then its outcome, or why it stopped (the remote's refusal as it
came), for the page that polls it. What can be checked at once (the function, the remote, the event's JSON, the role's
form) is checked before a job starts, so that the form can say so."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.core.functions import FunctionError, FunctionNotFound
from console.core.jobs import JobNotFound
from console.core.remotes import RemoteError

if TYPE_CHECKING:
    from console.core.console import Console

log = logging.getLogger("lambda_console.remote_jobs")

# The jobs kept for pages still polling: the oldest finished ones are forgotten beyond this.
KEEP_JOBS = 50


class RemoteJobNotFound(JobNotFound):
    """No job on a remote of that id (a page's job that finished long ago, or a mistyped address)."""


@dataclass
class RemoteJob:
    """One job on a remote: where it stands (its progress lines), then its outcome (a Deployed, an InvocationRecord
    or a Comparison), or why it stopped."""

    id: str
    kind: str  # "deploy", "test" or "compare"
    function: str
    remote: str
    started_at: float = field(default_factory=time.time)
    lines: list[str] = field(default_factory=list)
    outcome: Any = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def elapsed(self) -> float:
        return time.time() - self.started_at


class RemoteJobs:
    """Runs jobs on remotes in the background and finds them again by id."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._jobs: OrderedDict[str, RemoteJob] = OrderedDict()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, kind: str, function: str, remote: str, work: Callable[[RemoteJob], Any]) -> RemoteJob:
        """Run `work(job)` in the background; what it returns is the job's outcome."""
        job = RemoteJob(uuid.uuid4().hex, kind, function, remote)
        with self._lock:
            self._jobs[job.id] = job
            finished = [key for key, old in self._jobs.items() if not old.running]
            while len(self._jobs) > KEEP_JOBS and finished:
                del self._jobs[finished.pop(0)]

        def background() -> None:
            try:
                job.outcome = work(job)
            except (RemoteError, FunctionError, FunctionNotFound) as exc:
                job.error = str(exc)
            except Exception as exc:  # the page says why the job stopped; the log has the rest
                log.exception("%s of %s on %s failed", kind, function, remote)
                job.error = f"The {kind} stopped: {type(exc).__name__}: {exc}"
            finally:
                self._console.store.release()
                job.done.set()

        thread = threading.Thread(target=background, name=f"remote-{kind}-{job.id[:8]}", daemon=True)
        with self._lock:
            self._threads = [alive for alive in self._threads if alive.is_alive()] + [thread]
        thread.start()
        return job

    def get(self, job_id: str, function: str | None = None, kinds: tuple[str, ...] = ()) -> RemoteJob:
        """The job `job_id` (of that function, of one of those kinds); RemoteJobNotFound when there is none."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or function not in (None, job.function) or (kinds and job.kind not in kinds):
            raise RemoteJobNotFound(f"No {' or '.join(kinds) or 'job'} {job_id} is running or recently finished")
        return job

    def wait_stopped(self, timeout: float) -> bool:
        """Wait for the jobs to end (a remote call is bounded by the client's time-outs); False if some still ran."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)
