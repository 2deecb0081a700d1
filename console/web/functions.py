"""The function list, creating a function, and a function's page with its Configuration tab."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import get_console
from console.core.console import Console
from console.core.credentials import CredentialsError
from console.core.functions import FunctionConfig, FunctionError, FunctionErrors
from console.core.packages import PackageError, PackageNotFound
from console.web import bp, forms
from console.web.editor import test_tab_context
from console.web.expected import expected_json, last_run_json
from console.web.rendering import is_fragment_request, render
from console.web.results import record_json


def function_json(function: FunctionConfig) -> dict:
    return {
        "name": function.name,
        "version": function.version,
        "handler": function.handler,
        "runtime": function.runtime,
        "timeout": function.timeout,
        "memory": function.memory,
        "ephemeral_storage": function.ephemeral_storage,
        "environment": function.environment,
        "description": function.description,
        "runtime_client": function.runtime_client,
        "deprecated_since": function.deprecated_since,
        "package_sha256": function.package_sha256,
        "code_folder": function.code_folder,
        "revision_id": function.revision_id,
        "last_modified": function.last_modified,
        "layers": [layer.arn() for layer in function.layers],  # in order
    }


# -- the function list ------------------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    console = get_console()
    return render_template("index.html", rows=console.summary(), template_notices=console.template_notices(),
                           deleted=request.args.get("deleted", ""))


@bp.get("/index.json")
def index_json() -> Response:
    console = get_console()
    return jsonify({
        "functions": [
            {**function_json(row.function), "last_result": row.last_status, "last_result_at": row.last_at,
             "last_test_run": last_run_json(row.last_test)}
            for row in console.summary()
        ],
        "template_notices": [{"template": notice.template, "logical_id": notice.logical_id, "reason": notice.reason,
                              "runs": notice.runs} for notice in console.template_notices()],
    })


# -- creating a function ----------------------------------------------------------------------------------------


def _new_context(form: dict[str, str], errors: dict[str, str], package_sha: str = "") -> dict:
    """The create form's state: the values typed (never lost on a refusal), the chosen package and its handlers."""
    console = get_console()
    discovery = None
    if package_sha:
        try:
            discovery = console.discover_handlers(package_sha)
        except PackageNotFound:
            package_sha = ""
    return {
        "form": form,
        "errors": errors,
        "packages": console.list_packages(),
        "package_sha": package_sha,
        "discovery": discovery,
    }


@bp.get("/functions/new")
def new_function() -> str:
    form = {"timeout": "3", "memory": "128", "ephemeral_storage": "512"}
    return render_template("function_new.html", **_new_context(form, {}, request.args.get("package", "")))


@bp.get("/functions/new/package")
def choose_stored_package() -> tuple[str, int]:
    """The package field with a stored package chosen, offering its handlers (htmx, on choosing)."""
    form = {"timeout": "3", "memory": "128", "ephemeral_storage": "512"}
    return render("function_new.html", "_package_field.html", **_new_context(form, {}, request.args.get("package", "")))


@bp.post("/functions/new/package")
def new_function_package() -> tuple[str, int]:
    """The package field alone: a zip uploaded as soon as it is chosen, answered with its handlers (htmx)."""
    upload = request.files.get("package_file")
    form = {"timeout": "3", "memory": "128", "ephemeral_storage": "512"}
    if upload is None or not upload.filename:
        return render("function_new.html", "_package_field.html", 422,
                      **_new_context(form, {"package": "Choose a .zip file to upload."}))
    try:
        package = get_console().upload_package(upload.stream, upload.filename)
    except PackageError as exc:
        return render("function_new.html", "_package_field.html", 422,
                      **_new_context(form, {"package": forms.package_refusal(exc, (upload.filename if upload else None) or "")}))
    return render("function_new.html", "_package_field.html", **_new_context(form, {}, package.sha256))


