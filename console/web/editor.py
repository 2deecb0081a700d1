"""The Test tab's event editor: a new event, a saved event or a template in the `Event JSON` box; Save and Delete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import request, url_for

from console import get_console
from console.core.events import EventError, EventExists, EventNotFound
from console.core.templates import DEFAULT_TEMPLATE, TemplateNotFound, get_template, list_templates
from console.web import bp
from console.web.rendering import render


@dataclass
class Editor:
    """What the event editor shows: which choice is selected, the event's name and text, and any message."""

    choice: str  # "new", "event:<name>" or "template:<name>"
    name: str
    body: str
    saved: bool = False  # the name is a saved event (Delete applies)
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    replacing: str = ""  # a saved event that Save would replace: the editor asks first
    opened: str = ""  # the saved event the editor was opened on, while it shows something else (a question)
    error_at: tuple[int, int] | None = None  # line and column (1-based) of the JSON error, when it has a place


def editor_for(function: str, args: Mapping[str, str]) -> Editor:
    """The editor for `?choice=` (or `?event=`, `?template=`): a saved event first by default, else a new one."""
    console = get_console()
    choice = args.get("choice", "")
    if args.get("event"):
        choice = f"event:{args['event']}"
    elif args.get("template"):
        choice = f"template:{args['template']}"
    kind, _, value = choice.partition(":")
    if kind == "event":
        try:
            event = console.get_event(function, value)
        except EventNotFound as exc:
            editor = _new_editor()
            editor.errors["choice"] = f"{exc}. Pick another event, or write a new one."
            return editor
        return Editor(choice, event.name, event.body, saved=True)
    if kind == "template":
        try:
            template = get_template(value)
        except TemplateNotFound as exc:
            editor = _new_editor()
            editor.errors["choice"] = str(exc)
            return editor
        return Editor(choice, template.name, template.body)
    if kind != "new":
        events = console.list_events(function)
        if events:
            return Editor(f"event:{events[0].name}", events[0].name, events[0].body, saved=True)
    return _new_editor()


def _new_editor() -> Editor:
    return Editor("new", "", get_template(DEFAULT_TEMPLATE).body)


def test_tab_context(name: str, args: Mapping[str, str], editor: Editor | None = None, **run: object) -> dict:
    """Everything the Test tab shows: the function, its events, the templates, the editor and the latest run."""
    console = get_console()
    function = console.get_function(name)
    editor = editor or editor_for(name, args)
    return {
        "tab": "test",
        "function": function,
        "events": console.list_events(name),
        "templates": list_templates(),
        "editor": editor,
        # The saved event's expected result (the expectation editor), and the function's last Run all.
        "expectation": console.expectations.get(name, editor.name) if editor.saved else None,
        "last_test": console.last_test_runs().get(name),
        # The Test button's choice of what to run: $LATEST, a published version or an alias.
        "versions": [version.version for version in console.list_versions(name)[1:]],
        "aliases": console.list_aliases(name),
        "qualifier": request.form.get("qualifier") or args.get("qualifier") or "$LATEST",
        **run,
    }


def _form_editor(name: str) -> Editor:
    """The editor as the person left it in the form, so a refusal keeps every character they typed."""
    event_name = request.form.get("event_name", "").strip()
    body = request.form.get("event_json", "")
    saved = bool(event_name) and any(e.name == event_name for e in get_console().list_events(name))
    choice = f"event:{event_name}" if saved else request.form.get("choice", "new")
    return Editor(choice, event_name, body, saved=saved)


@bp.get("/functions/<name>/editor")
def choose_event(name: str) -> tuple[str, int, dict[str, str]]:
    """The editor with the chosen event (htmx swaps the form); the whole Test tab for a browser without it.

    The address bar then shows the Test tab's own URL for that choice, so it can be bookmarked and shared.
    """
    context = test_tab_context(name, request.args)
    kind, _, value = context["editor"].choice.partition(":")
    query = urlencode({kind: value} if kind in ("event", "template") else {"choice": "new"})
    html, status = render("function.html", "_test_form.html", **context)
    return html, status, {"HX-Push-Url": f"{url_for('web.function_page', name=name)}?{query}"}


