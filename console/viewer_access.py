"""What a viewer's session may reach: the checks console.security makes for a browser signed in with a viewer link
(console.core.viewers), and the sign-in that link starts.

A viewer may see the presenter pages of the functions its link opens (every function's, or one), run their saved
events there (and cancel that run), and see the response of a presenter run (an HTML page or image, framed on the
presenter page). Nothing else: the function list, a function's own pages (configuration, code, history, the Test tab,
its JSON twins), packages, layers, test runs, the viewer links themselves, and every change but a presenter run are
refused with 403 and a page that says so. The REST API never accepts a session at all (console.security), a viewer's
no more than the owner's.

Every request of a viewer's session checks the link again, so a revoke or an expiry ends it at the next request.
The session keeps every protection of the owner's: the write key for a run, the idle timeout, Log out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, g, render_template, request, url_for

from console.core.viewers import Viewer, ViewerRefused

if TYPE_CHECKING:
    from console.core.console_viewers import ViewerOperations
    from console.sessions import Session, Sessions

VIEWER_PARAM = "viewer"  # the query parameter a viewer link carries its token in
# The endpoints a viewer may reach, each for the functions its link opens (`name` in the route).
VIEWER_ENDPOINTS = frozenset({"web.present", "web.present_run"})
JOB_ENDPOINTS = frozenset({"web.present_status", "web.present_cancel"})  # a run's progress: only a presenter run's
PRESENTER_INDEX = "web.present_index"  # the list of presenter pages: only for a link to every function
ENTRY_ENDPOINTS = frozenset({"web.preview"})  # a history entry's response: only a presenter run's


def viewer_home(viewer: Viewer) -> str:
    """Where a viewer's link leads: its function's presenter page, or the list of presenter pages."""
    if viewer.function is None:
        return url_for(PRESENTER_INDEX)
    return url_for("web.present", name=viewer.function)


def link_address(viewer: Viewer, token: str) -> str:
    """The whole URL to hand the audience, on the address the owner reached the console by."""
    return request.url_root.rstrip("/") + viewer_home(viewer) + f"?{VIEWER_PARAM}={token}"


def sign_in_viewer(console: ViewerOperations, sessions: Sessions, token: str) -> Response:
    """The answer to a viewer link: a viewer's session and the sign-in page, or a refusal saying why not."""
    from console.security import sign_in

    try:
        viewer = console.open_viewer_link(token)
    except ViewerRefused as refused:
        return _refusal_page(str(refused), 403, "Viewer link not valid")
    path = request.path if allowed(console, viewer) else viewer_home(viewer)
    return sign_in(sessions, viewer=viewer.id, next_path=path)


def check_viewer(console: ViewerOperations, session: Session) -> Response | None:
    """None when a viewer's session may make this request; otherwise the refusal (or, for the console's front page,
    the way to the viewer's own page). A session of a revoked or expired link is kept until its idle time, so that
    each of its requests says why it is refused, rather than that the session ended."""
    assert session.viewer is not None
    try:
        viewer = console.use_viewer_session(session.viewer)
    except ViewerRefused as refused:
        return _refusal_page(f"{refused} Your read-only session has ended.", 401, "Viewer link ended")
    g.lambda_console_viewer = viewer
    if allowed(console, viewer):
        return None
    if request.endpoint == "web.index" and request.method in ("GET", "HEAD"):
        return Response(status=303, headers={"Location": viewer_home(viewer)})
    return _refusal_page(
        f"You are viewing as {viewer.label} (read-only): this link opens "
        f"{'the presenter pages' if viewer.function is None else 'the presenter page of ' + viewer.function} and "
        "runs the saved events there, nothing else. Configuration, code, uploads, history and the API are for the "
        "console's owner.", 403, "Not available to viewers", viewer)


def allowed(console: ViewerOperations, viewer: Viewer) -> bool:
    """Whether the request is one a viewer with this link may make."""
    endpoint = request.endpoint or ""
    args = request.view_args or {}
    if endpoint == PRESENTER_INDEX:
        return viewer.function is None and request.method in ("GET", "HEAD")
    name = args.get("name")
    if not isinstance(name, str) or not viewer.may_present(name):
        return False
    if endpoint in VIEWER_ENDPOINTS:
        return True
    if endpoint in JOB_ENDPOINTS:
        job_id = args.get("job_id")
        return isinstance(job_id, str) and console.viewer_may_follow_job(viewer, name, job_id)
    if endpoint in ENTRY_ENDPOINTS:
        entry_id = args.get("entry_id")
        return isinstance(entry_id, int) and console.viewer_may_see_entry(viewer, name, entry_id)
    return False


def _refusal_page(message: str, status: int, title: str, viewer: Viewer | None = None) -> Response:
    """A page a person reads (plain text for htmx, which shows it at the top of the page, and for JSON twins)."""
    if request.headers.get("HX-Request") == "true" or request.path.endswith(".json"):
        response = Response(message + "\n", status=status, mimetype="text/plain")
    else:
        home = viewer_home(viewer) if viewer is not None else None
        response = Response(render_template("viewer_refused.html", title=title, message=message, home=home,
                                            viewer=viewer), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def viewer_context() -> dict[str, Viewer | None]:
    """Template context: the viewer a page is served to (None for the owner), for its banner."""
    return {"viewer": g.get("lambda_console_viewer")}
