"""What a function returned, as the HTTP answer, and the answers given when there is nothing to convert.

Written from AWS's documented formats: "Invoking Lambda function URLs" (response payload, and how Lambda infers a
response without a statusCode) and API Gateway's proxy integrations (formats 1.0 and 2.0). A function error, a
timeout or a result the format cannot read is Lambda's 502; a request over Invoke's 6 MB is 413; a full engine 429.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

JSON = "application/json"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110's token: what a header name is made of


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP answer: its status, headers in order (repeats kept: Set-Cookie), body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


class MalformedResult(ValueError):
    """The function's result is not a response the payload format can read; the message says what was wrong."""


def _json_answer(status: int, body: object) -> HttpResponse:
    return HttpResponse(status, (("Content-Type", JSON),), json.dumps(body).encode())


# -- failures, in the words of each front ----------------------------------------------------------------------------

def url_error(status: int) -> HttpResponse:
    """A function URL's own answers: 502 (function error, timeout, malformed result), 403, 404, 413, 429."""
    if status == 502:
        return HttpResponse(502, (("Content-Type", "text/plain; charset=utf-8"),), b"Internal Server Error")
    messages = {403: "Forbidden", 404: "Not Found",
                413: "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
                429: "Rate Exceeded."}
    return _json_answer(status, {"Message": messages.get(status, "Error")})


def gateway_error(status: int) -> HttpResponse:
    """API Gateway's answers for a proxy route (payload 1.0 and HTTP APIs' 2.0)."""
    messages = {502: "Internal server error", 403: "Forbidden", 404: "Not Found",
                413: "Request Too Long", 429: "Too Many Requests"}
    return _json_answer(status, {"message": messages.get(status, "Error")})


# -- results -----------------------------------------------------------------------------------------------------------

def _status(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MalformedResult(f"statusCode must be a number, not {json.dumps(value)}")
    try:
        status = int(value)
    except ValueError:
        raise MalformedResult(f"statusCode must be a number, not {json.dumps(value)}") from None
    if not 100 <= status <= 599:
        raise MalformedResult(f"statusCode {status} is not an HTTP status")
    return status


def _scalar(value: object, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        text = str(value)
        if "\r" in text or "\n" in text:  # a header split in two: never sent
            raise MalformedResult(f"{where} holds a line break")
        return text
    raise MalformedResult(f"{where} must be a string, not {json.dumps(value)}")


def _name(name: object) -> str:
    text = str(name)
    if not _TOKEN.fullmatch(text):
        raise MalformedResult(f"{json.dumps(text)} is not a header name")
    return text


def _body(result: dict) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResult(f"body must be a string, not {type(body).__name__}")
    encoded = result.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise MalformedResult("isBase64Encoded must be true or false")
    if not encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedResult("isBase64Encoded is true but body is not base64") from None


def _headers(result: dict) -> list[tuple[str, str]]:
    headers = result.get("headers")
    headers = {} if headers is None else headers
    if not isinstance(headers, dict):
        raise MalformedResult("headers must be an object of names and values")
    return [(_name(name), _scalar(value, f"headers.{name}")) for name, value in headers.items()]


def _multi_headers(result: dict) -> list[tuple[str, str]]:
    multi = result.get("multiValueHeaders")
    multi = {} if multi is None else multi
    if not isinstance(multi, dict):
        raise MalformedResult("multiValueHeaders must be an object of names and lists of values")
    pairs: list[tuple[str, str]] = []
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResult(f"multiValueHeaders.{name} must be a list")
        pairs.extend((_name(name), _scalar(value, f"multiValueHeaders.{name}")) for value in values)
    return pairs


def _loads(payload: bytes) -> object:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise MalformedResult("the function's result is not JSON") from None


def v2_response(payload: bytes) -> HttpResponse:
    """The answer for a successful invocation's payload, payload format 2.0 (function URLs, HTTP APIs).

    A JSON object with `statusCode` is read as a response (headers, cookies, body, isBase64Encoded). Any other JSON
    (an object without statusCode, a string, a number, null) is inferred as Lambda does: 200, application/json, the
    result as the body (a string as its text, anything else as its JSON). MalformedResult otherwise."""
    result = _loads(payload)
    if not isinstance(result, dict) or "statusCode" not in result:
        text = result if isinstance(result, str) else payload.decode("utf-8")
        return HttpResponse(200, (("Content-Type", JSON),), text.encode("utf-8"))
    status = _status(result["statusCode"])
    headers = _headers(result)
    cookies = result.get("cookies")
    cookies = [] if cookies is None else cookies
    if not isinstance(cookies, list) or not all(isinstance(cookie, str) for cookie in cookies):
        raise MalformedResult("cookies must be a list of strings")
    headers.extend(("Set-Cookie", _scalar(cookie, "cookies")) for cookie in cookies)
    body = _body(result)
    if not any(name.lower() == "content-type" for name, _ in headers) and body:
        headers.append(("Content-Type", JSON))
    return HttpResponse(status, tuple(headers), body)


def v1_response(payload: bytes) -> HttpResponse:
    """The answer for a successful invocation's payload, payload format 1.0 (REST APIs' proxy integration): an object
    with statusCode, headers and multiValueHeaders (merged, a name in both keeps every value), body and
    isBase64Encoded. MalformedResult for anything else, as API Gateway answers 502 for it."""
    result = _loads(payload)
    if not isinstance(result, dict):
        raise MalformedResult("the result must be an object with statusCode")
    allowed = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded", "cookies"}
    extra = sorted(set(result) - allowed)
    if extra:
        raise MalformedResult(f"the result has fields a proxy integration does not read: {', '.join(extra)}")
    status = _status(result["statusCode"]) if result.get("statusCode") is not None else 200
    multi = _multi_headers(result)
    seen = {(name.lower(), value) for name, value in multi}
    headers = multi + [(name, value) for name, value in _headers(result) if (name.lower(), value) not in seen]
    return HttpResponse(status, tuple(headers), _body(result))
