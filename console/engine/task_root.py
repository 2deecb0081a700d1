"""The code's folder written as Lambda's /var/task in what a worker outside the sandbox reports.

Inside the sandbox the code is at /var/task, so tracebacks already say so. Outside it the code runs from the console's
data folder; its tracebacks are rewritten to read the same, with no host path shown.
"""

from __future__ import annotations

import json

from console.engine.sandbox import TASK_ROOT


def as_task_root_text(text: str, code_root: str) -> str:
    """`text` with the code's folder written as Lambda's /var/task."""
    root = code_root.rstrip("/")
    return text.replace(root + "/", TASK_ROOT + "/") if root and root != TASK_ROOT else text


def as_task_root(payload: bytes, code_root: str) -> bytes:
    """A JSON payload (an error's stackTrace, a SyntaxError's message) with the code's folder written as /var/task,
    byte for byte otherwise: the folder is replaced as it appears inside JSON strings."""
    root = code_root.rstrip("/")
    if not root or root == TASK_ROOT:
        return payload
    escaped = json.dumps(root + "/")[1:-1].encode("utf-8")
    return payload.replace(escaped, (TASK_ROOT + "/").encode("utf-8"))
