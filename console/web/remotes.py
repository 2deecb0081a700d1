"""The Remotes page (list, add, remove) and each remote's functions, listed beside the local ones.

The function list loads the remotes' functions after the page (htmx), so a slow or unreachable remote never holds up
the local list; each remote that cannot be listed shows a notice saying why.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from console import get_console
from console.core.remote_functions import RemoteFunction, RemoteListing
from console.core.remotes import Remote, RemoteError, RemoteNotFound
from console.web import bp
from console.web.rendering import is_fragment_request, render


def remote_json(remote: Remote) -> dict:
    return {"name": remote.name, "profile": remote.profile, "region": remote.region,
            "endpoint_url": remote.endpoint_url, "created_at": remote.created_at}


def function_json(function: RemoteFunction) -> dict:
    return {"name": function.name, "runtime": function.runtime, "handler": function.handler,
            "memory": function.memory, "timeout": function.timeout, "description": function.description,
            "last_modified": function.last_modified, "code_sha256": function.code_sha256, "state": function.state}


def _remotes_page(status: int = 200, *, form: dict[str, str] | None = None, error: str = "",
                  message: str = "") -> tuple[str, int]:
    return render("remotes.html", "_remotes.html", status, section="remotes", remotes=get_console().list_remotes(),
                  form=form or {"kind": "endpoint"}, error=error, message=message)


@bp.get("/remotes")
def remotes_page() -> tuple[str, int]:
    return _remotes_page()


@bp.get("/remotes.json")
def remotes_json() -> Response:
    return jsonify({"remotes": [remote_json(remote) for remote in get_console().list_remotes()]})


@bp.post("/remotes")
def add_remote() -> tuple[str, int]:
    """Add: a profile and region (AWS Lambda), or an endpoint URL; refused with the command line's own messages."""
    form = {key: request.form.get(key, "").strip() for key in ("name", "kind", "profile", "region", "endpoint_url")}
    aws = form["kind"] == "aws"
    try:
        remote = get_console().add_remote(form["name"], profile=form["profile"] if aws else None,
                                          region=form["region"] or None,
                                          endpoint_url=None if aws else form["endpoint_url"])
    except RemoteError as exc:
        return _remotes_page(422, form=form, error=str(exc))
    return _remotes_page(message=f"Added remote {remote.name}: {remote.target}, region {remote.region}.")


@bp.post("/remotes/<name>/remove")
def remove_remote(name: str) -> tuple[str, int]:
    try:
        get_console().remove_remote(name)
    except RemoteNotFound as exc:
        return _remotes_page(404, error=str(exc))
    return _remotes_page(message=f"Removed remote {name} (nothing on the remote itself changed).")


def _listing(name: str) -> tuple[RemoteListing | None, str]:
    try:
        return get_console().list_remote_functions(name), ""
    except RemoteError as exc:
        return None, str(exc)


@bp.get("/remote-functions")
def remote_functions() -> tuple[str, int]:
    """Every remote's functions. The function list loads this after the page: as a fragment it holds one placeholder
    per remote, each loading that remote's functions on its own, so a slow remote holds up no other."""
    remotes = get_console().list_remotes()
    if is_fragment_request():
        return render("remote_functions.html", "_remote_functions.html",
                      listings=[(remote, None, "", True) for remote in remotes])
    listings = [(remote, *_listing(remote.name), False) for remote in remotes]
    return render("remote_functions.html", "_remote_functions.html", section="functions", listings=listings)


@bp.get("/remotes/<name>/functions")
def one_remote_functions(name: str) -> tuple[str, int]:
    """One remote's functions, or the notice saying why they could not be listed."""
    remote = get_console().get_remote(name)
    listings = [(remote, *_listing(name), False)]
    if is_fragment_request():
        return render("remote_functions.html", "_remote_listing.html", remote=remote, listing=listings[0][1],
                      error=listings[0][2], loading=False)
    return render("remote_functions.html", "_remote_functions.html", section="functions", listings=listings)


@bp.get("/remotes/<name>/functions.json")
def remote_functions_json(name: str) -> Response | tuple[Response, int]:
    get_console().get_remote(name)  # an unknown remote: 404, naming the remotes there are
    listing, error = _listing(name)
    if listing is None:
        return jsonify({"remote": name, "error": error}), 502
    return jsonify({"remote": name, "truncated": listing.truncated,
                    "functions": [function_json(function) for function in listing.functions]})