@bp.post("/functions/new")
def create_function() -> BaseResponse | tuple[str, int]:
    console = get_console()
    form = {key: request.form.get(key, "") for key in
            ("name", "handler", "timeout", "memory", "ephemeral_storage", "environment", "description", "package",
             "code_folder")}
    if form["code_folder"].strip():
        return create_folder_function(form)
    package_sha = form["package"]
    upload = request.files.get("package_file")
    try:
        if upload is not None and upload.filename:
            package_sha = console.upload_package(upload.stream, upload.filename).sha256
        if not package_sha:
            raise FunctionError("Choose a package: upload a .zip of your code, or pick a stored package.", "package")
        try:
            discovery = console.discover_handlers(package_sha)
        except PackageNotFound:
            raise FunctionError("That stored package is gone (it was deleted): upload the .zip again.",
                                "package") from None
        settings = forms.function_settings(form)
        handler = str(settings.pop("handler"))
        if not handler:
            hint = f" Found in the package: {', '.join(discovery.handlers[:3])}." if discovery.handlers else ""
            raise FunctionError(f"Give the handler as file.function (like hello_python.my_handler).{hint}", "handler")
        if warning := console.zipped_folder_warning(package_sha, handler):
            raise FunctionError(warning, "package")
        function = console.create_function(form["name"].strip(), package_sha, handler, **settings)
    except PackageError as exc:
        return render_template("function_new.html", **_new_context(form, {"package": forms.package_refusal(exc, (upload.filename if upload else None) or "")}, "")), 422
    except FunctionError as exc:
        return render_template(
            "function_new.html", **_new_context(form, {exc.field or "form": str(exc)}, package_sha)
        ), 422
    return redirect(url_for("web.function_page", name=function.name), 303)


@bp.get("/functions/new/folder")
def choose_folder() -> tuple[str, int]:
    """The folder field with a folder typed, offering the handlers found in its files (htmx, on a change)."""
    form = {"code_folder": request.args.get("code_folder", "")}
    try:
        handlers = get_console().discover_folder_handlers(form["code_folder"]).handlers
    except FunctionError as exc:
        return render_template("_folder_field.html", form=form, errors={"code_folder": str(exc)}), 422
    return render_template("_folder_field.html", form=form, errors={}, folder_handlers=handlers), 200


def create_folder_function(form: dict[str, str]) -> BaseResponse | tuple[str, int]:
    """Create function → From a folder: the function runs from the folder named, watched and reloaded on save."""
    console = get_console()
    try:
        settings = forms.function_settings(form)
        handler = str(settings.pop("handler"))
        if not handler:
            found = console.discover_folder_handlers(form["code_folder"]).handlers
            hint = f" Found in the folder: {', '.join(found[:3])}." if found else ""
            raise FunctionError(f"Give the handler as file.function (like app.handler).{hint}", "handler")
        function = console.create_folder_function(form["name"].strip(), form["code_folder"], handler, **settings)
    except FunctionError as exc:
        field = "code_folder" if exc.field == "code" else exc.field or "form"
        return render_template("function_new.html", **_new_context(form, {field: str(exc)})), 422
    return redirect(url_for("web.function_page", name=function.name), 303)


# -- a function's page ------------------------------------------------------------------------------------------


@bp.get("/functions/<name>")
def function_page(name: str) -> tuple[str, int]:
    context = test_tab_context(name, request.args)
    return render("function.html", "_function_body.html", **context)


@bp.get("/functions/<name>.json")
def function_page_json(name: str) -> Response:
    console = get_console()
    function = console.get_function(name)
    last = console.last_invocation(name)
    expected = console.list_expectations(name)
    return jsonify({
        **function_json(function),
        "versions": [v.version for v in console.list_versions(name)],
        "events": [{"name": e.name, "event": e.body, "expected": expected_json(expected.get(e.name))}
                   for e in console.list_events(name)],
        "last_invocation": record_json(last) if last else None,
        "last_test_run": last_run_json(console.last_test_runs().get(name)),
        "function_url": next(({"url": url.url(console.api_port), "auth_type": url.auth_type, "cors": url.cors}
                              for url in console.list_function_urls(name)), None),
        "api_routes": [{"kind": route.kind, "method": route.method, "path": route.path,
                        "payload_version": route.payload_version} for route in console.api_routes(name)],
    })


def configuration_context(name: str, errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
                          message: str = "", folder_form: str | None = None, warning: str | None = None,
                          head_swap: bool = False) -> dict:
    console = get_console()
    function = console.get_function(name)
    values = form or {
        "handler": function.handler,
        "timeout": str(function.timeout),
        "memory": str(function.memory),
        "ephemeral_storage": str(function.ephemeral_storage),
        "environment": forms.environment_text(function.environment),
        "description": function.description,
    }
    try:
        handlers = console.function_handlers(function)
    except (PackageNotFound, FunctionError):  # a deleted package, a folder that is gone
        handlers = ()
    return {
        "tab": "configuration",
        "function": function,
        "form": values,
        "errors": errors or {},
        "message": message,
        "handlers": handlers,
        "package": None if function.code_folder else console.get_package(function.package_sha256),
        "versions": console.list_versions(name)[1:],
        "aliases": console.list_aliases(name),
        **_credentials_context(console, function),
        "layer_versions": console.all_layer_versions(),  # the Layers section offers them
        **runtime_context(function),
        "folder_form": function.code_folder if folder_form is None else folder_form,
        "function_url": next(iter(console.function_urls.for_function(name)), None),
        "api_port": console.api_port,
        "warning": warning,  # said beside the message: saved, but probably not what was meant
        "head_swap": head_swap,  # the fragment also brings the page's header up to date (an out-of-band swap)
        "api_routes": console.api_routes(name),
        "api_base": f"http://127.0.0.1:{console.api_port}" if console.api_port else "",
    }


