"""Saved events as tests on the pages: the expectation editor, "Save as expected" on a result, and Run all with its
pass/fail list (a background run the page polls, like a Test)."""

from __future__ import annotations

import json

from flask import Response, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from console import get_console
from console.core.events import EventError, EventNotFound
from console.core.expectations import Expectation, ExpectationError
from console.core.history import InvocationRecord
from console.core.test_runs import LastRun, TestRun, TestRunNotFound
from console.web import bp
from console.web.editor import Editor, _form_editor, test_tab_context
from console.web.rendering import _not_found, is_fragment_request, render

# How long Run all's request waits for the run before answering with the running status that polls.
FIRST_WAIT_SECONDS = 0.5


def _expectation_form() -> dict[str, str]:
    return {key: request.form.get(f"expected_{key}", "") for key in ("response", "outcome", "max_duration")}


def _test_form(name: str, editor: Editor, status: int = 200, **extra: object) -> tuple[str, int]:
    return render("function.html", "_test_form.html", status, **test_tab_context(name, {}, editor, **extra))


@bp.post("/functions/<name>/expectation")
def save_expectation(name: str) -> tuple[str, int]:
    """The expectation editor's Save: the saved event's expected result, checked; a refusal keeps what was typed."""
    editor, form = _form_editor(name), _expectation_form()
    try:
        get_console().set_expectation(name, editor.name, form["response"], form["outcome"] or "any",
                                      form["max_duration"])
    except ExpectationError as exc:
        editor.errors[f"expected_{exc.field}"] = str(exc)
        return _test_form(name, editor, 422, expectation_form=form)
    except EventNotFound:
        editor.errors["event_name"] = (f"{name} has no saved event named {editor.name!r}: save the event first, then "
                                       "its expected result.")
        return _test_form(name, editor, 422)
    editor.message = f"Saved the expected result of {editor.name}. Run all checks it."
    return _test_form(name, editor)


@bp.post("/functions/<name>/expectation/clear")
def clear_expectation(name: str) -> tuple[str, int]:
    editor = _form_editor(name)
    cleared = get_console().clear_expectation(name, editor.name)
    editor.message = f"Cleared the expected result of {editor.name}." if cleared else \
        f"{editor.name} had no expected result: nothing was cleared."
    return _test_form(name, editor)


@bp.post("/functions/<name>/history/<int:entry_id>/expected")
def save_as_expected(name: str, entry_id: int) -> ResponseReturnValue:
    """"Save as expected" on a result: it becomes the expected result of the saved event named in the form."""
    console = get_console()
    record = console.get_invocation(entry_id, name)
    event = request.form.get("event_name", "").strip()
    try:
        saved, _ = console.save_as_expected(name, entry_id, event)
    except (ExpectationError, EventError) as exc:
        return render("function.html", "_save_expected.html", 422, record=record, event_name=event,
                      expected_error=str(exc), **_function(name))
    if not is_fragment_request():
        return redirect(url_for("web.function_page", name=name, event=saved.name), 303)
    return render("function.html", "_save_expected.html", record=record, event_name=saved.name,
                  expected_saved=saved.name, **_function(name))


def _function(name: str) -> dict:
    return {"function": get_console().get_function(name), "tab": "test"}


@bp.app_template_filter("saved_event_name")
def saved_event_name(record: InvocationRecord) -> str:
    """The saved event a result came from (the one holding the same JSON), to offer in "Save as expected"."""
    return get_console().saved_event_for(record.function, record.event) or ""


# -- Run all ------------------------------------------------------------------------------------------------------


def _run_view(test_run: TestRun, listing: bool = False) -> ResponseReturnValue:
    test_run.done.wait(FIRST_WAIT_SECONDS)
    if not is_fragment_request():
        return redirect(url_for("web.test_run_page", run_id=test_run.id), 303)
    return _run_fragment(test_run, listing)


def _run_fragment(test_run: TestRun, listing: bool) -> tuple[str, int]:
    """The run's status; `listing`: asked by the function list, whose Last test run cells it then updates too."""
    last_runs = get_console().last_test_runs() if listing and not test_run.running else {}
    return render("test_run.html", "_test_run.html", run=test_run, listing=listing, last_runs=last_runs)


@bp.post("/functions/<name>/test-runs")
def run_function_tests(name: str) -> ResponseReturnValue:
    """Run all on a function's Test tab: its saved events with expectations."""
    return _run_view(get_console().start_test_run([name]))


@bp.post("/test-runs")
def run_all_tests() -> ResponseReturnValue:
    """Run all on the function list: every function's saved events with expectations."""
    return _run_view(get_console().start_test_run(), listing=True)


@bp.get("/test-runs/<run_id>")
def test_run_page(run_id: str) -> tuple[str, int]:
    """A run's status: polled while it runs (the fragment replaces itself), then its pass/fail list."""
    listing = is_fragment_request() and request.args.get("list") == "1"
    return _run_fragment(get_console().get_test_run(run_id), listing)


@bp.get("/test-runs/<run_id>.json")
def test_run_json(run_id: str) -> Response:
    test_run = get_console().get_test_run(run_id)
    return jsonify({"id": test_run.id, "running": test_run.running, "functions": list(test_run.functions),
                    "total": test_run.total, "passed": test_run.passed, "failed": test_run.failed,
                    "duration_ms": test_run.duration_ms, "error": test_run.error,
                    "results": [outcome_json(outcome) for outcome in test_run.ordered]})


def outcome_json(outcome: object) -> dict:
    keys = ("function", "event", "status", "duration_ms", "diff", "entry_id", "error")
    return {key: getattr(outcome, key) for key in keys}


def expected_json(expectation: Expectation | None) -> dict | None:
    """An expectation as its `<name>.expected.json` file holds it."""
    return None if expectation is None else json.loads(expectation.file_text())


def last_run_json(last: LastRun | None) -> dict | None:
    if last is None:
        return None
    return {"passed": last.passed, "failed": last.failed, "finished_at": last.finished_at,
            "results": [outcome_json(outcome) for outcome in last.results]}


@bp.errorhandler(TestRunNotFound)
def test_run_not_found(exc: TestRunNotFound) -> tuple[Response | str, int]:
    return _not_found(f"{exc}: runs are kept while the console runs. Run all again.")
