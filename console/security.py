"""Every check a request gets, in one place: the Host header, the origin of unsafe browser requests, the sign-in
session of the web console, and the security headers of every response.

The console runs uploaded code on purpose, so who may reach it is its whole security:
- Host: only loopback names and addresses (`localhost`, `*.localhost`, 127.0.0.0/8, ::1) or names configured in
  ALLOWED_HOSTS are served, so a web page on another site cannot reach the console through DNS rebinding (a rebound
  name is never an IP literal). Without authentication the console only ever binds a loopback address, so the
  address it prints is always accepted.
- Unsafe methods from a browser (POST, PUT, PATCH, DELETE) must come from the console's own pages: a cross-site
  `Origin` or `Sec-Fetch-Site` is refused. SDKs and the AWS CLI send neither header.
- Responses carry nosniff and frame-ancestors; HTML pages a strict Content-Security-Policy with no inline script.
- Off loopback (or when asked), every request must authenticate. The REST API requires AWS Signature Version 4 under
  the console's access key and secret, so boto3 and the AWS CLI keep working with those credentials; anything else
  gets AWS's 403. The browser brings the access token once, in the URL the server printed (as Jupyter's does), and
  signs in: it gets a session cookie (HttpOnly, SameSite=Strict) and its page gets the session's write key.

Sessions are only the console's. Cookies are not port-scoped: the browser also sends the console's cookie to any
other server on the same host, so another local web app the user opens receives it and can replay it. So the cookie
alone changes nothing: every unsafe request of the web console must also carry the session's write key (header
`X-Lambda-Console-Key`, or the form field `lambda_console_key`), compared in constant time. The write key is handed
out once, in the sign-in page answering the token URL, and kept by the page's script in the origin's localStorage,
which is scoped to scheme, host *and* port: no other port can read it, and no page served to a cookie ever contains
it (a key in every page would be scraped by anyone replaying the cookie). static/console.js sends it with every htmx
request and adds it to every form it submits, so with authentication on, changes need JavaScript.
A stolen cookie can still read what a browser navigating the console reads (pages and their JSON twins): a browser
sends nothing on a plain navigation that it does not also send to another port, so reads cannot be told apart without
moving every page behind script or a secret URL. The REST API never accepts the cookie.
A viewer link (console.viewer_access) signs in the same way, with its own token in the URL, and gets a read-only
session that reaches the presenter pages only; its link is checked again at every request.
The cookie is named after the port (`lambda_console_session_8000`), so consoles on two ports of one host keep their
own sessions instead of overwriting one cookie. Sessions live on the server: they end after an idle time
(`session_idle_timeout`, 12 hours by default), at Log out (which ends the session on the server, not only the cookie),
and when the console stops. Secrets are compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, g, render_template, request

from console.lambda_api.model import DATED_PATH
from console.lambda_api.wire import ApiError, error_response
from console.sessions import Session, Sessions, write_key_matches
from console.sigv4 import Credentials, SignatureError, check_presigned, verify
from console.viewer_access import VIEWER_PARAM, check_viewer, sign_in_viewer, viewer_context

if TYPE_CHECKING:
    from console.core.console_viewers import ViewerOperations
    from console.core.credentials import HandedCredentials

    HandedLookup = Callable[[], list[HandedCredentials]]

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/2015-03-31/"
DOWNLOAD_PREFIX = API_PREFIX + "code/"  # GetFunction's Code.Location: a presigned download, as on AWS
SESSION_COOKIE = "lambda_console_session"  # followed by _<port>: see session_cookie_name()
WRITE_KEY_HEADER = "X-Lambda-Console-Key"
WRITE_KEY_FIELD = "lambda_console_key"
LOGOUT_PATH = "/logout"
SESSIONS_EXTENSION = "lambda_console_sessions"  # app.extensions: the Sessions, for the pages that list viewers'
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


def host_port(host_header: str) -> str:
    """The port part of a Host header, "" when it names none: `127.0.0.1:8000` -> `8000`, `[::1]:80` -> `80`."""
    host = host_header.strip()
    if host.startswith("["):
        port = host[host.find("]") + 1:]
    else:
        port = host[host.find(":"):] if host.count(":") == 1 else ""
    return port[1:] if port.startswith(":") and port[1:].isdigit() else ""


def is_loopback_address(name: str) -> bool:
    """`127.0.0.2`, `[::1]`: an IP literal of this machine's loopback interface (a DNS name never is one)."""
    try:
        return ipaddress.ip_address(name.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


def allowed_host(host_header: str, allowed: frozenset[str]) -> bool:
    name = host_name(host_header)
    return bool(name) and (name in LOOPBACK_HOSTS or name.endswith(".localhost") or is_loopback_address(name)
                           or name in allowed)


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

    @classmethod
    def create(cls, token: str = "", access_key_id: str = "", secret_access_key: str = "") -> Authentication:
        return cls(
            token=token or secrets.token_urlsafe(32),
            credentials=Credentials(access_key_id or "LC" + secrets.token_hex(9).upper(),
                                    secret_access_key or secrets.token_urlsafe(30)),
        )


def session_cookie_name() -> str:
    """The session cookie's name for the port the browser addressed, so consoles on other ports keep their own."""
    port = host_port(request.headers.get("Host", "")) or request.environ.get("SERVER_PORT", "")
    return f"{SESSION_COOKIE}_{port}" if port.isdigit() else SESSION_COOKIE


def _api_refusal(error: SignatureError) -> Response:
    return error_response(ApiError(error.code, 403, error.message))


def _handed_signature(error: SignatureError, handed: HandedLookup | None) -> bool:
    """True when a request the console's own keys refuse is signed with the credentials handed to handlers (and, for
    temporary ones, carries their session token): a function calling another through AWS_ENDPOINT_URL_LAMBDA."""
    if handed is None or error.code != "UnrecognizedClientException":
        return False
    return any(_signed_with(current) for current in handed())


def _signed_with(current: HandedCredentials) -> bool:
    if current.session_token and not hmac.compare_digest(
        request.headers.get("X-Amz-Security-Token", "").encode(), current.session_token.encode()
    ):
        return False
    try:
        _verify(Credentials(current.access_key_id, current.secret_access_key))
    except SignatureError:
        return False
    return True


def _verify(credentials: Credentials) -> None:
    """Check the request's SigV4 signature against `credentials` (SignatureError when it does not hold)."""
    raw_path = (request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or "").split("?", 1)[0]
    # WSGI's environ holds each header once (a repeated one joined): a mapping of them loses nothing.
    verify(request.method, raw_path or request.path, request.query_string.decode("latin-1"),
           dict(request.headers), request.get_data(cache=True), credentials)


def _authenticate_api(auth: Authentication, handed: HandedLookup | None = None) -> Response | None:
    offered = request.args.get("signature")
    if request.method == "GET" and request.path.startswith(DOWNLOAD_PREFIX) and offered is not None:
        if check_presigned(auth.credentials, request.path, request.args.get("expires"), offered):
            return None
        return _api_refusal(SignatureError(
            "AccessDenied", "The download link is not valid or has expired: call GetFunction for a new one."))
    try:
        _verify(auth.credentials)
    except SignatureError as exc:
        return None if _handed_signature(exc, handed) else _api_refusal(exc)
    return None


def _private_page(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def sign_in(sessions: Sessions, *, viewer: int | None = None, next_path: str | None = None) -> Response:
    """The answer to the token URL (or a viewer link's: a viewer's session, console.viewer_access): a new session's
    cookie, and a page that hands the write key to the origin's script and goes on to the address without the
    token."""
    new = sessions.start(viewer)
    rest = [(key, value) for key, value in request.args.items(multi=True) if key not in ("token", VIEWER_PARAM)]
    path = next_path or request.path
    # Only a path of this console: `//host` would leave it.
    path = path if not path.startswith(("//", "/\\")) else "/"
    next_url = path + (f"?{urlencode(rest)}" if rest else "")
    response = _private_page(render_template("signing_in.html", write_key=new.write_key, next_url=next_url))
    response.set_cookie(session_cookie_name(), new.secret, httponly=True, samesite="Strict", path="/")
    return response


def offered_write_key() -> str | None:
    """The write key an unsafe request carries: htmx sends the header, a form the field."""
    offered = request.headers.get(WRITE_KEY_HEADER)
    if offered is None and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        offered = request.form.get(WRITE_KEY_FIELD)
    return offered


def authenticate(auth: Authentication, sessions: Sessions, handed: HandedLookup | None = None,
                 console: ViewerOperations | None = None) -> Response | None:
    """None when the request proves itself; otherwise the refusal, or the sign-in page that sets the cookie.
    `handed` gives the AWS credentials handed to handlers, which the REST API accepts besides the console's keys.
    With `console`, viewer links sign in read-only sessions (console.viewer_access)."""
    if DATED_PATH.match(request.path):  # the REST API, under any of its date prefixes
        return _authenticate_api(auth, handed)
    if request.endpoint == "web.static" and request.method in ("GET", "HEAD"):
        return None  # the console's own scripts and styles, the same for everyone
    offered = request.args.get("token")
    if offered is not None and request.method in ("GET", "HEAD"):
        if not hmac.compare_digest(offered.encode(), auth.token.encode()):
            return refusal(403, "That access token is not this console's. Open the URL lambda-console serve printed.")
        return sign_in(sessions)
    offered_viewer = request.args.get(VIEWER_PARAM)
    if console is not None and offered_viewer is not None and request.method in ("GET", "HEAD"):
        return sign_in_viewer(console, sessions, offered_viewer)
    if request.path == LOGOUT_PATH and request.method == "POST":
        return None  # ending a session needs no proof: it ends whatever the cookie names
    cookie = request.cookies.get(session_cookie_name(), "")
    session = sessions.find(cookie)
    if session is None:
        if cookie:
            return refusal(401, "Your session has ended: you logged out, it was idle for more than "
                                f"{_duration(sessions.idle_timeout)}, or the console restarted. Open the URL "
                                "lambda-console serve printed to sign in again (it ends in ?token=...).")
        return refusal(401, "This console needs its access token: open the URL lambda-console serve printed "
                            "(it ends in ?token=...).")
    if session.viewer is not None:  # a viewer link's read-only session: its link is checked at every request
        if console is None:
            return refusal(403, "Viewer links are not accepted here.")
        refused = check_viewer(console, session)
        if refused is not None:
            return refused
    if request.method in UNSAFE_METHODS and not write_key_matches(session, offered_write_key()):
        return refusal(403, "Refused: a change needs the write key that only the console's own page holds, in the "
                            "browser that signed in with the token URL (a session cookie alone changes nothing). "
                            "Use the console there with JavaScript on, or open the URL lambda-console serve printed "
                            "to sign in again.")
    g.lambda_console_session = session
    return None


def _duration(seconds: float) -> str:
    """`12 hours`, `30 minutes`, `2 seconds`: the idle time as a person says it."""
    unit, size = ("hour", 3600) if seconds >= 3600 else ("minute", 60) if seconds >= 60 else ("second", 1)
    amount = round(seconds / size, 1)
    return f"{amount:g} {unit}{'' if amount == 1 else 's'}"


def logout(sessions: Sessions) -> Response:
    """End the session the cookie names, on the server, and drop the cookie."""
    name = session_cookie_name()
    sessions.end(request.cookies.get(name, ""))
    response = _private_page(render_template("signed_out.html"))
    response.delete_cookie(name, path="/", httponly=True, samesite="Strict")
    return response


def signed_in() -> dict[str, bool]:
    """Template context: whether this page was served to a signed-in session (it then offers Log out)."""
    session: Session | None = g.get("lambda_console_session")
    return {"signed_in": session is not None}


def init_app(app: Flask) -> None:
    """Install the checks. `ALLOWED_HOSTS` adds host names; `AUTHENTICATION` (an Authentication) turns auth on.
    Sessions end after the Console's `session_idle_timeout` seconds without a request."""
    from console import EXTENSION

    allowed = frozenset(name.strip().lower() for name in app.config.get("ALLOWED_HOSTS", ()) if name.strip())
    auth: Authentication | None = app.config.get("AUTHENTICATION")
    console = app.extensions[EXTENSION]
    sessions = app.extensions[SESSIONS_EXTENSION] = Sessions(console.config.session_idle_timeout)
    app.context_processor(signed_in)
    app.context_processor(viewer_context)

    @app.before_request
    def _check() -> Response | None:
        if auth is None:
            return check_request(allowed)
        # With authentication the Host check is not needed against DNS rebinding (a rebound page never holds the
        # session cookie or the keys) and would stand in the way of every name this machine is reached by.
        return check_request(allowed, any_host=True) or authenticate(auth, sessions, console.accepted_credentials,
                                                                 console)

    def _logout() -> Response:
        return logout(sessions)

    if auth is not None:
        app.add_url_rule(LOGOUT_PATH, "logout", _logout, methods=["POST"])
    app.after_request(add_headers)
