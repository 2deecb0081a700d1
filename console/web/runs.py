"""Running a test (a background job the page polls), its Execution result, the History tab and the demo Preview."""

from __future__ import annotations

from flask import Response, abort, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import get_console
from console.core.event_json import EventError
from console.core.history import InvocationRecord
from console.core.jobs import Job
from console.web import bp
from console.web.editor import Editor, editor_for, test_tab_context
from console.web.rendering import is_fragment_request, render
from console.web.results import proxy_response, record_json

# How long the Test request itself waits for a result: a warm handler answers well within it, so the result comes
# back in one round trip; a longer one shows the running status, which polls, and the page stays usable.
FIRST_WAIT_SECONDS = 0.5
# After Cancel, how long to wait for the engine to stop the worker before answering.
CANCEL_WAIT_SECONDS = 5.0
# The CSP of a previewed response: it is the handler's page, shown as a visitor sees it but never able to run
# script, reach the console's origin (sandbox gives it an opaque origin) or load more than styles and images.
PREVIEW_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline' https:; img-src data: https:; font-src data: https:; "
    "media-src data: https:; frame-ancestors 'self'"
)


def run_context(job: Job) -> dict:
    """The Execution result of a job: running, its record, or why it could not run."""
    if job.running:
        return {"job": job}
    record = job.record  # read from the history, where the result is kept
    if record is not None:
        return {"record": record, "cancelled": job.cancelled}
    return {"run_error": job.error or _gone(job)}


def _gone(job: Job) -> str:
    if job.entry_id is not None:
        return ("The result of this run is no longer in the history, which keeps each function's latest entries. "
                "Run the test again to see it.")
    return "The invocation did not run."


def _result(name: str, job: Job, status: int = 200) -> tuple[str, int]:
    context = run_context(job)
    return render("function.html", "_result_body.html", status, **test_tab_context(
        name, request.args, None if is_fragment_request() else _ran_editor(name, job, context.get("record")),
        **context))


def _ran_editor(name: str, job: Job, record: InvocationRecord | None) -> Editor | None:
    """The editor a whole page (a browser without script) shows beside a run's result: the event that ran, saved
    or as it was typed, rather than the function's first saved event."""
    if job.event_name:
        return editor_for(name, {"event": job.event_name})
    if record is not None:
        return Editor("new", "", record.event)
    return None


@bp.post("/functions/<name>/test")
def run_test(name: str) -> BaseResponse | tuple[str, int]:
    """The Test button: check the event's JSON (line and column) before anything runs, then run it as a job."""
    body = request.form.get("event_json", "")
    try:
        job = get_console().start_test(name, body, version=request.form.get("qualifier") or "$LATEST",
                                       event_name=request.form.get("opened", ""))
    except EventError as exc:
        editor = Editor(request.form.get("choice", "new"), request.form.get("event_name", ""), body)
        editor.errors["event_json"] = str(exc)
        return render("function.html", "_result_body.html", 422, **test_tab_context(
            name, {}, editor, event_error=exc))
    job.done.wait(FIRST_WAIT_SECONDS)
    if not is_fragment_request():
        return redirect(url_for("web.run_status", name=name, job_id=job.id), 303)
    return _result(name, job)


@bp.get("/functions/<name>/runs/<job_id>")
def run_status(name: str, job_id: str) -> Response | tuple[str, int]:
    """The running status polls here: a new timer while it runs, then the result in place of the status."""
    job = get_console().get_job(job_id, name)
    if is_fragment_request() and job.running:
        return render("function.html", "_job_timer.html", job=job, function=get_console().get_function(name))
    response = _result(name, job)
    if is_fragment_request():
        # The timer asked; the finished result replaces the whole running status.
        return Response(response[0], headers={"HX-Retarget": "#result-body", "HX-Reswap": "innerHTML"})
    return response


@bp.post("/functions/<name>/runs/<job_id>/cancel")
def cancel_run(name: str, job_id: str) -> tuple[str, int]:
    job = get_console().cancel(job_id, name)
    job.done.wait(CANCEL_WAIT_SECONDS)
    return _result(name, job)


# -- history ------------------------------------------------------------------------------------------------------


def history_context(name: str, **extra: object) -> dict:
    console = get_console()
    return {"tab": "history", "function": console.get_function(name), "entries": console.list_invocations(name, 50),
            "code_changes": console.code_changes(name, 20), **extra}


@bp.get("/functions/<name>/history")
def history(name: str) -> tuple[str, int]:
    return render("function.html", "_function_body.html", **history_context(name))


@bp.get("/functions/<name>/history.json")
def history_json(name: str) -> Response:
    entries = get_console().list_invocations(name)
    return jsonify({"function": name, "invocations": [
        {key: value for key, value in record_json(entry).items() if key not in ("log", "event", "response")}
        for entry in entries
    ]})


def _entry(name: str, entry_id: int) -> InvocationRecord:
    return get_console().get_invocation(entry_id, name)


@bp.get("/functions/<name>/history/<int:entry_id>")
def history_entry(name: str, entry_id: int) -> tuple[str, int]:
    entry = _entry(name, entry_id)
    return render("function.html", "_function_body.html", **history_context(name, tab="entry", record=entry))


@bp.get("/functions/<name>/history/<int:entry_id>.json")
def history_entry_json(name: str, entry_id: int) -> Response:
    return jsonify(record_json(_entry(name, entry_id)))


@bp.post("/functions/<name>/history/<int:entry_id>/rerun")
def rerun(name: str, entry_id: int) -> BaseResponse | tuple[str, int]:
    """Run again: the entry's event on the same version, as a job shown in the entry page's result region."""
    job = get_console().rerun(entry_id, function=name)
    job.done.wait(FIRST_WAIT_SECONDS)
    if not is_fragment_request():
        return redirect(url_for("web.run_status", name=name, job_id=job.id), 303)
    return _result(name, job)


@bp.get("/functions/<name>/history/<int:entry_id>/preview")
def preview(name: str, entry_id: int) -> Response:
    """The HTTP response a proxy handler returned, as a browser would get it, locked in a sandbox."""
    response = proxy_response(_entry(name, entry_id).payload)
    if response is None:
        abort(404)
    if response.refusal is not None:
        return Response(response.refusal, status=422, mimetype="text/plain")
    return Response(response.body, status=200, headers={
        "Content-Type": response.content_type,
        "Content-Security-Policy": PREVIEW_POLICY,
        "Cache-Control": "no-store",
    })
