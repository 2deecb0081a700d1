"""The second listener's WSGI application: function URLs, on their own origin, and the served templates' API events
at the root of the loopback names (console.http_front.api_events).

A URL names its function by its host, `<url-id>.lambda-url.<region>.localhost:<api port>`: browsers and curl resolve
`*.localhost` to loopback themselves, and since the whole path is the handler's, a page's absolute links (`/about`)
stay on the function. It is a small WSGI application of its own, not the console's Flask app, so nothing a handler's
page runs is ever same-origin with the console's pages, cookies or API.

Each request: the Host checked (loopback names, `*.localhost`, configured names: a rebound DNS name never reaches a
function), the URL looked up, the body bounded (6 MB, 413), AWS_IAM URLs' SigV4 checked, a CORS preflight answered
without invoking, then the event (payload 2.0) run through the Console, recorded in the function's history with
source "url", and its result converted (502 for an error, a timeout or a malformed result; 429 past the engine's
limits).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

from console.core.functions import FunctionNotFound
from console.core.limits import MAX_REQUEST_BYTES
from console.engine import RequestTooLargeError, TooManyRequestsError
from console.engine.invocation import DEFAULT_ACCOUNT
from console.http_front import api_events, cors
from console.http_front.request import ANONYMOUS, HttpRequest, v2_event
from console.http_front.response import HttpResponse, MalformedResult, url_error, v2_response
from console.sigv4 import Credentials, SignatureError, verify

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.function_urls import FunctionUrl

log = logging.getLogger("lambda_console.http_front")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
NOT_FORWARDED = frozenset({"content-length", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                           "te", "trailers", "transfer-encoding", "upgrade"})
_URL_HOST = re.compile(r"(?P<id>[a-z0-9]{32})\.lambda-url\.(?P<region>[a-z0-9-]+)\.(?P<rest>.+)")
_SIGNED = re.compile(r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/\d{8}/[a-z0-9-]+/lambda/aws4_request,")
StartResponse = Callable[[str, list[tuple[str, str]]], object]


def _loopback_ip(name: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


class FrontApp:
    """The WSGI application serving every function URL of one Console."""

    def __init__(self, console: Console, *, allowed_hosts: Iterable[str] = (), any_host: bool = False,
                 credentials: Credentials | None = None,
                 handed: Callable[[], list[Credentials]] | None = None) -> None:
        """`credentials`: the console's keys, which AWS_IAM URLs' signatures must be made with (None on loopback
        without authentication, where, as the REST API does there, any signed request is taken). `any_host`: with
        authentication the Host check is not what protects (as on the console's port)."""
        self.console = console
        self.allowed = frozenset(name.strip().lower() for name in allowed_hosts if name.strip())
        self.any_host = any_host
        self.credentials = credentials
        self.handed = handed

    # -- WSGI ------------------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        try:
            answer = self.answer(environ)
        except Exception:  # a fault of the console: the handler's client gets Lambda's 502, the log the details
            log.exception("Function URL: %s %s failed", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            answer = url_error(502)
        finally:
            self.console.release_connection()
        # Length is the server's to say, and WSGI forbids hop-by-hop headers (Lambda drops them too).
        headers = [(name, value) for name, value in answer.headers if name.lower() not in NOT_FORWARDED]
        headers.append(("Content-Length", str(len(answer.body))))
        try:
            phrase = HTTPStatus(answer.status).phrase
        except ValueError:
            phrase = "Status"
        start_response(f"{answer.status} {phrase}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else answer.body]

    def host_allowed(self, name: str) -> bool:
        if self.any_host:
            return True
        match = _URL_HOST.fullmatch(name)
        base = match.group("rest") if match else name
        return (name in LOOPBACK_HOSTS or name.endswith(".localhost") or _loopback_ip(name) or name in self.allowed
                or base in self.allowed)

    def answer(self, environ: dict) -> HttpResponse:
        request, too_large = read_request(environ)
        name = request.host
        if not self.host_allowed(name):
            return _text(400, f"Host {name!r} is not served here: function URLs are "
                              "http://<url-id>.lambda-url.<region>.localhost:<port>/.")
        match = _URL_HOST.fullmatch(name)
        if match is None and self.console.api_routes():  # the served templates' API events, at the root
            return api_events.answer(self.console, request, too_large)
        url = self.console.find_function_url(match.group("id")) if match else None
        if url is None:
            return _text(404, "No function URL here. Function URLs are http://<url-id>.lambda-url.<region>.localhost:"
                              f"{environ.get('SERVER_PORT', '<port>')}/: the console's Configuration tab of a function "
                              "shows its own.") if not match else url_error(404)
        if too_large:
            return url_error(413)
        return self.invoke(url, request)

    # -- one function URL ------------------------------------------------------------------------------------------

    def invoke(self, url: FunctionUrl, request: HttpRequest) -> HttpResponse:
        lowered = {key.lower(): value for key, value in request.headers}
        if url.cors and cors.is_preflight(request.method, lowered):
            return cors.preflight(url.cors, lowered)
        account, authorizer = ANONYMOUS, None
        if url.auth_type == "AWS_IAM":
            key = self.signed_by(request)
            if key is None:
                return cors.apply(url.cors, lowered.get("origin"), url_error(403))
            account = DEFAULT_ACCOUNT
            authorizer = {"iam": {"accessKey": key, "accountId": DEFAULT_ACCOUNT, "callerId": key,
                                  "cognitoIdentity": None, "principalOrgId": None,
                                  "userArn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/lambda-console",
                                  "userId": key}}
        event = json.dumps(v2_event(request, api_id=url.url_id, account_id=account, authorizer=authorizer))
        if len(event.encode()) > MAX_REQUEST_BYTES:
            return url_error(413)
        try:
            record = self.console.invoke(url.function, event, version=url.version, source="url",
                                         region=url.region, request_id=request.request_id)
        except TooManyRequestsError:
            return url_error(429)
        except RequestTooLargeError:
            return url_error(413)
        except FunctionNotFound:
            return url_error(404)
        if not record.succeeded:
            answer = url_error(502)
        else:
            try:
                answer = v2_response(record.payload)
            except MalformedResult as exc:
                log.warning("Function URL of %s: the result is not a response (%s): answered 502", url.function, exc)
                answer = url_error(502)
        return cors.apply(url.cors, lowered.get("origin"), answer)

    def signed_by(self, request: HttpRequest) -> str | None:
        """The access key an AWS_IAM URL's request is signed with, or None when it is not signed as required."""
        headers = {key: value for key, value in request.headers}
        authorization = request.header("authorization") or ""
        found = _SIGNED.match(authorization.strip())
        if found is None:
            return None
        if self.credentials is None:
            return found.group("key")
        candidates = [self.credentials, *(self.handed() if self.handed else [])]
        for credentials in candidates:
            try:
                verify(request.method, request.raw_path, request.raw_query, headers, request.body,
                       credentials)
            except SignatureError:
                continue
            return credentials.access_key_id
        return None


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, (("Content-Type", "text/plain; charset=utf-8"),), (message + "\n").encode())


def read_request(environ: dict) -> tuple[HttpRequest, bool]:
    """The WSGI request as an HttpRequest, and whether its body is over Invoke's 6 MB (then none of it is read).
    WSGI hands headers over with names upper-cased and repeats joined (waitress joins them with `, `)."""
    raw_uri = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    raw_path = raw_uri.split("?", 1)[0] if raw_uri else environ.get("PATH_INFO", "/")
    if raw_path.startswith(("http://", "https://")):  # an absolute request target
        raw_path = "/" + raw_path.split("://", 1)[1].partition("/")[2]
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").title(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").title(), value))
    body = b""
    too_large = False
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        too_large = True
    elif length.isdigit():
        body = stream.read(int(length))
    elif environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        body = stream.read(MAX_REQUEST_BYTES + 1)
        too_large = len(body) > MAX_REQUEST_BYTES
    request = HttpRequest(method=environ.get("REQUEST_METHOD", "GET"), raw_path=raw_path or "/",
                          raw_query=environ.get("QUERY_STRING", ""), headers=tuple(headers),
                          body=b"" if too_large else body, source_ip=environ.get("REMOTE_ADDR", ""), time=time.time(),
                          protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"))
    return request, too_large
