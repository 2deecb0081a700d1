"""The Layers page (layer versions: publishing one from a zip, deleting one) and the Layers section of a function's
Configuration tab (adding a stored layer version, removing one)."""

from __future__ import annotations

from typing import BinaryIO, cast

from flask import Response, jsonify, request

from console import get_console
from console.core.function_rules import RUNTIMES
from console.core.functions import FunctionError
from console.core.layers import LayerError, LayerVersion
from console.core.packages import PackageError
from console.web import bp
from console.web.forms import package_refusal
from console.web.functions import configuration_context
from console.web.rendering import render


def _context(**extra: object) -> dict:
    versions = get_console().all_layer_versions()
    layers: dict[str, list[LayerVersion]] = {}
    for version in versions:
        layers.setdefault(version.name, []).append(version)
    return {"layers": layers, "users": get_console().layer_users(), "runtimes": RUNTIMES, "errors": {}, "form": {},
            "message": "", **extra}


def layer_json(version: LayerVersion) -> dict:
    return {
        "name": version.name, "version": version.version, "arn": version.arn(), "layer_arn": version.layer_arn(),
        "description": version.description, "compatible_runtimes": list(version.compatible_runtimes),
        "compatible_architectures": list(version.compatible_architectures), "license_info": version.license_info,
        "code_sha256": version.code_sha256, "code_size": version.code_size, "unzipped_size": version.unzipped_size,
        "package_sha256": version.package_sha256, "created_at": version.created_at,
    }


@bp.get("/layers")
def layers() -> tuple[str, int]:
    return render("layers.html", "_layers.html", **_context())


@bp.get("/layers.json")
def layers_json() -> Response:
    users = get_console().layer_users()
    return jsonify({"layer_versions": [{**layer_json(version), "used_by": users.get((version.name, version.version), [])}
                                       for version in get_console().all_layer_versions()]})


@bp.post("/layers")
def publish_layer() -> tuple[str, int]:
    form = {key: request.form.get(key, "") for key in ("name", "description", "license_info")}
    runtimes = request.form.getlist("compatible_runtimes")
    upload = request.files.get("layer_file")
    try:
        if upload is None or not upload.filename:
            raise LayerError("Choose the layer's .zip (its files under python/) to upload.", "layer")
        version = get_console().publish_layer_version(
            form["name"].strip(), cast(BinaryIO, upload.stream), description=form["description"] or None,
            compatible_runtimes=runtimes or None, license_info=form["license_info"].strip() or None)
    except PackageError as exc:
        errors = {"layer": package_refusal(exc, (upload.filename if upload else "") or "")}
        return render("layers.html", "_layers.html", 422, **_context(errors=errors, form=form))
    except LayerError as exc:
        return render("layers.html", "_layers.html", 422, **_context(errors={exc.field or "form": str(exc)}, form=form))
    return render("layers.html", "_layers.html",
                  **_context(message=f"Published {version.name} version {version.version}."))


@bp.post("/layers/<name>/<int:version>/delete")
def delete_layer_version(name: str, version: int) -> tuple[str, int]:
    if not get_console().delete_layer_version(name, version):
        return render("layers.html", "_layers.html", 404,
                      **_context(errors={"list": f"{name} has no version {version}: it was deleted already."}))
    return render("layers.html", "_layers.html", **_context(
        message=f"Deleted {name} version {version}. Functions that use it keep it; the number is not given again."))


# -- a function's layers (its Configuration tab) --------------------------------------------------------------------


@bp.post("/functions/<name>/layers")
def add_function_layer(name: str) -> tuple[str, int]:
    arn = request.form.get("layer_arn", "")
    try:
        if not arn:
            raise FunctionError("Choose a layer version to add.", "layers")
        get_console().add_function_layer(name, arn)
    except FunctionError as exc:
        return render("function.html", "_function_body.html", 422, **configuration_context(name, {"layers": str(exc)}))
    return render("function.html", "_function_body.html", **configuration_context(
        name, message="Layer added. The next test runs with it."))


@bp.post("/functions/<name>/layers/<int:position>/up")
def move_function_layer_up(name: str, position: int) -> tuple[str, int]:
    try:
        get_console().move_function_layer_up(name, position)
    except FunctionError as exc:
        return render("function.html", "_function_body.html", 422, **configuration_context(name, {"layers": str(exc)}))
    return render("function.html", "_function_body.html", **configuration_context(
        name, message="Layer moved up. The next test runs with the new order."))


@bp.post("/functions/<name>/layers/<int:position>/remove")
def remove_function_layer(name: str, position: int) -> tuple[str, int]:
    try:
        get_console().remove_function_layer(name, position)
    except FunctionError as exc:
        return render("function.html", "_function_body.html", 422, **configuration_context(name, {"layers": str(exc)}))
    return render("function.html", "_function_body.html", **configuration_context(
        name, message="Layer removed. The next test runs without it."))
