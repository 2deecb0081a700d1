"""What the runtime reports when something fails: its own `Runtime.*` faults, error payloads and their log lines.

The payload's keys, their order and the error types are Lambda's (LAMBDA_SPEC, "Error payloads"); the log lines are
those Lambda's Python runtime writes for an unhandled error.
"""

from __future__ import annotations

# The runtime's own error types, reported instead of the function's exception type.
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# Lambda's log view keeps leading NO-BREAK SPACEs, where it would strip the spaces that indent traceback lines.
_KEPT_INDENT = "\u00a0"
_RUNTIME_FOLDER = __file__.rpartition("/")[0] + "/"


class RuntimeFault(Exception):
    """A failure the runtime reports in its own words: an error type, a message, and a stack trace if any."""

    def __init__(self, error_type: str, message: str, stack_trace: list | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace


def error_payload(message: str, error_type: str, stack_trace: list | None, request_id: str | None = None) -> dict:
    """The error document Lambda returns: errorMessage, errorType, requestId, stackTrace, in that order.

    Missing parts are empty, never null: "" for the texts (requestId too, for init errors) and [] for the trace."""
    payload: dict = {"errorMessage": message or "", "errorType": error_type or ""}
    payload["requestId"] = "" if request_id is None else request_id
    payload["stackTrace"] = stack_trace or []
    return payload


def _is_runtime_frame(filename: str) -> bool:
    # Lambda's runtime recognises its own frames by a file called bootstrap.py; ours are this folder's files.
    return "/bootstrap.py" in filename or filename.startswith(_RUNTIME_FOLDER)


def function_frames(tb) -> list:
    """The traceback formatted as `traceback.format_list` does, from the first frame that is not the runtime's."""
    import traceback

    frames = list(traceback.extract_tb(tb))
    first = next((index for index, frame in enumerate(frames) if not _is_runtime_frame(frame.filename)), None)
    # Plain tuples, as Lambda's runtime formats them: a FrameSummary would add Python 3.11's ^^^ position lines.
    shown: list = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in frames[first or 0 :]]
    return traceback.format_list(shown)


def exception_payload(error: BaseException, request_id: str | None = None) -> dict:
    """The payload of an exception the function raised: its class name, its str() and its frames."""
    return error_payload(str(error), type(error).__name__, function_frames(error.__traceback__), request_id)


def fault_payload(fault: RuntimeFault, request_id: str | None = None) -> dict:
    return error_payload(fault.message, fault.error_type, fault.stack_trace, request_id)


def _keep_indent(line: str) -> str:
    stripped = line.lstrip(" ")
    return _KEPT_INDENT * (len(line) - len(stripped)) + stripped


def error_log_lines(payload: dict) -> list:
    """The text log of an unhandled error: `[ERROR] Type: message`, then the traceback, one line per item."""
    error_type, message = payload.get("errorType"), payload.get("errorMessage")
    title = "[ERROR]"
    if error_type:
        title = f"{title} {error_type}"
    if message:
        title = f"{title}: {message}" if error_type else f"{title} {message}"
    lines = [title]
    stack_trace = payload.get("stackTrace")
    if stack_trace is None:
        return lines
    lines.append("Traceback (most recent call last):")
    for entry in stack_trace:
        lines.extend([_keep_indent(line) for line in entry.splitlines()] if entry != "" else [""])
    return lines

