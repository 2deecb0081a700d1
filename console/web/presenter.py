"""The presenter page: a function's saved events as large numbered buttons and their results in plain words, for
showing a handler to an audience. Read-only: it runs the saved events but shows and changes no configuration.

The result reads "It worked" or "It failed: <the error message>", with the event that was sent as a table of its
fields and the response rendered (an API response's page through the preview, images shown, JSON as a tree);
developer detail (Code SHA-256, durations, the log) waits behind a "Details" toggle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import render_template, request

from console import get_console
from console.web import bp
from console.web.rendering import render
from console.web.runs import CANCEL_WAIT_SECONDS, FIRST_WAIT_SECONDS, run_context

# JSON nested deeper than this is shown as its text below that depth: a tree that deep is not readable anyway.
TREE_DEPTH = 12


@dataclass(frozen=True)
class Parsed:
    """A JSON text as a value to show as a tree; `ok` is False when the text is not JSON (shown as it is)."""

    ok: bool
    value: object
    text: str


@bp.app_template_filter("parsed_json")
def parsed_json(data: bytes | str | None) -> Parsed:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    try:
        return Parsed(True, json.loads(text), text)
    except (ValueError, RecursionError):
        return Parsed(False, None, text)


@bp.app_template_filter("compact_json")
def compact_json(value: object) -> str:
    """A value below the tree's depth, as one line of JSON."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):
        return str(value)


def _context(name: str, **extra: object) -> dict:
    console = get_console()
    function = console.get_function(name)
    return {"function": function, "events": console.list_events(name), "presenting": True,
            "tree_depth": TREE_DEPTH, **extra}


@bp.get("/present")
def present_index() -> str:
    """Every function's presenter page, by name: where a viewer link to every function leads."""
    return render_template("presenter_index.html", functions=get_console().list_functions())


@bp.get("/present/<name>")
def present(name: str) -> tuple[str, int]:
    # The owner's part of the page (templates/_presenter_viewers.html): the viewer links open on it.
    links = get_console().list_viewer_links(presenting=name)
    return render("presenter.html", "_presenter_result.html", **_context(name, viewer_links=links))


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


@bp.post("/present/<name>/runs/<job_id>/cancel")
def present_cancel(name: str, job_id: str) -> tuple[str, int]:
    job = get_console().cancel(job_id, name)
    job.done.wait(CANCEL_WAIT_SECONDS)
    return render("presenter.html", "_presenter_result.html", **_context(name, **run_context(job)))
