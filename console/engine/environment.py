"""One execution environment: a worker process, its Runtime API endpoint, its log and its limits.

The environment is created for a function version (the worker starts and runs the init phase: a cold start), serves
one invocation at a time, and is reused for later ones (warm). Timeout, out-of-memory, a crash or a response that is
too large end it; the pool then discards it, so the next invocation is cold, as on Lambda.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from console.engine.interpreters import mismatch_note
from console.engine.invocation import (
    INIT_LIMIT_SECONDS,
    LOCAL_RUNTIME,
    FunctionSpec,
    InvocationResult,
    billed_ms,
)
from console.engine.logs import DEFAULT_LOG_LIMIT, LogCapture
from console.engine.memory import ProcessMemory
from console.engine.platform_log import json_log, text_log
from console.engine.runtime_api import RuntimeApiServer
from console.engine.sandbox import namespace_pids, processes_with, worker_returncode
from console.engine.sandbox import plan as plan_launch
from console.engine.task_root import as_task_root, as_task_root_text
from console.engine.worker_env import (
    FRAMED_CLIENTS,
    Pending,
    ending,
    header_safe,
    trace_id,
    worker_environment,
)

BOOTSTRAP = Path(__file__).resolve().parent.parent / "runtime" / "bootstrap.py"
# How often a running invocation is checked for its deadline, its memory and its process.
_POLL_SECONDS = 0.01


class Environment:
    """A worker process serving one function configuration, one invocation at a time."""

    def __init__(
        self,
        spec: FunctionSpec,
        server: RuntimeApiServer,
        runtime_dir: Path,
        *,
        python: str = sys.executable,
        bootstrap: Path = BOOTSTRAP,
        log_limit: int = DEFAULT_LOG_LIMIT,
    ) -> None:
        self.spec = spec
        self.id = os.urandom(16).hex()
        self.log_stream_name = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{spec.version}]{self.id}"
        self.invocations = 0
        self.last_used = time.monotonic()
        self.retired = False  # set by the pool: discard after the invocation in progress
        self.init_duration_ms: float | None = None
        self._lock = threading.Lock()
        self._inbox: list[Pending | None] = []
        self._inbox_ready = threading.Condition(self._lock)
        self._current: Pending | None = None
        self._init_error: tuple[bytes, str] | None = None
        self._init_done = False
        self._dead = False
        self._peak_kb = 0
        # This environment's own port, open until it retires; the server takes connections from its worker only.
        self._started = threading.Event()  # set once the worker's process is known
        # The spec's interpreter (its runtime's Python) when it names one, else the engine's.
        python = spec.interpreter.path if spec.interpreter is not None else python
        self.ran_on = spec.interpreter.runtime if spec.interpreter else LOCAL_RUNTIME if python == sys.executable else ""
        self.interpreter_note = spec.interpreter_note or mismatch_note(self.ran_on, spec.runtime)
        self._api = server.open(self)
        # The worker watches the read end of this pipe and ends itself when it closes: when the console exits,
        # even killed with SIGKILL, no worker (nor anything a handler started) outlives it.
        watch_read, self._watch = os.pipe()
        # Inside bwrap where it can run (Lambda's /var/task layout, its own /tmp and PID namespace), else as it is.
        self.launch = plan_launch(
            ["-I", "-S", "-B", str(bootstrap), "--client", spec.runtime_client, "--watch-fd", str(watch_read)],
            python=python, code_dir=spec.code_dir, layers=spec.layers, runtime_dir=runtime_dir,
            runtime_code=bootstrap.parent, ephemeral_mb=spec.ephemeral_storage, code_extra=spec.code_extra,
        )
        self._tmp = self.launch.host_tmp
        command = self.launch.command
        read_fd, write_fd = os.pipe()
        # Lambda's telemetry log descriptor, on the same pipe as stdout and stderr so that records and prints keep
        # their order; the log capture tells its frames from plain output.
        framed_fd = os.dup(write_fd) if spec.runtime_client in FRAMED_CLIENTS else None
        self._spawned = time.perf_counter()
        try:
            self.process = subprocess.Popen(
                command,
                cwd=spec.code_dir,  # sandboxed, bwrap changes to /var/task
                env=worker_environment(spec, self.launch, self.log_stream_name, self._api.address, framed_fd),
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                close_fds=True,
                pass_fds=(watch_read,) if framed_fd is None else (watch_read, framed_fd),
                # Its own process group: a timeout or a kill takes the handler's children with it.
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            os.close(self._watch)
            self._api.close()
            self._remove_tmp()
            raise
        finally:
            os.close(write_fd)
            os.close(watch_read)
            if framed_fd is not None:
                os.close(framed_fd)
        self._log = LogCapture(read_fd, log_limit)
        # Sandboxed, the worker is bwrap's grandchild, and every process of the environment is in the namespace.
        self._namespace = namespace_pids(self.process.pid) if self.launch.sandboxed else None
        if self._namespace is not None:
            self._memory = ProcessMemory(self._namespace[1], tree_root=self._namespace[0])
        else:
            self._memory = ProcessMemory(self.process.pid)
        self._started.set()

    # -- the worker's environment ------------------------------------------------------------------------------

    # -- state --------------------------------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return not self._dead and self.process.poll() is None

    @property
    def pid(self) -> int:
        return self.process.pid

    # -- the Runtime API side (called from the server's connection threads) ----------------------------------------

    def runtime_processes(self) -> Iterator[int]:
        """Who may connect to this environment's port: the worker first, then its tree and session."""
        # A worker can connect before the thread that started it has noted its pid, on a busy machine.
        if not self._started.wait(timeout=5.0):
            return  # it never started: nobody
        if self._namespace is not None:  # sandboxed: the worker is the namespace's second process, bwrap's grandchild
            yield self._namespace[1]
        yield self.process.pid
        yield from self._memory.descendants()  # its session as scanned in the last 0.1 s: a flood rescans nothing

    def runtime_next(self) -> Pending | None:
        with self._lock:
            if not self._init_done:
                self._init_done = True
                self.init_duration_ms = (time.perf_counter() - self._spawned) * 1000
            while not self._inbox:
                if self._dead:
                    # A killed worker can still ask again, on a new connection, after the hang-up that told it to
                    # stop: answer at once, or that connection would wait for an event that never comes.
                    return None
                self._inbox_ready.wait()
            pending = self._inbox.pop(0)
        if pending is None:
            return None
        pending.pre_log = self._log.take()
        deadline_ms = int(time.time() * 1000 + pending.timeout * 1000)
        pending.headers.append(("Lambda-Runtime-Deadline-Ms", str(deadline_ms)))
        pending.started = time.perf_counter()
        return pending

    def _matching(self, request_id: str) -> Pending | None:
        current = self._current
        return current if current is not None and current.request_id == request_id else None

    def runtime_response(self, request_id: str, body: bytes) -> bool:
        pending = self._matching(request_id)
        return pending is not None and pending.finish("response", body)

    def runtime_error(self, request_id: str, body: bytes, error_type: str) -> bool:
        pending = self._matching(request_id)
        return pending is not None and pending.finish("error", body, error_type)

    def runtime_response_too_large(self, request_id: str, size: int) -> bool:
        pending = self._matching(request_id)
        return pending is not None and pending.finish("too_large")

    def runtime_init_error(self, body: bytes, error_type: str) -> None:
        with self._lock:
            self._init_done = True
            self._init_error = (body, error_type)
            pending = self._current
        if pending is not None:
            pending.finish("init_error", body, error_type)

    # -- invoking ---------------------------------------------------------------------------------------------

    def invoke(
        self,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        cognito_identity: str | None = None,
        trace_header: str | None = None,
        invoked_arn: str | None = None,
    ) -> InvocationResult:
        """Run one invocation in this environment; the pool guarantees nobody else is using it. `trace_header`: the
        caller's X-Ray trace header, whose trace the invocation continues; `invoked_arn`: the ARN the caller used
        (an alias's), when it is not the version's."""
        spec = self.spec
        request_id = request_id or str(uuid.uuid4())
        cold = self.invocations == 0
        self.invocations += 1
        headers = [
            ("Lambda-Runtime-Aws-Request-Id", request_id),
            ("Lambda-Runtime-Invoked-Function-Arn", invoked_arn or spec.invoked_arn),
            ("Lambda-Runtime-Trace-Id", trace_id(sampled=spec.tracing == "Active", upstream=trace_header)),
        ]
        if client_context:
            headers.append(("Lambda-Runtime-Client-Context", header_safe(client_context)))
        if cognito_identity:
            headers.append(("Lambda-Runtime-Cognito-Identity", header_safe(cognito_identity)))
        pending = Pending(request_id, payload, headers, spec.timeout)
        with self._lock:
            self._current = pending
            init_error = self._init_error
            if init_error is None:
                self._inbox.append(pending)
                self._inbox_ready.notify()
        if init_error is not None:
            pending.finish("init_error", *init_error)

        outcome = self._await(pending)
        try:
            return self._result(pending, outcome, cold)
        finally:
            with self._lock:
                self._current = None
            self.last_used = time.monotonic()

    def _await(self, pending: Pending) -> str:
        """Wait for the worker's answer while enforcing the deadline and the memory limit."""
        spec = self.spec
        limit_kb = spec.memory * 1024
        while True:
            if pending.done.wait(_POLL_SECONDS):
                return "done"
            if pending.cancelled:
                return "cancelled"
            now = time.perf_counter()
            if self.process.poll() is not None:
                return "done" if pending.done.is_set() else "exited"
            started = pending.started
            if started is not None:
                if now - started >= spec.timeout:
                    return "timeout"
            elif self._init_done:
                # Warm, and the worker has not taken the event yet (a busy machine): the clock runs from the queue.
                if now - pending.queued >= spec.timeout:
                    return "timeout"
            elif now - self._spawned > INIT_LIMIT_SECONDS + spec.timeout:
                # Still in the init phase: it may use its own 10 s, then the invocation's timeout.
                return "timeout"
            used_kb = self._memory.rss_kb()
            if used_kb is not None:
                self._peak_kb = max(self._peak_kb, used_kb)
                if used_kb > limit_kb:
                    return "oom"

    def _result(self, pending: Pending, outcome: str, cold: bool) -> InvocationResult:
        spec = self.spec
        request_id = pending.request_id
        if outcome == "done" and pending.kind in ("response", "error"):
            self._measure_peak()
        else:
            # Every other ending discards the environment, as Lambda does.
            if outcome == "done" and pending.kind == "init_error":
                self._reap(grace=1.0)  # the worker exits by itself after reporting; let its last words arrive
            self.kill()

        init_ms = self.init_duration_ms if cold else None
        now = time.perf_counter()
        if outcome == "done":
            ended = pending.ended or now
            if pending.kind == "init_error":
                # No handler ran: the whole time was the init phase, reported as the invocation's own.
                duration = (ended - self._spawned) * 1000
                init_ms = None
            else:
                duration = (ended - (pending.started or ended)) * 1000
        else:
            duration = (now - (pending.started or (self._spawned if cold else pending.queued))) * 1000
            if pending.started is None:
                init_ms = None

        exit_code = self.process.returncode if self.process.returncode is not None else -9  # when it exited
        exit_code = worker_returncode(exit_code) if self.launch.sandboxed else exit_code
        succeeded, body, error_type, status, platform_lines = ending(outcome, pending, spec, exit_code)
        if outcome == "oom":
            self._peak_kb = max(self._peak_kb, spec.memory * 1024)  # it held at least its limit

        # No reading at all (no /proc, no psutil, or a worker gone before the first poll): no figure.
        max_used = min(spec.memory, max(1, math.ceil(self._peak_kb / 1024))) if self._peak_kb else None
        billed = billed_ms(duration, init_ms)
        rest = self._log.take().decode("utf-8", "replace")
        if pending.started is None:
            before, after = rest, ""  # the worker never took the event: all it wrote was its init phase
        else:
            before, after = pending.pre_log.decode("utf-8", "replace"), rest
        if not self.launch.sandboxed and not succeeded:
            # Without the sandbox the code runs from the console's data folder: a failure's traceback names the code as
            # Lambda does, at /var/task, so it reads the same everywhere and shows no host path. (A success is
            # left as the handler made it.)
            body = as_task_root(body, self.launch.task_root)
            before, after = as_task_root_text(before, self.launch.task_root), as_task_root_text(after, self.launch.task_root)
        # A sampled invocation's trace header (TracingConfig Active), which Lambda's platform lines name.
        trace = dict(pending.headers).get("Lambda-Runtime-Trace-Id", "")
        trace = trace if trace.endswith("Sampled=1") else ""
        if spec.log_format == "JSON":
            log = json_log(spec, request_id, init_output=before, output=after, notice=self.launch.notice or "",
                           platform_lines=platform_lines, cold=cold, duration_ms=duration, billed_ms=billed,
                           init_ms=init_ms, max_used_mb=max_used, status=status, error_type=error_type,
                           produced_bytes=len(body), trace=trace)
        else:
            log = text_log(spec, request_id, init_output=before, output=after, notice=self.launch.notice or "",
                           platform_lines=platform_lines, duration_ms=duration, billed_ms=billed, init_ms=init_ms,
                           max_used_mb=max_used, status=status, error_type=error_type, trace=trace)
        return InvocationResult(
            request_id=request_id,
            succeeded=succeeded,
            payload=body,
            error_type=error_type,
            log=log,
            duration_ms=duration,
            billed_duration_ms=billed,
            init_duration_ms=init_ms,
            max_memory_used_mb=max_used,
            memory_size_mb=spec.memory,
            cold=cold,
            version=spec.version,
            status=status,
            ran_on=self.ran_on,
            interpreter_note=self.interpreter_note,
        )

    def _measure_peak(self) -> None:
        peak = self._memory.peak_kb()
        if peak is not None:
            self._peak_kb = max(self._peak_kb, peak)

    # -- ending -------------------------------------------------------------------------------------------------

    def cancel(self, request_id: str) -> bool:
        """Stop the invocation `request_id` if it is running here; the environment is discarded."""
        pending = self._matching(request_id)
        if pending is None or pending.done.is_set():
            return False
        pending.cancelled = True
        self.kill()
        return True

    def _reap(self, grace: float) -> None:
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass

    def kill(self) -> None:
        """End the worker and everything it started; safe to call more than once, from any thread."""
        with self._lock:
            first = not self._dead
            self._dead = True
            self._inbox.append(None)  # wake a connection thread blocked on `next`
            self._inbox_ready.notify_all()
        # Found before the worker dies: descendants that left its process group, or outlive it in its session.
        strays = self._memory.descendants(fresh=True) if first else set()
        if first and not self.launch.sandboxed:
            # What left the worker's session (its PID namespace does this under the sandbox).
            strays |= processes_with(f"AWS_LAMBDA_LOG_STREAM_NAME={self.log_stream_name}".encode()) - {os.getpid()}
        if self._namespace is not None and self.process.poll() is None:
            try:
                # The namespace's first process: when it dies the kernel kills every process in the namespace.
                os.kill(self._namespace[0], signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._reap(grace=5.0)
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if first:
            self._api.close()

    def close(self) -> None:
        """Kill the worker and release everything the environment holds."""
        self.kill()
        self._log.close()
        self._memory.close()
        try:
            os.close(self._watch)
        except OSError:
            pass
        self._remove_tmp()

    def _remove_tmp(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

