"""The engine: a pool of execution environments and the one call everything else makes, `Engine.invoke`.

Environments are reused only for the same code and configuration (`FunctionSpec.key`). A busy environment is never
shared: a concurrent invocation gets another one, up to `max_environments` in all; past that it waits in a queue of
`max_queue`, and past that it is refused (`TooManyRequestsError`, Lambda's throttle). Idle environments are reaped
after `idle_timeout` seconds; when the cap is reached, the least recently used idle environment of another function
makes room. A new key for a function and version retires its old environments (hot reload).
"""

from __future__ import annotations

import atexit
import shutil
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from console.engine.environment import BOOTSTRAP, Environment
from console.engine.invocation import MAX_REQUEST_BYTES, FunctionSpec, InvocationResult
from console.engine.logs import DEFAULT_LOG_LIMIT
from console.engine.runtime_api import RuntimeApiServer
from console.engine.runtime_libs import shared_runtime_dir


class EngineError(Exception):
    """An invocation the engine refused before any handler ran."""


class RequestTooLargeError(EngineError):
    """The event is over Lambda's synchronous request limit."""


class TooManyRequestsError(EngineError):
    """Every environment is busy and the queue is full, or the function's reserved concurrency is all in use:
    Lambda's throttle. `reason` is Lambda's Reason for it."""

    def __init__(self, message: str = "Rate Exceeded.", reason: str = "ConcurrentInvocationLimitExceeded") -> None:
        super().__init__(message)
        self.reason = reason


class EngineClosedError(EngineError):
    """The engine was closed."""


@dataclass(frozen=True)
class EnvironmentInfo:
    """A snapshot of one environment, for status pages and tests."""

    id: str
    function: str
    version: str
    pid: int
    busy: bool
    invocations: int
    idle_seconds: float


