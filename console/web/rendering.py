"""Page or fragment, errors a person can act on, and the headers every response of the web console carries."""

from __future__ import annotations

import functools
import hashlib
import logging

from flask import Response, jsonify, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from console.core.events import EventNotFound
from console.core.functions import FunctionNotFound
from console.core.history import HistoryNotFound, InvocationRecord
from console.core.jobs import JobNotFound
from console.core.limits import human_size
from console.core.packages import PackageNotFound
from console.core.remotes import RemoteNotFound
from console.resources import static_dir
from console.web import bp
from console.web.results import ProxyResponse, pretty_json, proxy_response

log = logging.getLogger("lambda_console.web")
HTMX_VERSION = "2.0.11"
# The Test tab's event editor, built from static_src/codemirror (its README says how) into one versioned file.
CODEMIRROR_VERSION = "6.0.2"


def is_fragment_request() -> bool:
    """True for an htmx request that swaps part of a page; a history restore wants the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(page: str, fragment: str, status: int = 200, **context: object) -> tuple[str, int]:
    """The fragment for an htmx request, else the page (which includes that same fragment)."""
    return render_template(fragment if is_fragment_request() else page, **context), status


def wants_json() -> bool:
    return request.path.endswith(".json")


@bp.after_request
def vary_on_htmx(response: Response) -> Response:
    # The same URL answers with a page or a fragment: caches must key on the header that decides.
    response.vary.add("HX-Request")
    return response


@bp.app_template_global()
def htmx_script() -> str:
    return f"htmx-{HTMX_VERSION}.min.js"


@bp.app_template_global()
def codemirror_script() -> str:
    return f"codemirror-{CODEMIRROR_VERSION}.min.js"


@functools.cache
def _fingerprint(filename: str) -> str:
    return hashlib.sha256((static_dir() / filename).read_bytes()).hexdigest()[:12]


@bp.app_template_global()
def asset(filename: str) -> str:
    """A static file's URL with its content's fingerprint, so browsers may keep it for good (a change is a new URL)."""
    return url_for("web.static", filename=filename, v=_fingerprint(filename))


# Assets are fetched by fingerprinted URL (or, for htmx, a versioned name): browsers keep them without asking again.
bp.get_send_file_max_age = lambda filename: 365 * 24 * 3600  # type: ignore[method-assign]


def _not_found(message: str) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify({"error": message}), 404
    return render_template("error.html", title="Not found", message=message), 404


@bp.errorhandler(FunctionNotFound)
def function_not_found(exc: FunctionNotFound) -> tuple[Response | str, int]:
    return _not_found(f"{exc}. It may have been deleted, or the name is mistyped.")


@bp.errorhandler(EventNotFound)
@bp.errorhandler(HistoryNotFound)
@bp.errorhandler(JobNotFound)
@bp.errorhandler(PackageNotFound)
@bp.errorhandler(RemoteNotFound)
def other_not_found(exc: Exception) -> tuple[Response | str, int]:
    return _not_found(str(exc))


@bp.errorhandler(Exception)
def unexpected(exc: Exception) -> Response | tuple[Response | str, int]:
    """Anything else: the person gets a page saying what to do; the traceback goes to the server's log only."""
    if isinstance(exc, HTTPException):
        return exc  # type: ignore[return-value]
    log.exception("web console: %s %s failed", request.method, request.path)
    message = (f"The console could not finish this request ({type(exc).__name__}: {exc}). Go back and try again; "
               "the server's log has the details.")
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate in it cannot be sent
    if wants_json():
        return jsonify({"error": message}), 500
    return render_template("error.html", title="Something went wrong", message=message), 500


@bp.app_template_filter("when")
def when(stamp: str | None) -> str:
    """An ISO time stored by the console, as people read it: `2026-11-22 16:48:59 UTC`."""
    if not stamp:
        return ""
    return stamp[:19].replace("T", " ") + " UTC"


@bp.app_template_filter("when_time")
def when_time(stamp: str | None, css_class: str = "") -> Markup:
    """A stored time as a <time> element: UTC as written (the page reads without script), which static/times.js
    shows in the browser's time zone, keeping UTC in the tooltip."""
    if not stamp:
        return Markup("")
    utc = when(stamp)
    classes = Markup(' class="{}"').format(css_class) if css_class else ""
    return Markup('<time{} datetime="{}" title="{}">{}</time>').format(classes, iso_utc(stamp), utc, utc)


@bp.app_template_filter("iso_utc")
def iso_utc(stamp: str) -> str:
    """A stored time (`2026-11-22T12:00:00.000+0000`, as Lambda writes LastModified) in the form browsers read:
    `2026-11-22T12:00:00.000Z`, to the millisecond, so that two runs in the same second still differ."""
    if stamp.endswith("+0000"):
        return stamp[:-5] + "Z"
    return stamp if stamp.endswith("Z") or "+" in stamp[19:] else stamp + "Z"


bp.add_app_template_filter(human_size, "filesize")


@bp.app_template_filter("pretty_json")
def pretty_json_filter(data: bytes | str) -> str:
    return pretty_json(data)


@bp.app_template_filter("failure_hint")
def failure_hint(error_type: str | None) -> str:
    """What to do about a failure whose cause lies in how the console was started, not in the handler."""
    from console.core.credentials import credentials_hint

    return credentials_hint(error_type) or ""


@bp.app_template_filter("setting_notes")
def setting_notes(record: InvocationRecord) -> list[str]:
    """What the console did not do of the invoked version's Lambda settings (none when it is gone)."""
    from console import get_console

    try:
        function = get_console().get_function(record.function, record.version)
    except FunctionNotFound:
        return []
    return function.setting_notes


@bp.app_template_filter("proxy_preview")
def proxy_preview(payload: bytes) -> ProxyResponse | None:
    return proxy_response(payload)
