"""The owner's "Viewer links" page: make a read-only link for an audience (its address shown once), see who uses
each link, revoke one. Only with authentication on: without it there is no one to tell apart from the owner.
What a viewer may do is console.viewer_access; the rules of a link are console.core.viewers.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import get_console
from console.core.clock import precise_iso
from console.core.functions import FunctionNotFound
from console.core.viewers import NewViewer, ViewerError
from console.security import SESSIONS_EXTENSION
from console.viewer_access import link_address
from console.web import bp

# The expiries the page offers: (form value, label, seconds); "" is never.
EXPIRIES = (("", "Never", None), ("1h", "In 1 hour", 3600), ("8h", "In 8 hours", 8 * 3600),
            ("1d", "In 1 day", 24 * 3600), ("7d", "In 7 days", 7 * 24 * 3600), ("30d", "In 30 days", 30 * 24 * 3600))
NO_AUTHENTICATION = ("Viewer links need authentication: start the console with `lambda-console serve --auth` (or "
                     "on a LAN address, which turns it on), then make a link here.")


def _authentication_on() -> bool:
    return current_app.config.get("AUTHENTICATION") is not None


def _page(status: int = 200, *, new: NewViewer | None = None, error: str = "", form: dict[str, str] | None = None,
          ) -> tuple[str, int, dict[str, str]]:
    console = get_console()
    sessions = current_app.extensions.get(SESSIONS_EXTENSION)
    body = render_template(
        "viewers.html", section="viewers", viewers=console.list_viewer_links(),
        connected=sessions.connected() if sessions is not None else {},
        functions=[f.name for f in console.list_functions()], expiries=EXPIRIES, authentication=_authentication_on(),
        new=new, new_address=link_address(new.viewer, new.token) if new else "", error=error, form=form or {},
        no_authentication=NO_AUTHENTICATION)
    # The page that shows a new link's token is never kept by a cache or offered again by Back.
    return body, status, {"Cache-Control": "no-store"}


@bp.get("/viewers")
def viewers() -> tuple[str, int, dict[str, str]]:
    return _page(form={"function": request.args.get("function", "")})


@bp.get("/viewers.json")
def viewers_json() -> Response:
    """The page's JSON twin: every link (never a token), its state and its browsers."""
    sessions = current_app.extensions.get(SESSIONS_EXTENSION)
    connected = sessions.connected() if sessions is not None else {}
    return jsonify({"authentication": _authentication_on(), "viewer_links": [
        {"id": v.id, "label": v.label, "function": v.function, "state": v.state(),
         "created_at": epoch_iso(v.created_at), "expires_at": epoch_iso(v.expires_at) or None,
         "revoked_at": epoch_iso(v.revoked_at) or None, "last_used_at": epoch_iso(v.last_used_at) or None,
         "browsers": connected[v.id].browsers if v.id in connected and v.state() == "active" else 0}
        for v in get_console().list_viewer_links()]})


@bp.post("/viewers")
def create_viewer() -> tuple[str, int, dict[str, str]]:
    form = {key: request.form.get(key, "") for key in ("label", "function", "expires")}
    if not _authentication_on():
        return _page(409, error=NO_AUTHENTICATION, form=form)
    expiries = {value: seconds for value, _, seconds in EXPIRIES}
    if form["expires"] not in expiries:
        return _page(422, error=f"Expires {form['expires']!r}: choose one of the expiries offered.", form=form)
    try:
        new = get_console().create_viewer_link(form["label"], function=form["function"] or None,
                                               expires_in=expiries[form["expires"]])
    except (ViewerError, FunctionNotFound) as exc:
        return _page(422, error=str(exc), form=form)
    return _page(201, new=new)


@bp.post("/viewers/<int:viewer_id>/revoke")
def revoke_viewer(viewer_id: int) -> BaseResponse | tuple[str, int, dict[str, str]]:
    try:
        viewer = get_console().revoke_viewer_link(viewer_id)
    except ViewerError as exc:
        return _page(404, error=str(exc))
    # Its browsers' sessions end at their next request, which checks the link and says it was revoked.
    return redirect(url_for("web.viewers", revoked=viewer.id), 303)


@bp.app_template_filter("epoch_iso")
def epoch_iso(seconds: float | None) -> str:
    """Seconds since the epoch as a stored time (for `when_time`); "" for none."""
    return precise_iso(seconds) if seconds is not None else ""


@bp.app_template_filter("ago")
def ago(seconds: float) -> str:
    """`just now`, `3 minutes ago`: how long since a viewer's browser last asked for a page."""
    if seconds < 60:
        return "just now"
    unit, size = ("hour", 3600) if seconds >= 3600 else ("minute", 60)
    amount = int(seconds // size)
    return f"{amount} {unit}{'' if amount == 1 else 's'} ago"
