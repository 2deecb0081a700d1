"""Clone and Delete function, from the function's page: each a page of its own that asks first."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import get_console
from console.core.functions import FunctionError
from console.web import bp


@bp.get("/functions/<name>/clone")
def clone_page(name: str) -> str:
    return render_template("function_manage.html", action="clone", function=get_console().get_function(name),
                           new_name=f"{name}-copy"[:64], error="")


@bp.post("/functions/<name>/clone")
def clone_function(name: str) -> BaseResponse | tuple[str, int]:
    console = get_console()
    new_name = request.form.get("new_name", "").strip()
    try:
        clone = console.clone_function(name, new_name)
    except FunctionError as exc:
        return render_template("function_manage.html", action="clone", function=console.get_function(name),
                               new_name=new_name, error=str(exc)), 422
    return redirect(url_for("web.function_page", name=clone.name), 303)


@bp.get("/functions/<name>/delete")
def delete_page(name: str) -> str:
    console = get_console()
    return render_template("function_manage.html", action="delete", function=console.get_function(name),
                           versions=len(console.list_versions(name)) - 1, events=len(console.list_events(name)))


@bp.post("/functions/<name>/delete")
def delete_function(name: str) -> BaseResponse:
    get_console().delete_function(name)
    return redirect(url_for("web.index", deleted=name), 303)
