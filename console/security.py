"""Every check a request gets, in one place: the Host header, the origin of unsafe browser requests, and the
security headers of every response.

The console runs uploaded code on purpose, so who may reach it is its whole security:
- Host: only loopback names (or names configured in ALLOWED_HOSTS) are served, so a web page on another site cannot
  reach the console through DNS rebinding.
- Unsafe methods from a browser (POST, PUT, PATCH, DELETE) must come from the console's own pages: a cross-site
  `Origin` or `Sec-Fetch-Site` is refused. SDKs and the AWS CLI send neither header.
- Responses carry nosniff and frame-ancestors; HTML pages a strict Content-Security-Policy with no inline script.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
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


def check_request(allowed: frozenset[str]) -> Response | None:
    """Refuse a request that must not reach the console; None lets it through."""
    host = request.headers.get("Host", "")
    if not allowed_host(host, allowed):
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


def init_app(app: Flask) -> None:
    allowed = frozenset(name.lower() for name in app.config.get("ALLOWED_HOSTS", ()))
    app.before_request(lambda: check_request(allowed))
    app.after_request(add_headers)
