"""Every check a request gets, in one place: the Host header, the origin of unsafe browser requests, and the
security headers of every response.

The console runs uploaded code on purpose, so who may reach it is its whole security:
- Host: only loopback names (or names configured in ALLOWED_HOSTS) are served, so a web page on another site cannot
  reach the console through DNS rebinding.
- Unsafe methods from a browser (POST, PUT, PATCH, DELETE) must come from the console's own pages: a cross-site
  `Origin` or `Sec-Fetch-Site` is refused. SDKs and the AWS CLI send neither header.
- Responses carry nosniff and frame-ancestors; HTML pages a strict Content-Security-Policy with no inline script.
- Off loopback (or when asked), every request must authenticate. The browser brings the access token once, in the URL
  the server printed (as Jupyter's does); it is exchanged for a session cookie (HttpOnly, SameSite=Strict) and the URL
  drops it. The REST API requires AWS Signature Version 4 under the console's access key and secret, so boto3 and the
  AWS CLI keep working with those credentials; anything else gets AWS's 403. Secrets are compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, redirect, request

from console.lambda_api.wire import ApiError, error_response
from console.sigv4 import Credentials, SignatureError, check_presigned, verify

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/2015-03-31/"
DOWNLOAD_PREFIX = API_PREFIX + "code/"  # GetFunction's Code.Location: a presigned download, as on AWS
SESSION_COOKIE = "lambda_console_session"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "frame-src 'self' blob: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def host_name(host_header: str) -> str:
    """The name part of a Host header: `127.0.0.1:8000` -> `127.0.0.1`, `[::1]:80` -> `[::1]`."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_host(host_header: str, allowed: frozenset[str]) -> bool:
    name = host_name(host_header)
    return bool(name) and (name in LOOPBACK_HOSTS or name.endswith(".localhost") or name in allowed)


def same_origin(origin: str, host_header: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host_header.strip().lower()


def refusal(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def check_request(allowed: frozenset[str], *, any_host: bool = False) -> Response | None:
    """Refuse a request that must not reach the console; None lets it through."""
    host = request.headers.get("Host", "")
    if not any_host and not allowed_host(host, allowed):
        return refusal(400, f"Host {host!r} is not served here. Open the console at http://127.0.0.1 instead.")
    if request.method in UNSAFE_METHODS:
        origin = request.headers.get("Origin")
        if origin is not None and origin != "null" and not same_origin(origin, host):
            return refusal(403, "Cross-origin request refused: use the console's own pages.")
        if origin == "null" or request.headers.get("Sec-Fetch-Site", "") == "cross-site":
            return refusal(403, "Cross-site request refused: use the console's own pages.")
    return None


def add_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    else:
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    return response


@dataclass(frozen=True)
class Authentication:
    """What a request must prove when the console is reachable by others: the web token, the API's key and secret."""

    token: str
    credentials: Credentials
    # The cookie's value: made at start, never derived from the token, so a leaked cookie does not reveal it.
    session: str

    @classmethod
    def create(cls, token: str = "", access_key_id: str = "", secret_access_key: str = "") -> Authentication:
        return cls(
            token=token or secrets.token_urlsafe(32),
            credentials=Credentials(access_key_id or "LC" + secrets.token_hex(9).upper(),
                                    secret_access_key or secrets.token_urlsafe(30)),
            session=secrets.token_urlsafe(32),
        )


def _api_refusal(error: SignatureError) -> Response:
    return error_response(ApiError(error.code, 403, error.message))


def authenticate(auth: Authentication) -> Response | None:
    """None when the request proves itself; otherwise the refusal, or the redirect that sets the session cookie."""
    if request.path.startswith(API_PREFIX):
        offered = request.args.get("signature")
        if request.method == "GET" and request.path.startswith(DOWNLOAD_PREFIX) and offered is not None:
            if check_presigned(auth.credentials, request.path, request.args.get("expires"), offered):
                return None
            return _api_refusal(SignatureError(
                "AccessDenied", "The download link is not valid or has expired: call GetFunction for a new one."))
        raw_path = request.environ.get("REQUEST_URI", request.environ.get("RAW_URI", "")).split("?", 1)[0]
        try:
            verify(request.method, raw_path or request.path, request.query_string.decode("latin-1"),
                   request.headers, request.get_data(cache=True), auth.credentials)
        except SignatureError as exc:
            return _api_refusal(exc)
        return None
    offered = request.args.get("token")
    if offered is not None:
        if not hmac.compare_digest(offered.encode(), auth.token.encode()):
            return refusal(403, "That access token is not this console's. Open the URL lambda-console serve printed.")
        rest = [(key, value) for key, value in request.args.items(multi=True) if key != "token"]
        response = redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), code=303)
        response.set_cookie(SESSION_COOKIE, auth.session, httponly=True, samesite="Strict", path="/")
        return response
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if cookie and hmac.compare_digest(cookie.encode(), auth.session.encode()):
        return None
    return refusal(401, "This console needs its access token: open the URL lambda-console serve printed "
                        "(it ends in ?token=...).")


def init_app(app: Flask) -> None:
    """Install the checks. `ALLOWED_HOSTS` adds host names; `AUTHENTICATION` (an Authentication) turns auth on."""
    allowed = frozenset(name.strip().lower() for name in app.config.get("ALLOWED_HOSTS", ()) if name.strip())
    auth: Authentication | None = app.config.get("AUTHENTICATION")

    @app.before_request
    def _check() -> Response | None:
        if auth is None:
            return check_request(allowed)
        # With authentication the Host check is not needed against DNS rebinding (a rebound page never holds the
        # session cookie or the keys) and would stand in the way of every name this machine is reached by.
        return check_request(allowed, any_host=True) or authenticate(auth)

    app.after_request(add_headers)
