"""Deploy to remote from a local function's page: choose the remote (a role's ARN for a function new to it, publish or
not), then follow the deploy as it runs in the background: its progress lines, then the outcome or the refusal."""

from __future__ import annotations

from flask import Response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import get_console
from console.core.deploy import RoleError
from console.core.remotes import RemoteError
from console.web import bp
from console.web.rendering import is_fragment_request, render


def deploy_context(name: str, *, form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   **extra: object) -> dict:
    console = get_console()
    remotes = console.list_remotes()
    return {"section": "functions", "function": console.get_function(name), "remotes": remotes,
            "form": form or {"remote": remotes[0].name if remotes else ""}, "errors": errors or {}, **extra}


@bp.get("/functions/<name>/deploy")
def deploy_page(name: str) -> tuple[str, int]:
    return render("deploy.html", "_deploy.html", **deploy_context(name))


@bp.post("/functions/<name>/deploy")
def start_deploy(name: str) -> BaseResponse | tuple[str, int]:
    form = {key: request.form.get(key, "").strip() for key in ("remote", "role", "publish")}
    errors: dict[str, str] = {}
    if not form["remote"]:
        errors["remote"] = "Choose the remote to deploy to (add one on the Remotes page first)."
    else:
        try:
            job = get_console().start_deploy(name, form["remote"], role=form["role"] or None,
                                             publish=form["publish"] == "on")
        except RemoteError as exc:  # an unknown remote, a role that is not a role's ARN
            errors["role" if isinstance(exc, RoleError) else "remote"] = str(exc)
    if errors:
        return render("deploy.html", "_deploy.html", 422, **deploy_context(name, form=form, errors=errors))
    if not is_fragment_request():
        return redirect(url_for("web.deploy_status", name=name, job_id=job.id), 303)
    return render("deploy.html", "_deploy.html", **deploy_context(name, form=form, job=job))


@bp.get("/functions/<name>/deploys/<job_id>")
def deploy_status(name: str, job_id: str) -> Response | tuple[str, int]:
    """The deploy's status: it polls itself while the deploy runs, then shows the outcome."""
    job = get_console().get_remote_job(job_id, name, ("deploy",))
    if is_fragment_request():
        return render("deploy.html", "_deploy_job.html", job=job, function=get_console().get_function(name))
    form = {"remote": job.remote}
    return render("deploy.html", "_deploy.html", **deploy_context(name, form=form, job=job))
