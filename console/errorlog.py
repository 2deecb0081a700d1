"""The console's own log: where its unexpected failures are written, with their tracebacks, out of the user's sight.

Every logger of the console is named under `lambda_console` (`lambda_console.web`, `lambda_console.api`,
`lambda_console.jobs`, `lambda_console.cli`). A page, an API answer or a command's error line says what went wrong
in a sentence; the traceback goes here. `serve` writes this log to its standard error, beside its start-up lines;
a one-off command writes it to a file (it has no terminal of its own to spare) and names the file in its error line.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

ROOT = "lambda_console"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def logger(part: str) -> logging.Logger:
    """The logger of one part of the console, e.g. `logger("api")` is `lambda_console.api`."""
    return logging.getLogger(f"{ROOT}.{part}")


def log_to_stderr() -> None:
    """For `serve`: the console's log on standard error, with times and tracebacks (once, however often called)."""
    root = logging.getLogger(ROOT)
    if not any(getattr(handler, "_lambda_console", False) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._lambda_console = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    if root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def cli_log_path() -> Path:
    """Where a command writes its log when nothing else takes it: a file of the user's in the temp folder ($TMPDIR)."""
    return Path(tempfile.gettempdir()) / f"lambda-console-{os.getuid() if hasattr(os, 'getuid') else 'user'}.log"


def log_command_failure(exc: BaseException, command: str) -> Path | None:
    """Log a command's unexpected failure with its traceback; the file it went to, or None when logging is set up.

    When the process already has handlers (a test's log capture, an embedding application), the record goes to
    them; otherwise it is appended to `cli_log_path()`, so the terminal shows only the command's one line.
    """
    log = logger("cli")
    path: Path | None = None
    handler: logging.Handler | None = None
    if not _has_handlers(log):
        path = cli_log_path()
        try:
            handler = logging.FileHandler(path, encoding="utf-8", errors="backslashreplace")
        except OSError:
            return None
        handler.setFormatter(logging.Formatter(_FORMAT))
        log.addHandler(handler)
    try:
        log.error("%s failed", command, exc_info=(type(exc), exc, exc.__traceback__))
    finally:
        if handler is not None:
            log.removeHandler(handler)
            handler.close()
    return path


def _has_handlers(log: logging.Logger) -> bool:
    current: logging.Logger | None = log
    while current is not None:
        if current.handlers:
            return True
        current = current.parent if current.propagate else None
    return False