def _credentials_context(console: Console, function: FunctionConfig) -> dict:
    """Whose AWS credentials the function's handler gets, or why it gets none."""
    try:
        return {"credentials": console.handed_credentials(function), "credentials_error": ""}
    except CredentialsError as exc:
        return {"credentials": None, "credentials_error": str(exc)}


def runtime_context(function: FunctionConfig) -> dict:
    """What the Configuration tab's Runtime section shows: the interpreter that runs the function, and why it is not
    the runtime's own when it is not."""
    console = get_console()
    choice = console.interpreter_for(function)
    return {"interpreter": choice, "missing_libraries": console.missing_runtime_libraries(choice)}


@bp.get("/functions/<name>/configuration")
def configuration(name: str) -> tuple[str, int]:
    return render("function.html", "_function_body.html", **configuration_context(name))


@bp.post("/functions/<name>/configuration")
def save_configuration(name: str) -> tuple[str, int]:
    fields = ("handler", "timeout", "memory", "ephemeral_storage", "environment", "description")
    form = {key: request.form.get(key, "") for key in fields}
    console = get_console()
    errors: dict[str, str] = {}
    settings = forms.function_settings(form, errors)
    try:
        if errors:  # a field that could not be read: every other refusal is listed all the same, nothing is saved
            console.check_function_configuration(**settings)
        else:
            function = console.update_function_configuration(name, **settings)
    except FunctionErrors as exc:
        errors.update(exc.errors)
    except FunctionError as exc:
        errors[exc.field or "form"] = str(exc)
    if errors:
        return render("function.html", "_function_body.html", 422, **configuration_context(name, errors, form))
    return render("function.html", "_function_body.html", **configuration_context(
        name, message="Configuration saved. The next test runs with it.", warning=console.handler_warning(function),
        head_swap=is_fragment_request()))


@bp.post("/functions/<name>/code")
def upload_code(name: str) -> tuple[str, int]:
    console = get_console()
    console.get_function(name)
    upload = request.files.get("package_file")
    try:
        if upload is None or not upload.filename:
            raise PackageError("no file was chosen", "Choose the new .zip of the function's code, then Upload.")
        package = console.upload_package(upload.stream, upload.filename)
        if warning := console.zipped_folder_warning(package.sha256):
            problem = f"{warning} The function keeps its current code."
            return render("function.html", "_function_body.html", 422, **configuration_context(name, {"code": problem}))
        console.update_function_code(name, package.sha256)
    except PackageError as exc:
        return render("function.html", "_function_body.html", 422, **configuration_context(name, {"code": forms.package_refusal(exc, (upload.filename if upload else None) or "")}))
    return render("function.html", "_function_body.html", **configuration_context(
        name, message=f"New code uploaded ({package.filename or 'zip'}, SHA-256 {package.code_sha256}). "
                      "The next test runs it: warm environments were retired."))


@bp.post("/functions/<name>/code-folder")
def change_code_folder(name: str) -> tuple[str, int]:
    """The function's code becomes a folder on this machine (watched, reloaded on save)."""
    folder = request.form.get("code_folder", "")
    try:
        get_console().update_function_code_folder(name, folder)
    except FunctionError as exc:
        return render("function.html", "_function_body.html", 422,
                      **configuration_context(name, {"code_folder": str(exc)}, folder_form=folder))
    return render("function.html", "_function_body.html", **configuration_context(
        name, message="The function now runs from the folder: a saved file reloads it."))


@bp.post("/functions/<name>/versions")
def publish_version(name: str) -> tuple[str, int]:
    description = request.form.get("version_description", "").strip() or None
    try:
        version = get_console().publish_version(name, description)
    except FunctionError as exc:
        return render("function.html", "_function_body.html", 422,
                      **configuration_context(name, {"version": str(exc)}))
    return render("function.html", "_function_body.html",
                  **configuration_context(name, message=f"Version {version.version} is published."))
