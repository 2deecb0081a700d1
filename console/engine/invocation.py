"""What one invocation is given and what it gives back, with Lambda's exact platform payloads and log lines.

Plain data and formatting only: the moving parts live in environment.py and pool.py.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from console.core.limits import (  # noqa: F401 - the engine's modules read Lambda's limits from here
    MAX_EPHEMERAL_STORAGE,
    MAX_EVENT_REQUEST_BYTES,
    MAX_MEMORY,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    MAX_TIMEOUT,
    MIN_EPHEMERAL_STORAGE,
    MIN_MEMORY,
    MIN_TIMEOUT,
)
from console.engine.interpreters import Interpreter

# The init phase may take this long before the invocation's own timeout starts to count.
INIT_LIMIT_SECONDS = 10.0

RUNTIME_CLIENTS = ("bootstrap", "awslambdaric")
LOCAL_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class FunctionSpec:
    """Everything the engine needs to run one function version: code, handler and configuration.

    Two specs with the same `name` and `version` but a different `key` are different code or configuration:
    the engine retires environments of the old one (hot reload).
    """

    name: str
    code_dir: Path
    handler: str
    runtime: str = LOCAL_RUNTIME
    timeout: float = 3
    memory: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    layers: tuple[Path, ...] = ()
    runtime_client: str = "bootstrap"
    version: str = "$LATEST"
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    # Anything that changes whenever the code changes (the package's CodeSha256, say); part of the key.
    revision: str = ""
    # The size of /tmp in MB (EphemeralStorage.Size), enforced where workers run sandboxed.
    ephemeral_storage: int = MIN_EPHEMERAL_STORAGE
    # AWS credentials handed to the handler (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), as Lambda
    # hands it the execution role's; empty: none. Never shown in a repr; the key holds a digest of them.
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    # The function's reserved concurrency (PutFunctionConcurrency): at most this many of its invocations run at once,
    # the next is throttled; None: only the engine's own limits. Not part of the key: it changes no environment.
    reserved_concurrency: int | None = None
    # The Python that runs the worker (console.engine.interpreters); None: the engine's own. A result says so when
    # it is not the runtime's: `interpreter_note` is that sentence.
    interpreter: Interpreter | None = None
    interpreter_note: str = ""
    # Folders shown with the code at /var/task, under its own files (a folder function's installed dependencies, as
    # Lambda shows a built package); without the sandbox they come on sys.path right after the code.
    code_extra: tuple[Path, ...] = ()
    # Lambda's LoggingConfig: "Text" or "JSON" (JSON records from the runtime and the platform), the levels that
    # filter application and platform records in JSON, and the log group ("" for /aws/lambda/<name>).
    log_format: str = "Text"
    application_log_level: str = "INFO"
    system_log_level: str = "INFO"
    log_group: str = ""
    # TracingConfig's Mode: with "Active", each invocation's trace header is sampled, as X-Ray's active tracing has it.
    tracing: str = "PassThrough"

    def __post_init__(self) -> None:
        object.__setattr__(self, "code_dir", Path(self.code_dir))
        object.__setattr__(self, "layers", tuple(Path(p) for p in self.layers))
        object.__setattr__(self, "code_extra", tuple(Path(p) for p in self.code_extra))
        object.__setattr__(self, "environment", dict(self.environment))
        object.__setattr__(self, "credentials", dict(self.credentials))
        if not MIN_TIMEOUT <= self.timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be between {MIN_TIMEOUT} and {MAX_TIMEOUT} seconds, not {self.timeout}")
        if not MIN_MEMORY <= self.memory <= MAX_MEMORY:
            raise ValueError(f"memory must be between {MIN_MEMORY} and {MAX_MEMORY} MB, not {self.memory}")
        if not MIN_EPHEMERAL_STORAGE <= self.ephemeral_storage <= MAX_EPHEMERAL_STORAGE:
            raise ValueError(f"ephemeral storage must be between {MIN_EPHEMERAL_STORAGE} and {MAX_EPHEMERAL_STORAGE} MB, "
                             f"not {self.ephemeral_storage}")
        if self.runtime_client not in RUNTIME_CLIENTS:
            raise ValueError(f"runtime client must be one of {', '.join(RUNTIME_CLIENTS)}, not {self.runtime_client!r}")

    @cached_property
    def key(self) -> tuple:
        """Identity of the code and configuration: environments are reused only for an equal key."""
        return (
            self.name,
            self.version,
            str(self.code_dir),
            self.handler,
            self.runtime,
            self.timeout,
            self.memory,
            tuple(sorted(self.environment.items())),
            self.layers,
            self.code_extra,
            self.runtime_client,
            self.region,
            self.account,
            self.revision,
            (self.log_format, self.application_log_level, self.system_log_level, self.log_group, self.tracing),
            # New credentials (refreshed by botocore, another profile) make new environments, as Lambda's would.
            hashlib.sha256(repr(sorted(self.credentials.items())).encode()).hexdigest() if self.credentials else "",
            self.interpreter.path if self.interpreter is not None else "",
        )

    @property
    def function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.name}"

    @property
    def invoked_arn(self) -> str:
        """The ARN a caller used: qualified with the version unless it is $LATEST (as the console invokes)."""
        return self.function_arn if self.version == "$LATEST" else f"{self.function_arn}:{self.version}"


@dataclass(frozen=True)
class InvocationResult:
    """The outcome of one invocation, as the Lambda console and the Invoke API report it."""

    request_id: str
    succeeded: bool
    # The response body exactly as Lambda returns it: the handler's JSON, or the error payload.
    payload: bytes
    # None on success; the errorType otherwise ("ValueError", "Runtime.ImportModuleError", "Sandbox.Timedout"...).
    error_type: str | None
    # The function's log: init output, START, what the handler wrote, END, REPORT.
    log: str
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None
    # None when no reading of the worker's memory could be taken: no figure is better than an invented one.
    max_memory_used_mb: int | None
    memory_size_mb: int
    cold: bool
    version: str
    # "timeout" or "error" on failure (as REPORT's Status), None on success.
    status: str | None = None
    # The runtime name of the Python that ran it (python3.11), and the sentence saying it is not the function's
    # runtime ("ran on Python 3.11; the function's runtime is python3.12"), empty when it is.
    ran_on: str = ""
    interpreter_note: str = ""

    @property
    def status_text(self) -> str:
        return "succeeded" if self.succeeded else "failed"

    @property
    def report_line(self) -> str:
        return self.log.rstrip("\n").rsplit("\n", 1)[-1]


def _compact(obj: dict) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def timeout_payload(request_id: str, timeout: float) -> bytes:
    return _compact(
        {"errorType": "Sandbox.Timedout", "errorMessage": f"RequestId: {request_id} Error: {timeout_message(timeout)}"}
    )


def timeout_message(timeout: float) -> str:
    return f"Task timed out after {timeout:.2f} seconds"


def exit_payload(request_id: str, reason: str, error_type: str = "Runtime.ExitError") -> bytes:
    return _compact({"errorType": error_type, "errorMessage": f"RequestId: {request_id} Error: {reason}"})


def response_too_large_payload() -> bytes:
    return _compact(
        {
            "errorType": "Function.ResponseSizeTooLarge",
            "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
        }
    )


# Go's names for signals, as Lambda's platform (written in Go) prints them in "signal: <name>".
_SIGNAL_NAMES = {
    1: "hangup",
    2: "interrupt",
    3: "quit",
    4: "illegal instruction",
    5: "trace/breakpoint trap",
    6: "aborted",
    7: "bus error",
    8: "floating point exception",
    9: "killed",
    10: "user defined signal 1",
    11: "segmentation fault",
    12: "user defined signal 2",
    13: "broken pipe",
    14: "alarm clock",
    15: "terminated",
}


def exit_reason(returncode: int) -> str:
    """Lambda's words for how a runtime process ended, from a Popen return code."""
    if returncode == 0:
        return "Runtime exited without providing a reason"
    if returncode < 0:
        signum = -returncode
        return f"Runtime exited with error: signal: {_SIGNAL_NAMES.get(signum, f'signal {signum}')}"
    return f"Runtime exited with error: exit status {returncode}"


def billed_ms(duration_ms: float, init_duration_ms: float | None) -> int:
    """Billed Duration: for on-demand zip functions the init time counts too; rounded up to the millisecond."""
    return max(1, math.ceil(duration_ms + (init_duration_ms or 0.0)))


def report_line(
    request_id: str,
    duration_ms: float,
    billed_duration_ms: int,
    memory_size: int,
    max_memory_used: int | None,
    init_duration_ms: float | None,
    status: str | None,
    error_type: str | None,
) -> str:
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_duration_ms} ms",
        f"Memory Size: {memory_size} MB",
    ]
    if max_memory_used is not None:  # left out, never guessed, when it could not be measured
        parts.append(f"Max Memory Used: {max_memory_used} MB")
    if init_duration_ms is not None:
        parts.append(f"Init Duration: {init_duration_ms:.2f} ms")
    if status:
        parts.append(f"Status: {status}")
        if status == "error" and error_type:
            parts.append(f"Error Type: {error_type}")
    return "\t".join(parts)
