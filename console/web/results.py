"""What the Execution result shows of one invocation: the response pretty printed, and the visitor's view of an
API Gateway or function URL response (the demo Preview). Plain Python over an InvocationRecord, no Flask.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from console.core.history import InvocationRecord

# The members of an API Gateway (REST or HTTP API), ALB or function URL proxy response.
PROXY_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies",
                        "statusDescription"})


def pretty_json(data: bytes | str) -> str:
    """The payload pretty printed when it is JSON (`null` stays `null`), else the text as it is."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return json.dumps(value, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class ProxyResponse:
    """An HTTP response a handler returned in the proxy integration's shape, as a visitor's browser gets it."""

    status: int
    content_type: str
    body: bytes

    @property
    def kind(self) -> str:
        """How the Preview shows it: html, json, image or text."""
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
    except ValueError:
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
        data = json.dumps(body).encode()
    elif value.get("isBase64Encoded") is True:
        try:
            data = base64.b64decode(body, validate=False)
        except (binascii.Error, ValueError):
            data = body.encode()
    else:
        data = body.encode()
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
    except ValueError:
        response = record.payload.decode("utf-8", "replace")
    return {
        "id": record.id,
        "function": record.function,
        "version": record.version,
        "request_id": record.request_id,
        "source": record.source,
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
    }
