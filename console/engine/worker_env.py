"""What a worker is started with and what travels with each invocation: the process environment Lambda gives a
function (its variables, then the wiring to this environment, which the function's own may not replace), the
invocation's Runtime API headers, an invocation's state from the moment it is queued until it has an outcome, and
what that outcome comes to in Lambda's words (`ending`)."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field

from console.core.clock import log_line_time
from console.engine.invocation import (
    FunctionSpec,
    exit_payload,
    exit_reason,
    response_too_large_payload,
    timeout_message,
    timeout_payload,
)
from console.engine.sandbox import Launch

# Keys the function's own variables may not replace: they wire the worker to this environment.
_WIRING = ("AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER", "_LAMBDA_TELEMETRY_LOG_FD")
# Runtime clients given Lambda's telemetry log descriptor: they write each log record to it as one frame.
FRAMED_CLIENTS = frozenset({"awslambdaric"})


@dataclass
class Pending:
    """An invocation from the moment it is queued for the worker until it has an outcome."""

    request_id: str
    payload: bytes
    headers: list[tuple[str, str]]
    timeout: float
    done: threading.Event = field(default_factory=threading.Event)
    queued: float = field(default_factory=time.perf_counter)
    started: float | None = None  # perf_counter when the worker took the event
    ended: float | None = None
    kind: str | None = None  # "response", "error", "init_error", "too_large"
    body: bytes = b""
    error_type: str = ""
    pre_log: bytes = b""  # output before START: the init phase's, or stray output between invocations
    cancelled: bool = False

    def finish(self, kind: str, body: bytes = b"", error_type: str = "") -> bool:
        if self.done.is_set():
            return False
        self.ended = time.perf_counter()
        self.kind, self.body, self.error_type = kind, body, error_type
        self.done.set()
        return True


_TRACE_ROOT = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")


def trace_id(sampled: bool = False, upstream: str | None = None) -> str:
    """The invocation's X-Ray trace header in Lambda's format: the root (1-<epoch seconds in hex>-<96 random bits>),
    the parent segment's id, and whether the invocation is sampled (TracingConfig Active samples every one here).
    A caller's header (`upstream`, Invoke's X-Amzn-Trace-Id) keeps its root and its sampling decision, as Lambda
    continues the caller's trace; the parent is the invocation's own segment."""
    fields = dict(part.strip().split("=", 1) for part in (upstream or "").split(";") if "=" in part)
    root = fields.get("Root", "")
    if not _TRACE_ROOT.fullmatch(root):
        root = f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    if fields.get("Sampled") in ("0", "1"):
        sampled = fields["Sampled"] == "1"
    return f"Root={root};Parent={os.urandom(8).hex()};Sampled={int(sampled)}"


def header_safe(json_text: str) -> str:
    """A caller's JSON as one header line: CR and LF can only be whitespace between JSON tokens, so spaces do."""
    return json_text.replace("\r", " ").replace("\n", " ")


def error_type_of(body: bytes, fallback: str) -> str:
    try:
        value = json.loads(body).get("errorType")
    except (ValueError, AttributeError):
        value = None
    return value if isinstance(value, str) and value else (fallback or "Unhandled")


def worker_environment(spec: FunctionSpec, launch: Launch, log_stream_name: str, api_address: str,
                       framed_fd: int | None) -> dict[str, str]:
    """The worker's whole process environment: Lambda's variables, the function's own, then the wiring."""
    env = {
        "PATH": ":".join(["/usr/local/bin", "/usr/bin", "/bin", *launch.layer_bins]),
        "LANG": "en_US.UTF-8",
        "LD_LIBRARY_PATH": ":".join(launch.library_path),
        "TZ": ":UTC",
        "TMPDIR": launch.tmp_dir,
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group or f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name,
        # As on Lambda, X-Ray's SDK logs a missing context rather than raising, and sends its segments (only those
        # of sampled invocations: TracingConfig Active) to a daemon's UDP port, here a local X-Ray daemon's if one
        # runs; with none, the datagrams go nowhere and nothing fails.
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    }
    if not launch.sandboxed:
        # Without the sandbox the console's user's home is readable: HOME names the environment's own empty folder,
        # so that what looks in ~ (botocore's ~/.aws credentials and config, ~/.netrc, ~/.ssh) finds nothing there,
        # as on Lambda, whose user has no home, and as in the sandbox, where no home is mounted.
        env["HOME"] = launch.tmp_dir
    if spec.log_format == "JSON":
        # Lambda's advanced logging controls reach the runtime this way; it writes JSON records at this level.
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        env["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level
    env.update({key: value for key, value in spec.environment.items() if key not in _WIRING})
    env.update(spec.credentials)  # the role's credentials on Lambda; here a profile's, when the user gave one
    env.update(
        {
            "_HANDLER": spec.handler,
            "LAMBDA_TASK_ROOT": launch.task_root,
            "LAMBDA_RUNTIME_DIR": launch.runtime_dir,
            "AWS_LAMBDA_RUNTIME_API": api_address,
        }
    )
    if framed_fd is not None:
        env["_LAMBDA_TELEMETRY_LOG_FD"] = str(framed_fd)
    return env


def ending(outcome: str, pending: Pending, spec: FunctionSpec,
           exit_code: int) -> tuple[bool, bytes, str | None, str | None, list[str]]:
    """What an invocation came to, as Lambda reports it: (succeeded, payload, error type, REPORT status, the platform's
    own log lines). `outcome` is how the wait ended ("done", "timeout", "oom", "exited", "cancelled"); `exit_code` is
    the worker's, as subprocess gives it (-9 while it runs), read only when it exited or was stopped."""
    request_id = pending.request_id
    status: str | None = None
    platform_lines: list[str] = []
    if outcome == "done" and pending.kind == "response":
        succeeded, body, error_type = True, pending.body, None
    elif outcome == "done" and pending.kind in ("error", "init_error"):
        succeeded, body = False, pending.body
        error_type = error_type_of(pending.body, pending.error_type)
        status = "error"
    elif outcome == "done":  # too_large
        succeeded, body, error_type, status = False, response_too_large_payload(), "Function.ResponseSizeTooLarge", "error"
        platform_lines.append(f"{log_line_time()} {request_id} {json.loads(body)['errorMessage']}")
    elif outcome == "timeout":
        succeeded, body, error_type, status = False, timeout_payload(request_id, spec.timeout), "Sandbox.Timedout", "timeout"
        platform_lines.append(f"{log_line_time()} {request_id} {timeout_message(spec.timeout)}")
    elif outcome == "oom":
        reason = "Runtime exited with error: signal: killed"
        succeeded, error_type, status = False, "Runtime.OutOfMemory", "error"
        body = exit_payload(request_id, reason, error_type)
        platform_lines += [f"RequestId: {request_id} Error: {reason}", error_type]
    else:  # exited or cancelled
        reason = exit_reason(exit_code)
        succeeded, error_type, status = False, "Runtime.ExitError", "error"
        body = exit_payload(request_id, reason, error_type)
        if outcome == "cancelled":
            platform_lines.append(f"{log_line_time()} {request_id} Invocation cancelled from the console")
        platform_lines += [f"RequestId: {request_id} Error: {reason}", error_type]
    return succeeded, body, error_type, status, platform_lines
