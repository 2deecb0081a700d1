"""A remote's functions as the pages show them: the list (ListFunctions, every page), one function's configuration, an
Invoke with LogType Tail read into the same InvocationRecord a local run gives, and Compare (one event run locally and
on the remote, the two responses side by side).

The figures of a remote run come from the REPORT line of its log tail, as Lambda writes it ("REPORT RequestId: ...
Duration: 1.23 ms Billed Duration: 2 ms Memory Size: 128 MB Max Memory Used: 40 MB Init Duration: 99.1 ms"); a tail
without one (a real Lambda keeps only the last 4 KB) leaves them unknown rather than invented.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.core.clock import now_iso
from console.core.history import InvocationRecord
from console.core.remotes import Remote, remote_failure

if TYPE_CHECKING:
    from console.core.console import Console

# The most functions one listing reads from a remote (20 of ListFunctions' 50-function pages): a remote holding more
# is listed that far, and the page says so.
MAX_LISTED = 1000
_FIGURE = re.compile(r"(Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration|Status): ([\w.]+)")


@dataclass(frozen=True)
class RemoteFunction:
    """One function on a remote, as ListFunctions and GetFunctionConfiguration describe it."""

    name: str
    runtime: str
    handler: str
    memory: int
    timeout: int
    description: str
    last_modified: str
    code_sha256: str
    state: str


@dataclass(frozen=True)
class RemoteListing:
    """A remote's functions, by name; `truncated` when the remote holds more than MAX_LISTED."""

    remote: Remote
    functions: list[RemoteFunction]
    truncated: bool = False


@dataclass(frozen=True)
class Comparison:
    """One event run locally and on the remote: both results, and whether the responses are the same."""

    local: InvocationRecord
    remote: InvocationRecord
    diff: list[str]  # unified diff lines of the two responses, pretty printed; empty when they are the same

    @property
    def same(self) -> bool:
        return not self.diff


def _function(config: dict[str, Any]) -> RemoteFunction:
    return RemoteFunction(
        name=config.get("FunctionName", ""), runtime=config.get("Runtime", ""), handler=config.get("Handler", ""),
        memory=int(config.get("MemorySize") or 0), timeout=int(config.get("Timeout") or 0),
        description=config.get("Description", ""), last_modified=config.get("LastModified", ""),
        code_sha256=config.get("CodeSha256", ""), state=config.get("State", ""),
    )


def _call(remote: Remote, call: Any, **kwargs: Any) -> Any:
    """A client call; RemoteError (RemoteRefused for the remote's own refusal) instead of botocore's exceptions."""
    try:
        return call(**kwargs)
    except Exception as exc:
        failure = remote_failure(remote, exc)
        if failure is None:
            raise
        raise failure from None


def list_functions(console: Console, remote_name: str, *, page_size: int | None = None) -> RemoteListing:
    """Every function on the remote (up to MAX_LISTED), following ListFunctions' NextMarker page by page."""
    remote = console.get_remote(remote_name)
    client = console.remote_client(remote_name)
    functions: list[RemoteFunction] = []
    marker: str | None = None
    while True:
        args: dict[str, Any] = {"MaxItems": page_size} if page_size else {}
        if marker:
            args["Marker"] = marker
        page = _call(remote, client.list_functions, **args)
        functions.extend(_function(config) for config in page.get("Functions", []))
        marker = page.get("NextMarker")
        if not marker or len(functions) >= MAX_LISTED:
            break
    functions.sort(key=lambda function: function.name)
    return RemoteListing(remote, functions[:MAX_LISTED], truncated=bool(marker) or len(functions) > MAX_LISTED)


def get_function(console: Console, remote_name: str, name: str) -> RemoteFunction:
    """The remote function's configuration; RemoteRefused (ResourceNotFoundException...) as the remote answered.

    GetFunction, not GetFunctionConfiguration: the permission it needs (lambda:GetFunction) is one deploy needs too."""
    remote = console.get_remote(remote_name)
    client = console.remote_client(remote_name)
    return _function(_call(remote, client.get_function, FunctionName=name)["Configuration"])


def report_figures(log: str) -> dict[str, str]:
    """The figures of the last REPORT line in a log: {"Duration": "1.23", "Billed Duration": "2", ...}."""
    reports = [line for line in log.splitlines() if line.startswith("REPORT ")]
    return dict(_FIGURE.findall(reports[-1])) if reports else {}


def invoke(console: Console, remote_name: str, name: str, payload: bytes, *, event_name: str = "") -> InvocationRecord:
    """Invoke the remote's function with LogType Tail and wait: the answer as the Execution result shows a local one.

    The record is not kept in the local history (its id is 0): it is the remote's invocation."""
    remote = console.get_remote(remote_name)
    client = console.remote_client(remote_name)
    answer = _call(remote, client.invoke, FunctionName=name, Payload=payload, LogType="Tail")
    body = _call(remote, answer["Payload"].read)
    tail = base64.b64decode(answer.get("LogResult") or "").decode("utf-8", "replace")
    figures = report_figures(tail)
    function_error = answer.get("FunctionError")
    error_type = None
    if function_error:
        try:
            error_type = json.loads(body).get("errorType") or function_error
        except (ValueError, AttributeError, RecursionError):
            error_type = function_error
    status = figures.get("Status") or ("error" if function_error else None)
    return InvocationRecord(
        request_id=answer.get("ResponseMetadata", {}).get("RequestId", ""),
        succeeded=not function_error, payload=body, error_type=error_type, log=tail,
        duration_ms=float(figures.get("Duration", 0)), billed_duration_ms=int(figures.get("Billed Duration", 0)),
        init_duration_ms=float(figures["Init Duration"]) if "Init Duration" in figures else None,
        max_memory_used_mb=int(figures["Max Memory Used"]) if "Max Memory Used" in figures else None,
        memory_size_mb=int(figures.get("Memory Size", 0)), cold="Init Duration" in figures,
        version=answer.get("ExecutedVersion") or "$LATEST", status=status,
        id=0, function=name, source=f"remote:{remote.name}", event=payload.decode("utf-8", "replace"),
        code_sha256="", created_at=now_iso(), event_name=event_name,
    )


def _pretty(record: InvocationRecord) -> list[str]:
    """The response as compared: pretty JSON with sorted keys (key order is not a difference), else the text. An error
    payload's requestId names the invocation, which always differs between two runs: it is left out."""
    text = record.payload.decode("utf-8", "replace")
    try:
        value = json.loads(text)
        if not record.succeeded and isinstance(value, dict):
            value.pop("requestId", None)
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    except (ValueError, RecursionError):
        pass
    outcome = "succeeded" if record.succeeded else f"failed ({record.error_type})"
    return [f"// {outcome}", *text.splitlines()]


def compare(console: Console, remote_name: str, name: str, payload: bytes, *, event_name: str = "") -> Comparison:
    """Run the event on the local function (recorded in its history) and on the remote's function of the same name.

    The responses are the same when both succeeded or both failed with the same errorType, and their JSON is equal
    (apart from an error payload's requestId)."""
    console.get_remote(remote_name)  # an unknown remote is refused before anything runs
    console.get_function(name)
    local = console.invoke(name, payload, source="console", event_name=event_name)
    remote = invoke(console, remote_name, name, payload, event_name=event_name)
    diff = list(difflib.unified_diff(_pretty(local), _pretty(remote), "local", f"remote {remote_name}", lineterm=""))
    return Comparison(local, remote, diff)
