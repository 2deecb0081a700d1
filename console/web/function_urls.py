"""The Configuration tab's Function URL section: create one (auth type, CORS), see, copy and open it, delete it; and
the address other pages link to (the Test tab's Open link, the presenter's)."""

from __future__ import annotations

from flask import request

from console import get_console
from console.core.function_urls import FunctionUrlError, FunctionUrlExists, FunctionUrlNotFound
from console.web import bp
from console.web.functions import configuration_context
from console.web.rendering import render


def url_address(name: str) -> str | None:
    """The function's own URL as the browser opens it, or None when it has none."""
    console = get_console()
    urls = console.function_urls.for_function(name)
    return urls[0].url(console.api_port) if urls else None


@bp.app_context_processor
def _function_url_helpers() -> dict:
    return {"function_url_address": url_address}


def _words(text: str) -> list[str]:
    """`a, b` or one per line: the list a Cors field takes."""
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


def cors_from(form: dict[str, str]) -> dict | None:
    """Lambda's Cors from the section's fields; None when CORS is off. FunctionUrlError for a MaxAge not a number."""
    if not form.get("cors"):
        return None
    cors: dict = {"AllowOrigins": _words(form.get("allow_origins", "")) or ["*"],
                  "AllowMethods": _words(form.get("allow_methods", "").upper()) or ["*"],
                  "AllowHeaders": _words(form.get("allow_headers", "")),
                  "ExposeHeaders": _words(form.get("expose_headers", "")),
                  "AllowCredentials": bool(form.get("allow_credentials"))}
    age = form.get("max_age", "").strip()
    if age:
        if not age.isdigit():
            raise FunctionUrlError("Max age is a number of seconds, from 0 to 86400.", "Cors.MaxAge")
        cors["MaxAge"] = int(age)
    return cors


def _tab(name: str, status: int = 200, *, errors: dict[str, str] | None = None, message: str = "") -> tuple[str, int]:
    return render("function.html", "_function_body.html", status,
                  **configuration_context(name, errors=errors, message=message))


@bp.post("/functions/<name>/url")
def create_function_url(name: str) -> tuple[str, int]:
    form = request.form.to_dict()
    try:
        get_console().create_function_url(name, auth_type=form.get("auth_type", ""), cors=cors_from(form))
    except (FunctionUrlError, FunctionUrlExists) as exc:
        return _tab(name, 422, errors={"function_url": str(exc)})
    return _tab(name, message="Function URL created: open it in a browser, or call it with curl.")


@bp.post("/functions/<name>/url/delete")
def delete_function_url(name: str) -> tuple[str, int]:
    try:
        get_console().delete_function_url(name)
    except FunctionUrlNotFound:
        return _tab(name, 404, errors={"function_url": f"{name} has no function URL (it was deleted already)."})
    return _tab(name, message="Function URL deleted: its address no longer answers.")
