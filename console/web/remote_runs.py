"""A remote function's page: its configuration as the remote gives it, and its Test tab, which runs a saved event of
the local function of the same name (or typed JSON) on the remote, or on both (Compare)."""

from __future__ import annotations

from flask import Response, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import get_console
from console.core.event_json import EventError
from console.core.events import EventNotFound
from console.core.functions import FunctionNotFound
from console.core.remote_jobs import RemoteJob
from console.core.remotes import RemoteError
from console.web import bp
from console.web.remotes import function_json
from console.web.rendering import is_fragment_request, render

# What the editor holds when no saved event is chosen.
EMPTY_EVENT = "{}"
# How long Test or Compare waits for the remote's answer before showing the running status, which polls.
FIRST_WAIT_SECONDS = 0.5


def remote_context(remote_name: str, name: str, *, body: str | None = None, event_name: str = "",
                   **run: object) -> dict:
    """The remote function's page: the remote, its function (or why it could not be read), the local function of the
    same name with its saved events, and the editor's event."""
    console = get_console()
    remote = console.get_remote(remote_name)
    try:
        local = console.get_function(name)
        events = console.list_events(name)
    except FunctionNotFound:
        local, events = None, []
    error = ""
    if body is None:
        chosen = event_name or (events[0].name if events else "")
        try:
            body = console.get_event(name, chosen).body if chosen and local else EMPTY_EVENT
            event_name = chosen if chosen and local else ""
        except EventNotFound as exc:
            body, event_name, error = EMPTY_EVENT, "", f"{exc}. Pick another event, or type the JSON."
    return {"section": "functions", "remote": remote, "name": name, "local": local, "events": events,
            "event_name": event_name, "body": body, "choice_error": error, **run}


def _function_context(remote_name: str, name: str) -> dict:
    """The remote's configuration of the function, or the notice saying why it could not be read."""
    try:
        return {"remote_function": get_console().get_remote_function(remote_name, name), "remote_error": ""}
    except RemoteError as exc:
        return {"remote_function": None, "remote_error": str(exc)}


@bp.get("/remotes/<remote>/functions/<name>")
def remote_function_page(remote: str, name: str) -> tuple[str, int]:
    context = remote_context(remote, name, event_name=request.args.get("event", ""))
    return render("remote_function.html", "_remote_function_body.html", **context)


@bp.get("/remotes/<remote>/functions/<name>/head")
def remote_function_head(remote: str, name: str) -> tuple[str, int]:
    """The function's settings as the remote gives them, or why they could not be read: the page loads this after
    itself, so an endpoint slow to answer never holds up the editor."""
    context = {**remote_context(remote, name), **_function_context(remote, name)}
    return render("remote_function.html", "_remote_head.html", **context)


@bp.get("/remotes/<remote>/functions/<name>.json")
def remote_function_json(remote: str, name: str) -> Response | tuple[Response, int]:
    console = get_console()
    console.get_remote(remote)
    try:
        function = console.get_remote_function(remote, name)
    except RemoteError as exc:
        return jsonify({"remote": remote, "error": str(exc)}), 502
    return jsonify({"remote": remote, **function_json(function)})


@bp.get("/remotes/<remote>/functions/<name>/editor")
def remote_choose_event(remote: str, name: str) -> tuple[str, int]:
    """The editor with the chosen saved event, or empty for typed JSON (htmx swaps the form); the whole page without
    htmx."""
    chosen = request.args.get("event", "")
    context = remote_context(remote, name, **({"event_name": chosen} if chosen else {"body": EMPTY_EVENT}))
    return render("remote_function.html", "_remote_form.html", **context)


def _ran(remote: str, name: str, status: int, **run: object) -> tuple[str, int]:
    form_name = request.form.get("event_name", "")
    context = remote_context(remote, name, body=request.form.get("event_json", ""), event_name=form_name, **run)
    return render("remote_function.html", "_remote_result.html", status, **context)


def job_context(job: RemoteJob) -> dict:
    """What the result region shows of a Test or Compare job: running, its outcome, or why it could not run."""
    if job.running:
        return {"job": job}
    if job.error is not None:
        return {"run_error": job.error}
    return {"comparison" if job.kind == "compare" else "record": job.outcome}


def _started(remote: str, name: str, job: RemoteJob) -> BaseResponse | tuple[str, int]:
    job.done.wait(FIRST_WAIT_SECONDS)
    if not is_fragment_request():
        return redirect(url_for("web.remote_run_status", remote=remote, name=name, job_id=job.id), 303)
    return _ran(remote, name, 200, **job_context(job))


@bp.post("/remotes/<remote>/functions/<name>/test")
def remote_test(remote: str, name: str) -> BaseResponse | tuple[str, int]:
    """Test: the event on the remote's function (Invoke, LogType Tail), shown as the Execution result."""
    body = request.form.get("event_json", "")
    try:
        job = get_console().start_remote_test(remote, name, body, event_name=_saved_name(name, body))
    except EventError as exc:
        return _ran(remote, name, 422, event_error=exc)
    return _started(remote, name, job)


@bp.post("/remotes/<remote>/functions/<name>/compare")
def remote_compare(remote: str, name: str) -> BaseResponse | tuple[str, int]:
    """Compare: the event on the local function and on the remote's, the two responses side by side with a diff."""
    body = request.form.get("event_json", "")
    try:
        job = get_console().start_compare(remote, name, body, event_name=_saved_name(name, body))
    except EventError as exc:
        return _ran(remote, name, 422, event_error=exc)
    except FunctionNotFound:
        return _ran(remote, name, 422, run_error=f"There is no local function {name} to compare with: Compare runs "
                                                 "the event on the local function of the same name and on the remote.")
    return _started(remote, name, job)


@bp.get("/remotes/<remote>/functions/<name>/runs/<job_id>")
def remote_run_status(remote: str, name: str, job_id: str) -> tuple[str, int]:
    """The running status polls here (it is replaced by the next status, then by the result)."""
    job = get_console().get_remote_job(job_id, name, ("test", "compare"))
    context = {**remote_context(remote, name), **job_context(job)}
    return render("remote_function.html", "_remote_result.html", **context)


def _saved_name(name: str, body: str) -> str:
    """The saved event the form ran, when its JSON is still that event's as saved."""
    event_name = request.form.get("event_name", "")
    if not event_name:
        return ""
    try:
        return event_name if get_console().get_event(name, event_name).body == body else ""
    except (EventNotFound, FunctionNotFound):
        return ""
