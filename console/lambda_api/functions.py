"""The function operations: create, get, list, update code and configuration, delete, publish, list versions;
and the download of a stored zip (GetFunction's Code.Location)."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tempfile
from collections.abc import Iterable

from flask import Response, current_app, request, send_file, url_for

from console import get_console
from console.core.function_settings import SETTING_NAMES, check_settings
from console.core.functions import FunctionConfig, FunctionNotFound, check_name
from console.core.limits import MAX_MEMORY, MAX_TIMEOUT, MIN_MEMORY, MIN_TIMEOUT
from console.core.zipcheck import check_zip
from console.lambda_api import bp
from console.lambda_api.aliases import delete_version
from console.lambda_api.wire import (
    ApiError,
    check_revision,
    check_role,
    code_from,
    configuration,
    environment_from,
    ephemeral_storage_from,
    invalid,
    json_body,
    json_response,
    load_function,
    log,
    marker_key,
    no_content,
    page,
    parse_function_name,
    refuse_unsupported,
    refused_zip,
    settings_from,
    sort_key,
    target_from_path,
    validation,
)
from console.sigv4 import presigned_query

WARNING_HEADER = "X-Lambda-Console-Warning"


def warn_zipped_folder(response: Response, function: FunctionConfig) -> Response:
    """Lambda takes a zip of a folder without a word and fails at the first invocation. Its response shapes have no
    place for a warning: a header of the console's own, and the console's log, say what to do."""
    warning = get_console().zipped_folder_warning(function.package_sha256, function.handler)
    if warning:
        log.warning("%s: %s", function.name, warning)
        response.headers[WARNING_HEADER] = warning.encode("ascii", "backslashreplace").decode()
    return response


# -- operations ------------------------------------------------------------------------------------------------------


@bp.route("/functions", methods=["POST"])
@bp.route("/functions/", methods=["POST"])
def create_function() -> Response:
    """CreateFunction: 201 with the new function's configuration (version 1's when Publish is true)."""
    console = get_console()
    body = json_body()
    refuse_unsupported(body)
    if "FunctionName" not in body:
        raise invalid("FunctionName is required.")
    target = parse_function_name(body["FunctionName"])
    if target.qualifier:
        raise invalid(f"FunctionName {body['FunctionName']} has a qualifier: a new function is named without one.")
    check_name(target.name)
    if "Role" not in body:
        raise invalid("Role is required: the ARN of the function's execution role, arn:aws:iam::<account>:role/<name>.")
    role = check_role(body["Role"])
    settings = {
        "runtime": body.get("Runtime"),
        "timeout": body.get("Timeout", 3),
        "memory": body.get("MemorySize", 128),
        "ephemeral_storage": ephemeral_storage_from(body),
        "environment": environment_from(body),
        "description": body.get("Description", ""),
        "layers": body.get("Layers"),
        "settings": settings_from(body),
    }
    _check_limits({**settings, "handler": body.get("Handler")})
    data = code_from(body)
    with refused_zip("Code.ZipFile"):
        function = console.create_function(
            target.name, data, body.get("Handler"), role=role, publish=bool(body.get("Publish")),
            tags=body.get("Tags"), **settings
        )
    return warn_zipped_folder(json_response(configuration(function), 201), function)


def _check_limits(settings: dict) -> None:
    """Handler, Timeout and MemorySize outside the service model's constraints: ValidationException, in AWS's
    words (the console's own checks then say the rest)."""
    handler = settings.get("handler")
    if isinstance(handler, str) and len(handler) > 128:
        raise validation(handler, "handler", "Member must have length less than or equal to 128")
    if isinstance(handler, str) and handler and not re.fullmatch(r"[^\s]+", handler):
        raise validation(handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+")
    timeout, memory = settings.get("timeout"), settings.get("memory")
    for field, value, least, most in (("timeout", timeout, MIN_TIMEOUT, MAX_TIMEOUT),
                                      ("memorySize", memory, MIN_MEMORY, MAX_MEMORY)):
        if isinstance(value, int) and not isinstance(value, bool):
            if value > most:
                raise validation(value, field, f"Member must have value less than or equal to {most}")
            if value < least:
                raise validation(value, field, f"Member must have value greater than or equal to {least}")
    for field, value in (("Timeout", timeout), ("MemorySize", memory)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise invalid(f"{field} must be a whole number, not {value!r}.")


@bp.route("/functions", methods=["GET"])
@bp.route("/functions/", methods=["GET"])
def list_functions() -> Response:
    """ListFunctions: `Functions` by name, paged by Marker and MaxItems; `FunctionVersion=ALL` adds versions."""
    console = get_console()
    every_version = request.args.get("FunctionVersion")
    if every_version not in (None, "ALL"):
        raise validation(every_version, "functionVersion", "Member must satisfy enum value set: [ALL]")
    functions: Iterable[FunctionConfig] = console.list_functions()
    if every_version:
        functions = [version for function in functions for version in _versions(function.name)]
    items, next_marker = page(sorted(functions, key=sort_key), sort_key, marker_key)
    body: dict = {"Functions": [configuration(item, qualified=bool(every_version)) for item in items]}
    if next_marker:
        body["NextMarker"] = next_marker
    return json_response(body)


def _versions(name: str) -> list[FunctionConfig]:
    try:
        return get_console().list_versions(name)
    except FunctionNotFound:  # deleted meanwhile
        return []


@bp.route("/functions/<function_name>", methods=["GET"])
def get_function(function_name: str) -> Response:
    """GetFunction: the configuration, and where to download the code."""
    function = load_function(target_from_path(function_name))
    answer: dict = {
        "Configuration": configuration(function),
        "Code": {"RepositoryType": "S3", "Location": function_code_location(function)},
    }
    console = get_console()
    tags = console.function_tags(function.name)
    if tags:
        answer["Tags"] = tags
    reserved = console.reserved_concurrency(function.name)
    if reserved is not None:
        answer["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
    return json_response(answer)


def function_code_location(function: FunctionConfig) -> str:
    """Where a function's code downloads: its stored package, or its folder's files as the zip its CodeSha256
    describes (zipped when downloaded)."""
    if function.code_folder:
        return _signed(url_for("lambda_api.download_folder_code", function_name=function.name))
    return code_location(function.package_sha256)


def code_location(sha256: str) -> str:
    """Where a stored package's zip downloads (presigned when the console signs its API)."""
    return _signed(url_for("lambda_api.download_code", sha256=sha256))


def _signed(path: str) -> str:
    auth = current_app.config.get("AUTHENTICATION")
    signature = presigned_query(auth.credentials, path) if auth is not None else ""
    return request.host_url.rstrip("/") + path + signature


@bp.route("/functions/<function_name>/configuration", methods=["GET"])
def get_function_configuration(function_name: str) -> Response:
    return json_response(configuration(load_function(target_from_path(function_name))))


@bp.route("/code/<sha256>.zip", methods=["GET"])
def download_code(sha256: str) -> Response:
    """The stored deployment package, as uploaded (GetFunction's Code.Location)."""
    try:
        package = get_console().get_package(sha256)
    except (KeyError, ValueError):
        raise ApiError("ResourceNotFoundException", 404, f"No stored package has the SHA-256 {sha256}.") from None
    return send_file(package.zip_path, mimetype="application/zip", download_name=f"{sha256[:12]}.zip")


@bp.route("/code/folders/<function_name>.zip", methods=["GET"])
def download_folder_code(function_name: str) -> Response:
    """A folder function's code as a zip, as it is now (GetFunction's Code.Location for a folder function)."""
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - send_file closes it
    try:
        get_console().write_folder_zip(function_name, out)
    except FunctionNotFound:
        out.close()
        raise ApiError("ResourceNotFoundException", 404, f"No folder function is named {function_name}.") from None
    out.seek(0)
    return send_file(out, mimetype="application/zip", download_name=f"{function_name}.zip")


@bp.route("/functions/<function_name>/code", methods=["PUT"])
def update_function_code(function_name: str) -> Response:
    """UpdateFunctionCode: new code for $LATEST (hot reload); Publish, DryRun and RevisionId as Lambda has them."""
    console = get_console()
    target = target_from_path(function_name, qualifier_allowed=False)
    body = json_body()
    function = load_function(target)
    check_revision(function, body)
    data = code_from(body, field="ZipFile")
    architectures = settings_from(body, ("Architectures",))
    check_settings(architectures)  # refused before the code is stored
    if body.get("DryRun"):
        with refused_zip("ZipFile"):
            check_zip(io.BytesIO(data), max_unzipped_bytes=console.config.max_unzipped_bytes)
        shape = configuration(function)
        shape["CodeSha256"] = base64.b64encode(hashlib.sha256(data).digest()).decode()
        shape["CodeSize"] = len(data)
        return json_response(shape)
    with refused_zip("ZipFile"):
        function = console.update_function_code(target.name, data)
    if architectures:
        function = console.update_function_configuration(target.name, settings=architectures)
    if body.get("Publish"):
        function = console.publish_version(target.name)
    return warn_zipped_folder(json_response(configuration(function)), function)


@bp.route("/functions/<function_name>/configuration", methods=["PUT"])
def update_function_configuration(function_name: str) -> Response:
    """UpdateFunctionConfiguration: Role, Handler, Runtime, Timeout, MemorySize, EphemeralStorage, Environment,
    Description."""
    console = get_console()
    target = target_from_path(function_name, qualifier_allowed=False)
    body = json_body()
    function = load_function(target)
    check_revision(function, body)
    names = {"Handler": "handler", "Runtime": "runtime", "Timeout": "timeout", "MemorySize": "memory",
             "Description": "description"}
    changes = {setting: body[field] for field, setting in names.items() if field in body}
    if "Environment" in body:
        changes["environment"] = environment_from(body) or {}
    if (size := ephemeral_storage_from(body)) is not None:
        changes["ephemeral_storage"] = size
    if further := settings_from(body, tuple(name for name in SETTING_NAMES if name != "Architectures")):
        changes["settings"] = further
    _check_limits(changes)
    if "Role" in body:
        changes["role"] = check_role(body["Role"])
    if "Layers" in body:
        changes["layers"] = body["Layers"] if body["Layers"] is not None else []
    function = console.update_function_configuration(target.name, **changes)
    return json_response(configuration(function))


@bp.route("/functions/<function_name>", methods=["DELETE"])
def delete_function(function_name: str) -> Response:
    """DeleteFunction: the function with its versions, saved events and history; with a Qualifier, one version; 204."""
    console = get_console()
    target = target_from_path(function_name)
    if target.qualifier:
        load_function(parse_function_name(target.name))
        return delete_version(target.name, target.qualifier)
    load_function(target)
    console.delete_function(target.name)  # its role goes with its row
    return no_content()


@bp.route("/functions/<function_name>/versions", methods=["POST"])
def publish_version(function_name: str) -> Response:
    """PublishVersion: $LATEST as the next version (or the last one, when nothing changed); 201."""
    console = get_console()
    target = target_from_path(function_name, qualifier_allowed=False)
    body = json_body()
    function = load_function(target)
    check_revision(function, body)
    version = console.publish_version(target.name, body.get("Description"), code_sha256=body.get("CodeSha256"))
    return json_response(configuration(version), 201)


@bp.route("/functions/<function_name>/versions", methods=["GET"])
def list_versions(function_name: str) -> Response:
    """ListVersionsByFunction: $LATEST, then versions 1, 2, ..., with qualified ARNs; paged like ListFunctions."""
    target = target_from_path(function_name, qualifier_allowed=False)
    load_function(target)
    items, next_marker = page(_versions(target.name), sort_key, marker_key)
    body: dict = {"Versions": [configuration(item, qualified=True) for item in items]}
    if next_marker:
        body["NextMarker"] = next_marker
    return json_response(body)