def _opened_event() -> str:
    """The saved event the editor had open when the form was sent (its name field may have been edited since)."""
    return request.form.get("opened", "")


@bp.post("/functions/<name>/events")
def save_event(name: str) -> tuple[str, int]:
    """Save: the open event is updated; any other saved event of that name is replaced only once confirmed."""
    editor = _form_editor(name)
    confirmed = request.form.get("replace", "")
    replace = editor.name in (_opened_event(), confirmed) and bool(editor.name)
    try:
        event = get_console().save_event(name, editor.name, editor.body, replace=replace)
    except EventExists as exc:
        editor.choice = request.form.get("choice", "new")
        if exc.existing and not confirmed:
            editor.replacing, editor.saved, editor.opened = exc.existing, False, _opened_event()
            return render("function.html", "_test_form.html", 409, **test_tab_context(name, {}, editor))
        editor.errors["event_name"] = str(exc)
        return render("function.html", "_test_form.html", 422, **test_tab_context(name, {}, editor))
    except EventError as exc:
        editor.errors["event_name" if exc.field == "name" else "event_json"] = str(exc)
        if exc.field != "name" and exc.line:
            editor.error_at = (exc.line, exc.column or 1)
        return render("function.html", "_test_form.html", 422, **test_tab_context(name, {}, editor))
    saved = Editor(f"event:{event.name}", event.name, event.body, saved=True, message=f"Saved event {event.name}.")
    return render("function.html", "_test_form.html", **test_tab_context(name, {}, saved))


@bp.post("/functions/<name>/events/rename")
def rename_event(name: str) -> tuple[str, int]:
    return _copy_or_rename(name, rename=True)


@bp.post("/functions/<name>/events/duplicate")
def duplicate_event(name: str) -> tuple[str, int]:
    return _copy_or_rename(name, rename=False)


def _copy_or_rename(name: str, *, rename: bool) -> tuple[str, int]:
    """Rename or Duplicate the open saved event under the name typed in `New name`."""
    console = get_console()
    source = _opened_event() or request.form.get("event_name", "").strip()
    new_name = request.form.get("new_name", "").strip()
    try:
        operation = console.rename_event if rename else console.duplicate_event
        event = operation(name, source, new_name)
    except (EventError, EventNotFound) as exc:
        editor = _form_editor(name)
        if not isinstance(exc, EventNotFound):  # the open event stays open, its New name field showing the refusal
            editor.name, editor.saved, editor.choice = editor.name or source, True, f"event:{source}"
            editor.opened = source
        editor.errors["new_name" if editor.saved else "event_name"] = str(exc)
        return render("function.html", "_test_form.html", 422, **test_tab_context(name, {}, editor))
    message = f"Renamed event {source} to {event.name}." if rename else \
        f"Saved a copy of {source} as {event.name}; the copy is open."
    done = Editor(f"event:{event.name}", event.name, event.body, saved=True, message=message)
    return render("function.html", "_test_form.html", **test_tab_context(name, {}, done))


@bp.post("/functions/<name>/events/delete")
def delete_event(name: str) -> tuple[str, int]:
    editor = _form_editor(name)
    target = _opened_event() or editor.name  # the event Delete named when it asked, whatever the name field says
    try:
        get_console().delete_event(name, target)
    except EventNotFound:
        editor.errors["event_name"] = f"{name} has no saved event named {target!r}: nothing was deleted."
        return render("function.html", "_test_form.html", 422, **test_tab_context(name, {}, editor))
    fresh = _new_editor()
    fresh.message = f"Deleted event {target}."
    return render("function.html", "_test_form.html", **test_tab_context(name, {}, fresh))
