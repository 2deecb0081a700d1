"""A folder function's status in its page's header: its folder, its last reload, its dependencies' install and log.

The fragment polls itself, so the header says "code changed, reloaded" as soon as a saved file reloads the function.
"""

from __future__ import annotations

from flask import render_template

from console import get_console
from console.core.functions import FunctionError
from console.web import bp


@bp.app_template_global("code_status_of")
def code_status_context(name: str) -> dict:
    console = get_console()
    function = console.get_function(name)
    try:
        code = console.function_code(function) if function.code_folder else None
        problem = ""
    except FunctionError as exc:  # the folder is gone or unreadable
        code, problem = None, str(exc)
    return {
        "function": function,
        "code": code,
        "code_problem": problem,
        "state": console.function_state(function),
        "last_reload": console.last_code_change(name),
    }


@bp.get("/functions/<name>/code-status")
def code_status(name: str) -> str:
    """The header's status of the function's code (htmx polls it)."""
    return render_template("_code_status.html", **code_status_context(name))
