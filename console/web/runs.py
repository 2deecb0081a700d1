"""Running a test (a background job the page polls), its Execution result, the History tab and the demo Preview."""

from __future__ import annotations

from flask import Response, abort, jsonify, redirect, request, url_for

from console import get_console
from console.core.events import EventError, check_event
from console.core.history import HistoryNotFound, InvocationRecord
from console.core.jobs import Job, JobNotFound
from console.web import bp
from console.web.editor import Editor, test_tab_context
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


def _job_for(name: str, job_id: str) -> Job:
    job = get_console().jobs.get(job_id)
    if job.function != name:
        raise JobNotFound(f"No invocation {job_id} of {name} is running or recently finished")
    return job


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
    return render("function.html", "_result_body.html", status, **test_tab_context(name, request.args, None,
                                                                                   **run_context(job)))


@bp.post("/functions/<name>/test")
def run_test(name: str) -> Response | tuple[str, int]:
    """The Test button: check the event's JSON (line and column) before anything runs, then run it as a job."""
    console = get_console()
    console.functions.get(name)
    body = request.form.get("event_json", "")
    try:
        check_event(body, "Event JSON")
    except EventError as exc:
        editor = Editor(request.form.get("choice", "new"), request.form.get("event_name", ""), body)
        editor.errors["event_json"] = str(exc)
        return render("function.html", "_result_body.html", 422, **test_tab_context(
            name, {}, editor, event_error=exc))
    job = console.jobs.start(name, body.encode("utf-8"), source="console")
    job.done.wait(FIRST_WAIT_SECONDS)
    if not is_fragment_request():
        return redirect(url_for("web.run_status", name=name, job_id=job.id), 303)
    return _result(name, job)


@bp.get("/functions/<name>/runs/<job_id>")
def run_status(name: str, job_id: str) -> Response | tuple[str, int]:
    """The running status polls here: a new timer while it runs, then the result in place of the status."""
    job = _job_for(name, job_id)
    if is_fragment_request() and job.running:
        return render("function.html", "_job_timer.html", job=job, function=get_console().functions.get(name))
    response = _result(name, job)
    if is_fragment_request():
        # The timer asked; the finished result replaces the whole running status.
        return Response(response[0], headers={"HX-Retarget": "#result-body", "HX-Reswap": "innerHTML"})
    return response


@bp.post("/functions/<name>/runs/<job_id>/cancel")
def cancel_run(name: str, job_id: str) -> tuple[str, int]:
    job = _job_for(name, job_id)
    get_console().jobs.cancel(job_id)
    job.done.wait(CANCEL_WAIT_SECONDS)
    return _result(name, job)


# -- history ------------------------------------------------------------------------------------------------------


def history_context(name: str, **extra: object) -> dict:
    console = get_console()
    return {"tab": "history", "function": console.functions.get(name), "entries": console.history.for_function(name, 50),
            **extra}


@bp.get("/functions/<name>/history")
def history(name: str) -> tuple[str, int]:
    return render("function.html", "_function_body.html", **history_context(name))


@bp.get("/functions/<name>/history.json")
def history_json(name: str) -> Response:
    get_console().functions.get(name)
    entries = get_console().history.for_function(name)
    return jsonify({"function": name, "invocations": [
        {key: value for key, value in record_json(entry).items() if key not in ("log", "event", "response")}
        for entry in entries
    ]})


def _entry(name: str, entry_id: int) -> InvocationRecord:
    entry = get_console().history.get(entry_id)
    if entry.function != name:
        raise HistoryNotFound(f"No invocation {entry_id} of {name} in the history")
    return entry


@bp.get("/functions/<name>/history/<int:entry_id>")
def history_entry(name: str, entry_id: int) -> tuple[str, int]:
    entry = _entry(name, entry_id)
    return render("function.html", "_function_body.html", **history_context(name, tab="entry", record=entry))


@bp.get("/functions/<name>/history/<int:entry_id>.json")
def history_entry_json(name: str, entry_id: int) -> Response:
    return jsonify(record_json(_entry(name, entry_id)))


@bp.post("/functions/<name>/history/<int:entry_id>/rerun")
def rerun(name: str, entry_id: int) -> Response | tuple[str, int]:
    """Run again: the entry's event on the same version, as a job shown in the entry page's result region."""
    entry = _entry(name, entry_id)
    job = get_console().jobs.start(name, entry.event.encode("utf-8"), version=entry.version, source="console")
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
