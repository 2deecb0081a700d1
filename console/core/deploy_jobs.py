"""Deploys started from the pages: each runs console.core.deploy on a thread of its own, keeping the progress lines it
is told and then its outcome (or the remote's refusal as it came), for the page that polls it."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.core.functions import FunctionError, FunctionNotFound
from console.core.remotes import RemoteError

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.deploy import Deployed

log = logging.getLogger("lambda_console.deploys")

# The deploys kept for pages still polling: the oldest finished ones are forgotten beyond this.
KEEP_DEPLOYS = 50


class DeployNotFound(KeyError):
    def __str__(self) -> str:
        return self.args[0] if self.args else "No such deploy"


@dataclass
class DeployJob:
    """One deploy from the pages: where it stands (its progress lines), then what the remote has, or why not."""

    id: str
    function: str
    remote: str
    publish: bool
    started_at: float = field(default_factory=time.time)
    lines: list[str] = field(default_factory=list)
    deployed: Deployed | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def elapsed(self) -> float:
        return time.time() - self.started_at


class DeployJobs:
    """Starts deploys in the background and finds them again by id."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._jobs: OrderedDict[str, DeployJob] = OrderedDict()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self, function: str, remote: str, *, role: str | None = None, publish: bool = False) -> DeployJob:
        """Check what can be checked at once (the function, the remote, the role's form: their errors are raised
        here, for the form), then deploy in the background."""
        from console.core.deploy import check_role

        self._console.get_function(function)
        self._console.get_remote(remote)
        if role is not None:
            check_role(role)
        job = DeployJob(uuid.uuid4().hex, function, remote, publish)
        with self._lock:
            self._jobs[job.id] = job
            finished = [key for key, old in self._jobs.items() if not old.running]
            while len(self._jobs) > KEEP_DEPLOYS and finished:
                del self._jobs[finished.pop(0)]

        def background() -> None:
            try:
                job.deployed = self._console.deploy_function(function, remote, role=role, publish=publish,
                                                             progress=job.lines.append)
            except (RemoteError, FunctionError, FunctionNotFound) as exc:
                job.error = str(exc)
            except Exception as exc:  # the page says why the deploy stopped; the log has the rest
                log.exception("deploy of %s to %s failed", function, remote)
                job.error = f"The deploy stopped: {type(exc).__name__}: {exc}"
            finally:
                self._console.store.release()
                job.done.set()

        thread = threading.Thread(target=background, name=f"deploy-{job.id[:8]}", daemon=True)
        with self._lock:
            self._threads = [alive for alive in self._threads if alive.is_alive()] + [thread]
        thread.start()
        return job

    def get(self, job_id: str, function: str | None = None) -> DeployJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (function is not None and job.function != function):
            raise DeployNotFound(f"No deploy {job_id} is running or recently finished")
        return job

    def wait_stopped(self, timeout: float) -> bool:
        """Wait for the deploys to end (a remote call is bounded by the client's time-outs); False if some still ran."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)
