"""CORS as function URLs answer it ("Cross-origin resource sharing (CORS)" in "Creating and managing Lambda function
URLs"): with a Cors configuration Lambda answers preflight requests itself, without invoking the function, and adds
the CORS headers to every answer to an allowed origin, in place of any the function returned."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from console.http_front.response import HttpResponse

CORS_HEADER_PREFIX = "access-control-"


def _strings(cors: Mapping[str, object], key: str) -> list[str]:
    items = cors.get(key) or []
    return [str(item) for item in items] if isinstance(items, list) else []


def _listed(value: str, allowed: Sequence[str]) -> bool:
    return "*" in allowed or value.lower() in (item.lower() for item in allowed)


def origin_allowed(cors: Mapping[str, object], origin: str | None) -> bool:
    return bool(origin) and _listed(str(origin), _strings(cors, "AllowOrigins"))


def _common(cors: Mapping[str, object], origin: str) -> list[tuple[str, str]]:
    origins = _strings(cors, "AllowOrigins")
    credentials = bool(cors.get("AllowCredentials"))
    # A wildcard answers `*`, except to a request with credentials, where browsers need the origin itself.
    shown = "*" if origins == ["*"] and not credentials else origin
    headers = [("Access-Control-Allow-Origin", shown)]
    if credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if shown != "*":
        headers.append(("Vary", "Origin"))
    return headers


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    """An OPTIONS request a browser sends before a cross-origin one: it names the Origin and the method it wants."""
    return method.upper() == "OPTIONS" and bool(headers.get("origin")) and bool(
        headers.get("access-control-request-method"))


def preflight(cors: Mapping[str, object], headers: Mapping[str, str]) -> HttpResponse:
    """Lambda's own answer to a preflight (`headers` by lower-case name): 200, with the allowed methods, headers and
    max age when the origin is allowed and the method too; without CORS headers otherwise (the browser refuses)."""
    origin = headers.get("origin", "")
    method = headers.get("access-control-request-method", "")
    methods = _strings(cors, "AllowMethods")
    if not origin_allowed(cors, origin) or not _listed(method, methods):
        return HttpResponse(200, (), b"")
    answer = _common(cors, origin)
    answer.append(("Access-Control-Allow-Methods", ",".join(methods)))
    allow_headers = _strings(cors, "AllowHeaders")
    if allow_headers:
        answer.append(("Access-Control-Allow-Headers", ",".join(allow_headers)))
    expose = _strings(cors, "ExposeHeaders")
    if expose:
        answer.append(("Access-Control-Expose-Headers", ",".join(expose)))
    if cors.get("MaxAge") is not None:
        answer.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
    return HttpResponse(200, tuple(answer), b"")


def apply(cors: Mapping[str, object] | None, origin: str | None, response: HttpResponse) -> HttpResponse:
    """The function's answer with the configuration's CORS headers in place of its own (none for an origin that is
    not allowed). Without a Cors configuration the function's headers stand as they are."""
    if not cors:
        return response
    kept = [(name, value) for name, value in response.headers if not name.lower().startswith(CORS_HEADER_PREFIX)]
    if origin and origin_allowed(cors, origin):
        kept.extend(_common(cors, origin))
        expose = _strings(cors, "ExposeHeaders")
        if expose:
            kept.append(("Access-Control-Expose-Headers", ",".join(expose)))
    return HttpResponse(response.status, tuple(kept), response.body)
