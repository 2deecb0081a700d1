"""What the Execution result shows of one invocation: the response pretty printed, and the visitor's view of an
API Gateway or function URL response (the demo Preview). Plain Python over an InvocationRecord, no Flask.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from console.core.history import InvocationRecord

# The members of an API Gateway (REST or HTTP API), ALB or function URL proxy response.
PROXY_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies",
                        "statusDescription"})


# Half of a surrogate pair: JSON may escape one (`"\\udc80"`, which python3.11's runtime writes for such a string), but
# it has no UTF-8 form, so a page cannot carry it as a character.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters a header value may not hold: a CR or LF would end the header and start another; HTTP carries others
# (beyond ASCII) only as Latin-1 bytes, which no browser reads the same way.
_NOT_IN_A_HEADER = re.compile("[^\t\x20-\x7e]")


def _escape_lone_surrogates(text: str) -> str:
    """JSON text with each lone surrogate written back as the `\\uXXXX` escape it came from."""
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _utf8(text: str) -> bytes:
    """A string from a handler's JSON as bytes; a lone surrogate becomes bytes a browser shows as U+FFFD."""
    return text.encode("utf-8", "surrogatepass")


def pretty_json(data: bytes | str) -> str:
    """The payload pretty printed when it is JSON (`null` stays `null`), else the text as it is.

    Valid JSON nested deeper than Python's recursion limit (Lambda passes such a payload on as it is) is shown as the
    text it is; a lone surrogate is shown as its escape.
    """
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        pretty = text
    return _escape_lone_surrogates(pretty)


@dataclass(frozen=True)
class ProxyResponse:
    """An HTTP response a handler returned in the proxy integration's shape, as a visitor's browser gets it."""

    status: int
    content_type: str
    body: bytes

    @property
    def refusal(self) -> str | None:
        """Why the response cannot be previewed, or None: a Content-Type holding a line break would inject headers."""
        bad = _NOT_IN_A_HEADER.search(self.content_type)
        if bad is None:
            return None
        return (f"Not previewed: the response's Content-Type header holds {_escape_lone_surrogates(repr(bad.group()))}"
                f" at character {bad.start() + 1}, which a header cannot carry (a CR or LF would start a header of"
                " its own). API Gateway answers such a response with 502 (Malformed Lambda proxy response)."
                " Return a Content-Type of printable ASCII, such as 'text/html; charset=utf-8'.")

    @property
    def kind(self) -> str:
        """How the Preview shows it: html, json, image, text, or refused (see `refusal`)."""
        if self.refusal is not None:
            return "refused"
        media = self.content_type.split(";", 1)[0].strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            return "html"
        if media == "application/json" or media.endswith("+json"):
            return "json"
        if media.startswith("image/"):
            return "image"
        return "text"

    @property
    def text(self) -> str:
        text = self.body.decode("utf-8", "replace")
        return pretty_json(text) if self.kind == "json" else text


def proxy_response(payload: bytes) -> ProxyResponse | None:
    """The HTTP response in a handler's payload, when it has the proxy response's shape; None otherwise."""
    try:
        value = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or "statusCode" not in value or not set(value) <= PROXY_KEYS:
        return None
    status = value.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool):
        return None
    headers = {str(k).lower(): str(v) for k, v in (value.get("headers") or {}).items()} \
        if isinstance(value.get("headers"), dict) else {}
    multi = value.get("multiValueHeaders")
    if isinstance(multi, dict):
        for key, values in multi.items():
            if isinstance(values, list) and values:
                headers.setdefault(str(key).lower(), str(values[0]))
    body = value.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        # API Gateway wants a string body; a dict is shown as the JSON it would have to be.
        try:
            data = json.dumps(body).encode()
        except RecursionError:
            return None
    elif value.get("isBase64Encoded") is True:
        try:
            data = base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError):
            data = _utf8(body)
    else:
        data = _utf8(body)
    content_type = headers.get("content-type") or _guess_type(data)
    return ProxyResponse(status, content_type, data)


def _guess_type(data: bytes) -> str:
    """API Gateway sends application/json when a handler names no Content-Type; the preview guesses a little more."""
    head = data.lstrip()[:15].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    return "application/json"


def record_json(record: InvocationRecord) -> dict:
    """An invocation as the JSON twins give it."""
    try:
        response = json.loads(record.payload)
    except (ValueError, RecursionError):
        # Not JSON, or valid JSON deeper than Python can read back: the payload as text.
        response = record.payload.decode("utf-8", "replace")
    return {
        "id": record.id,
        "function": record.function,
        "version": record.version,
        "request_id": record.request_id,
        "source": record.source,
        "event_name": record.event_name,  # the saved event it ran, "" for one typed or edited
        "status": record.status_text,
        "error_type": record.error_type,
        "response": response,
        "log": record.log,
        "event": record.event,
        "code_sha256": record.code_sha256,
        "duration_ms": record.duration_ms,
        "billed_duration_ms": record.billed_duration_ms,
        "init_duration_ms": record.init_duration_ms,
        "memory_size_mb": record.memory_size_mb,
        "max_memory_used_mb": record.max_memory_used_mb,
        "cold": record.cold,
        "created_at": record.created_at,
        "not_kept": record.not_kept,
        "ran_on": record.ran_on,
        "interpreter_note": record.interpreter_note,
    }
