"""The function's log: stdout and stderr written through at once, the runtime's log sink, and Lambda's logging.

Lambda's Python runtime gives the root logger a handler that writes `[LEVEL]\t<UTC time>Z\t<request id>\t<message>`,
or one JSON object per record when the function's log format is JSON, at the function's application log level
(LAMBDA_SPEC, "Logs"; AWS's "Configuring advanced logging controls for Lambda functions"). Importing `logging` costs
a cold start ~20 ms, so the handler is installed the moment anyone imports `logging`, not before.
"""

from __future__ import annotations

import sys
import time

from .errors import error_log_lines
from .payload import escapes_non_ascii, to_json
from .process import getenv

_TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_TEXT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_JSON_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _application_log_level(value: str | None) -> str:
    """The root logger's level name from AWS_LAMBDA_LOG_LEVEL: TRACE is DEBUG; a name logging lacks is ignored."""
    if value is None:
        return ""
    return "DEBUG" if value == "TRACE" else value.upper()


JSON_FORMAT = (getenv("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"
LOG_LEVEL = _application_log_level(getenv("AWS_LAMBDA_LOG_LEVEL"))

# The invocation in progress, which every log record names.
_current: dict = {"request_id": None, "tenant_id": None}


def set_current_invocation(request_id: str | None, tenant_id: str | None) -> None:
    _current["request_id"] = request_id
    _current["tenant_id"] = tenant_id


class Unbuffered:
    """sys.stdout and sys.stderr as the function sees them: every write reaches the log at once.

    Anything else (encoding, fileno, isatty...) is the wrapped stream's. Leaving a `with sys.stdout:` block does not
    close it: the log stays open for the rest of the environment's life."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text):
        self.stream.write(text)
        self.stream.flush()

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()

    def __getattr__(self, name: str):
        return getattr(self.stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        return None


class StandardLogSink:
    """Where the runtime's own log lines go: stdout, which the engine reads as the function's log.

    The lines of one error are joined with "\\n", as Lambda's telemetry log keeps a record's lines together."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def log(self, message: str, frame_type: bytes | None = None) -> None:
        sys.stdout.write(message)

    def log_error(self, lines: list) -> None:
        sys.stdout.write("\n".join(lines) + "\n")


LOG_SINK = StandardLogSink()


def sink_of_root_logger() -> StandardLogSink | None:
    """The sink of the root logger's Lambda handler (the runtime's own while logging is not imported yet)."""
    logging = sys.modules.get("logging")
    if logging is None:
        return LOG_SINK
    for handler in logging.getLogger().handlers:
        if hasattr(handler, "log_sink"):
            return handler.log_sink
    return None


def log_unhandled_error(payload: dict) -> None:
    """Write an unhandled error to the log: its title and traceback, or one JSON object in the JSON log format."""
    if not JSON_FORMAT:
        LOG_SINK.log_error(error_log_lines(payload))
        return
    import logging

    stamp = time.strftime(_JSON_DATE_FORMAT, logging.Formatter.converter(time.time()))
    LOG_SINK.log_error([to_json({"timestamp": stamp, "level": "ERROR", **payload}, escapes_non_ascii())])


def _level_bucket(levelno: int) -> int:
    """A record's level rounded down to one of logging's named levels (0 to 50)."""
    return min(50, max(0, levelno)) // 10 * 10


# Attributes every LogRecord has, and those the runtime adds: never written as extra fields of a JSON record.
_RECORD_ATTRIBUTES = frozenset(
    {
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info", "exc_text",
        "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
        "processName", "process", "aws_request_id", "tenant_id", "_frame_type",
    }
)


def _json_formatter(logging):
    """One JSON object per record: time, level, message, logger, the exception if any, the request, extra fields."""
    import json
    import traceback

    # A value json cannot write is written as its str(), rather than losing the whole record.
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode

    class JsonFormatter(logging.Formatter):
        def __init__(self) -> None:
            super().__init__(datefmt=_JSON_DATE_FORMAT)

        def format(self, record) -> str:
            record.levelno = _level_bucket(record.levelno)
            record.levelname = logging.getLevelName(record.levelno)
            failure = record.exc_info
            if isinstance(record.msg, dict) and not record.args:
                message = record.msg  # a dict logged as such stays an object
            else:
                message = record.getMessage()
            fields = {
                "timestamp": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "message": message,
                "logger": record.name,
                "stackTrace": traceback.format_tb(failure[2]) if failure else None,
                "errorType": failure[0].__name__ if failure else None,
                "errorMessage": str(failure[1]) if failure else None,
                "requestId": getattr(record, "aws_request_id", None),
                "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if failure else None,
            }
            if getattr(record, "tenant_id", None) is not None:
                fields["tenantId"] = record.tenant_id
            for name, value in record.__dict__.items():
                if name not in _RECORD_ATTRIBUTES and name not in fields:
                    fields[name] = value
            return encode({name: value for name, value in fields.items() if value is not None}) + "\n"

    return JsonFormatter()


def install_lambda_logging(logging) -> None:
    """Give the root logger Lambda's handler, format, request filter and level."""
    if not isinstance(getattr(logging, "Handler", None), type):
        return  # a module of the function's own that happens to be called logging

    def emit(handler, record) -> None:
        handler.log_sink.log(handler.format(record))

    def init(handler, log_sink) -> None:
        logging.Handler.__init__(handler)
        handler.log_sink = log_sink

    def name_request(_filter, record) -> bool:
        record.aws_request_id = _current["request_id"] or ""
        record.tenant_id = _current["tenant_id"]
        return True

    # The class names are those a function sees on Lambda (in the handler's repr, for one). The second is used when
    # the log format or level is set, where Lambda frames each record with its level.
    plain = "LambdaLoggerHandler" if not (JSON_FORMAT or LOG_LEVEL) else "LambdaLoggerHandlerWithFrameType"
    handler_class = type(plain, (logging.Handler,), {"__init__": init, "emit": emit, "__module__": __name__})
    filter_class = type("LambdaLoggerFilter", (logging.Filter,), {"filter": name_request, "__module__": __name__})

    logging.Formatter.converter = time.gmtime
    handler = handler_class(LOG_SINK)
    if JSON_FORMAT:
        handler.setFormatter(_json_formatter(logging))
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT, _TEXT_DATE_FORMAT))
    handler.addFilter(filter_class())
    root = logging.getLogger()
    if LOG_LEVEL in logging._nameToLevel:
        root.setLevel(LOG_LEVEL)
    root.addHandler(handler)


class _LoggingImportHook:
    """Installs Lambda's root log handler the moment `logging` has been imported, by whoever imports it.

    awslambdaric imports logging before the function's code runs; importing it here would cost a cold start ~20 ms,
    so instead the handler appears exactly when the function (or a library) could first look at it.
    """

    def __init__(self) -> None:
        self.done = False

    def find_spec(self, name, path=None, target=None):
        if name != "logging" or self.done:
            return None
        self.done = True
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if finder is self or find_spec is None:
                continue
            spec = find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _InstallAfterExec(spec.loader, self)
        return spec


class _InstallAfterExec:
    """Wraps the loader of `logging`: runs it, puts it back in place, then installs the Lambda handler."""

    def __init__(self, loader, hook: _LoggingImportHook) -> None:
        self.loader = loader
        self.hook = hook

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = self.loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        if self.hook in sys.meta_path:
            sys.meta_path.remove(self.hook)
        self.loader.exec_module(module)
        install_lambda_logging(module)


def install_logging_hook() -> None:
    """Lambda's logging now if `logging` is imported already, else the moment it is."""
    if "logging" in sys.modules:
        install_lambda_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingImportHook())
