"""The presenter page: a function's saved events as large buttons and their results, for showing a handler to
someone. Read-only: it runs the saved events but shows and changes no configuration.
"""

from __future__ import annotations

from flask import request

from console import get_console
from console.web import bp
from console.web.rendering import render
from console.web.runs import FIRST_WAIT_SECONDS, run_context


def _context(name: str, **extra: object) -> dict:
    console = get_console()
    function = console.get_function(name)
    return {"function": function, "events": console.list_events(name), "presenting": True, **extra}


@bp.get("/present/<name>")
def present(name: str) -> tuple[str, int]:
    return render("presenter.html", "_presenter_result.html", **_context(name))


@bp.post("/present/<name>")
def present_run(name: str) -> tuple[str, int]:
    job, event = get_console().start_saved_test(name, request.form.get("event", ""), source="presenter")
    job.done.wait(FIRST_WAIT_SECONDS)
    extra: dict[str, object] = {"event": event}
    extra.update(run_context(job))
    return render("presenter.html", "_presenter_result.html", **_context(name, **extra))


@bp.get("/present/<name>/runs/<job_id>")
def present_status(name: str, job_id: str) -> tuple[str, int]:
    job = get_console().get_job(job_id, name)
    extra = run_context(job)
    return render("presenter.html", "_presenter_result.html", **_context(name, **extra))