class Engine:
    """Runs invocations in reusable worker processes; thread-safe; close() (or `with`) ends every worker."""

    def __init__(
        self,
        *,
        max_environments: int = 10,
        max_queue: int = 100,
        idle_timeout: float = 600.0,
        log_limit: int = DEFAULT_LOG_LIMIT,
        python: str = sys.executable,
        bootstrap: Path = BOOTSTRAP,
    ) -> None:
        if max_environments < 1:
            raise ValueError("max_environments must be at least 1")
        self.max_environments = max_environments
        self.max_queue = max_queue
        self.idle_timeout = idle_timeout
        self._log_limit = log_limit
        self._python = python
        self._bootstrap = Path(bootstrap)
        self._cond = threading.Condition()
        self._idle: dict[tuple, list[Environment]] = {}
        self._busy: set[Environment] = set()
        self._starting = 0
        self._waiting = 0
        self._running: dict[str, int] = {}  # invocations of each function between acquire and release
        self._keys: dict[tuple[str, str, str, str], tuple] = {}  # the latest key of each deployment (_deployment)
        self._closed = False
        self._server: RuntimeApiServer | None = None
        # The runtime library folder of each Python version workers run on (None: the console's own), and whether
        # this engine made it for itself (and removes it).
        self._runtime_dirs: dict[tuple[int, ...] | None, tuple[Path, bool]] = {}
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None
        # Workers must not outlive an interpreter that forgot to close its engine.
        atexit.register(_close_quietly, weakref.ref(self))

    # -- public ---------------------------------------------------------------------------------------------------

    def invoke(
        self,
        spec: FunctionSpec,
        payload: bytes = b"{}",
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        cognito_identity: str | None = None,
        trace_header: str | None = None,
        qualifier: str | None = None,
    ) -> InvocationResult:
        """Invoke `spec` synchronously with `payload` (the event's JSON bytes) and return what Lambda would;
        `trace_header` is the caller's X-Ray trace header, if any; `qualifier` the alias the caller named, which the
        handler's context.invoked_function_arn ends with (the version's otherwise)."""
        if len(payload) > MAX_REQUEST_BYTES:
            raise RequestTooLargeError(
                f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the InvokeFunction operation"
            )
        self._reserve(spec)
        try:
            env = self._acquire(spec)
            try:
                return env.invoke(
                    payload or b"{}",
                    request_id=request_id,
                    client_context=client_context,
                    cognito_identity=cognito_identity,
                    trace_header=trace_header,
                    invoked_arn=spec.invoked_arn if qualifier is None else f"{spec.function_arn}:{qualifier}",
                )
            finally:
                self._release(env)
        finally:
            with self._cond:
                self._running[spec.name] -= 1
                if not self._running[spec.name]:
                    del self._running[spec.name]

    def cancel(self, request_id: str) -> bool:
        """Stop a running invocation; it ends failed and its environment is discarded."""
        with self._cond:
            busy = list(self._busy)
        return any(env.cancel(request_id) for env in busy)

    def retire(self, function: str, version: str | None = None) -> None:
        """Discard the environments of a function (all its versions, or one): the next invocation is cold."""
        doomed: list[Environment] = []
        with self._cond:
            for key, envs in list(self._idle.items()):
                if key[0] == function and (version is None or key[1] == version):
                    doomed += envs
                    del self._idle[key]
            for env in self._busy:
                if env.spec.name == function and (version is None or env.spec.version == version):
                    env.retired = True
            self._cond.notify_all()
        for env in doomed:
            env.close()

    def environments(self) -> list[EnvironmentInfo]:
        now = time.monotonic()
        with self._cond:
            pairs = [(env, True) for env in self._busy]
            pairs += [(env, False) for envs in self._idle.values() for env in envs]
        return [
            EnvironmentInfo(env.id, env.spec.name, env.spec.version, env.pid, busy, env.invocations,
                            0.0 if busy else now - env.last_used)
            for env, busy in pairs
        ]

    def close(self) -> None:
        """Kill every worker and stop the Runtime API server. Invocations in progress end with an error."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            envs = [env for envs in self._idle.values() for env in envs] + list(self._busy)
            self._idle.clear()
            self._cond.notify_all()
        self._stop.set()
        for env in envs:
            env.close()
        if self._server is not None:
            self._server.close()
        for runtime_dir, owned in self._runtime_dirs.values():
            if owned:
                shutil.rmtree(runtime_dir, ignore_errors=True)

    def __enter__(self) -> Engine:  # noqa: PYI034 (typing.Self needs Python 3.11)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the pool -------------------------------------------------------------------------------------------------

    def _reserve(self, spec: FunctionSpec) -> None:
        """Count the invocation against its function; throttle it, as Lambda does at once, when the function's
        reserved concurrency is all in use."""
        with self._cond:
            running = self._running.get(spec.name, 0)
            if spec.reserved_concurrency is not None and running >= spec.reserved_concurrency:
                raise TooManyRequestsError("Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded")
            self._running[spec.name] = running + 1

    def _acquire(self, spec: FunctionSpec) -> Environment:
        doomed: list[Environment] = []
        queued = False
        try:
            with self._cond:
                try:
                    self._check_open()
                    self._note_key(spec, doomed)
                    while True:
                        idle = self._idle.get(spec.key)
                        if idle:
                            env = idle.pop()  # the most recently used: the warmest
                            if not idle:
                                del self._idle[spec.key]
                            if not env.alive:
                                doomed.append(env)
                                continue
                            self._busy.add(env)
                            return env
                        if self._count() >= self.max_environments:
                            victim = self._oldest_idle()
                            if victim is not None:
                                doomed.append(victim)
                        if self._count() < self.max_environments:
                            self._starting += 1
                            break
                        if not queued:
                            if self._waiting >= self.max_queue:
                                raise TooManyRequestsError("Rate Exceeded.")
                            self._waiting += 1
                            queued = True
                        self._cond.wait()
                        self._check_open()
                finally:
                    if queued:
                        self._waiting -= 1
        finally:
            for env in doomed:
                env.close()
        try:
            env = self._spawn(spec)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(env)
        return env

    def _release(self, env: Environment) -> None:
        discard = False
        with self._cond:
            self._busy.discard(env)
            if self._closed or env.retired or not env.alive or self._keys.get(_deployment(env.spec)) != env.spec.key:
                discard = True
            else:
                self._idle.setdefault(env.spec.key, []).append(env)
            self._cond.notify()
        if discard:
            env.close()

    def _note_key(self, spec: FunctionSpec, doomed: list[Environment]) -> None:
        """A new key for a function version retires the environments of the old one. Caller holds the lock."""
        ident = _deployment(spec)
        old = self._keys.get(ident)
        if old == spec.key:
            return
        self._keys[ident] = spec.key
        if old is not None:
            doomed += self._idle.pop(old, [])
            for env in self._busy:
                if env.spec.key == old:
                    env.retired = True

    def _count(self) -> int:
        return len(self._busy) + self._starting + sum(len(envs) for envs in self._idle.values())

    def _oldest_idle(self) -> Environment | None:
        """Remove and return the least recently used idle environment. Caller holds the lock."""
        oldest_key, oldest = None, None
        for key, envs in self._idle.items():
            if envs and (oldest is None or envs[0].last_used < oldest.last_used):
                oldest_key, oldest = key, envs[0]
        if oldest is not None and oldest_key is not None:
            self._idle[oldest_key].pop(0)
            if not self._idle[oldest_key]:
                del self._idle[oldest_key]
        return oldest

    def _check_open(self) -> None:
        if self._closed:
            raise EngineClosedError("The engine is closed")

    def _spawn(self, spec: FunctionSpec) -> Environment:
        if not spec.code_dir.is_dir():
            raise EngineError(f"Code folder {spec.code_dir} does not exist")
        with self._cond:
            if self._server is None:
                self._server = RuntimeApiServer()
                self._reaper = threading.Thread(target=self._reap_idle, name="engine-reaper", daemon=True)
                self._reaper.start()
            server = self._server
            python = _library_version(spec)
            if python not in self._runtime_dirs:
                self._runtime_dirs[python] = shared_runtime_dir(python=python)
            runtime_dir = self._runtime_dirs[python][0]
        return Environment(spec, server, runtime_dir, python=self._python, bootstrap=self._bootstrap,
                           log_limit=self._log_limit)

    def _reap_idle(self) -> None:
        interval = max(0.05, min(5.0, self.idle_timeout / 4))
        while not self._stop.wait(interval):
            now = time.monotonic()
            doomed: list[Environment] = []
            with self._cond:
                for key, envs in list(self._idle.items()):
                    keep = [env for env in envs if now - env.last_used < self.idle_timeout and env.alive]
                    doomed += [env for env in envs if env not in keep]
                    if keep:
                        self._idle[key] = keep
                    else:
                        del self._idle[key]
                if doomed:
                    self._cond.notify_all()
            for env in doomed:
                env.close()


def _close_quietly(ref: weakref.ref) -> None:
    engine = ref()
    if engine is not None:
        engine.close()


def _library_version(spec: FunctionSpec) -> tuple[int, ...] | None:
    """The Python version whose runtime libraries the worker gets: None for the console's own."""
    interpreter = spec.interpreter
    if interpreter is None or interpreter.version[:2] == tuple(sys.version_info[:2]):
        return None
    return interpreter.version


def _deployment(spec: FunctionSpec) -> tuple[str, str, str, str]:
    """A function version as deployed in one region and account. Callers that sign for another region (the REST API)
    and the web console (the default region) reach separate deployments, as on Lambda: each keeps its own warm
    environments rather than retiring the other's; new code or configuration comes with a new key for each."""
    return (spec.name, spec.version, spec.region, spec.account)
