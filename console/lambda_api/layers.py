"""The layer operations, under `/2018-10-31/layers` as botocore's model places them: PublishLayerVersion,
GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions and DeleteLayerVersion."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from flask import Response, request

from console import get_console
from console.core.function_layers import LAYER_VERSION_ARN_PATTERN
from console.core.layers import (
    LAYER_ARN,
    MAX_LAYER_NAME,
    LayerError,
    LayerNotFound,
    LayerVersion,
    lambda_runtimes,
    layer_arn,
    layer_name,
    parse_version_arn,
    version_number,
)
from console.lambda_api import layers_bp
from console.lambda_api.functions import code_location
from console.lambda_api.wire import (
    ACCOUNT,
    ApiError,
    add_request_id,
    handle_exception,
    invalid,
    json_body,
    json_response,
    no_content,
    refused_zip,
    request_region,
    unsupported,
    validation,
    zip_file,
)

MAX_LAYER_ITEMS = 50  # botocore's MaxLayerListItems
LAYER_NAME_PATTERN = r"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
NOT_FOUND = "The resource you requested does not exist."  # Lambda's words for a layer version it does not have


@layers_bp.errorhandler(Exception)
def handle_layer_exception(exc: Exception) -> Response:
    """Lambda's errors, as for the function operations (console.lambda_api.wire), and the layers' own."""
    if isinstance(exc, LayerError):
        exc = invalid(str(exc))
    elif isinstance(exc, LayerNotFound):
        exc = ApiError("ResourceNotFoundException", 404, NOT_FOUND)
    return handle_exception(exc)


layers_bp.after_request(add_request_id)


# -- the request ----------------------------------------------------------------------------------------------------


def _name(raw: str) -> str:
    try:
        return layer_name(raw)
    except LayerError:
        if (match := LAYER_ARN.fullmatch(raw)) and match["account"] != ACCOUNT:
            raise invalid(f"{raw} names a layer of the account {match['account']}; lambda-console has one account, "
                          f"{ACCOUNT}: name the layer alone, or as arn:aws:lambda:<region>:{ACCOUNT}:layer:<name>."
                          ) from None
        if len(raw) > MAX_LAYER_NAME:
            raise validation(raw, "layerName", f"Member must have length less than or equal to {MAX_LAYER_NAME}") from None
        raise validation(raw, "layerName", f"Member must satisfy regular expression pattern: {LAYER_NAME_PATTERN}") from None


def _number(raw: str) -> int:
    number = version_number(raw)
    if number is None:
        raise validation(raw, "versionNumber", "Member must be a whole number of a published layer version")
    return number


def _filters() -> tuple[str | None, str | None]:
    """ListLayers' and ListLayerVersions' CompatibleRuntime and CompatibleArchitecture."""
    runtime = request.args.get("CompatibleRuntime")
    if runtime is not None and runtime not in lambda_runtimes():
        raise validation(runtime, "compatibleRuntime",
                         f"Member must satisfy enum value set: [{', '.join(lambda_runtimes())}]")
    architecture = request.args.get("CompatibleArchitecture")
    if architecture is not None and architecture not in ("x86_64", "arm64"):
        raise validation(architecture, "compatibleArchitecture", "Member must satisfy enum value set: [x86_64, arm64]")
    return runtime, architecture


def _page(items: list[LayerVersion], key: Callable[[LayerVersion], Any]) -> tuple[list[LayerVersion], str | None]:
    """One page after the request's Marker, at most MaxItems (1 to 50; 50 when not given). `items` are in the order
    of `key`, and a Marker is the key of the last item of its page, so a page starts in the right place even when
    items were deleted in between."""
    raw = request.args.get("MaxItems")
    limit = MAX_LAYER_ITEMS
    if raw is not None:
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not 1 <= int(raw) <= MAX_LAYER_ITEMS:
            raise validation(raw, "maxItems", f"Member must be a whole number from 1 to {MAX_LAYER_ITEMS}")
        limit = int(raw)
    marker = request.args.get("Marker")
    if marker:
        try:
            after = json.loads(base64.urlsafe_b64decode(marker.encode()).decode())
        except (binascii.Error, UnicodeDecodeError, ValueError):
            after = None
        if not items or type(after) is not type(key(items[0])):
            if items:
                raise invalid(f"Marker {marker!r} is not valid: pass the NextMarker of the previous page.")
        else:
            items = [item for item in items if key(item) > after]
    chunk = items[:limit]
    next_marker = base64.urlsafe_b64encode(json.dumps(key(chunk[-1])).encode()).decode() if len(items) > limit else None
    return chunk, next_marker


# -- shapes ---------------------------------------------------------------------------------------------------------


def list_item(version: LayerVersion) -> dict:
    """LayerVersionsListItem."""
    shape: dict = {
        "LayerVersionArn": version.arn(request_region(), ACCOUNT),
        "Version": version.version,
        "Description": version.description,
        "CreatedDate": version.created_at,
    }
    if version.compatible_runtimes:
        shape["CompatibleRuntimes"] = list(version.compatible_runtimes)
    if version.license_info is not None:
        shape["LicenseInfo"] = version.license_info
    if version.compatible_architectures:
        shape["CompatibleArchitectures"] = list(version.compatible_architectures)
    return shape


def layer_version(version: LayerVersion) -> dict:
    """GetLayerVersionResponse (and PublishLayerVersion's)."""
    return {
        "Content": {
            "Location": code_location(version.package_sha256),
            "CodeSha256": version.code_sha256,
            "CodeSize": version.code_size,
        },
        "LayerArn": version.layer_arn(request_region(), ACCOUNT),
        **list_item(version),
    }


# -- operations -----------------------------------------------------------------------------------------------------


@layers_bp.route("/layers/<layer>/versions", methods=["POST"])
def publish_layer_version(layer: str) -> Response:
    """PublishLayerVersion: the layer's next version from Content.ZipFile; 201."""
    name = _name(layer)
    body = json_body()
    content = body.get("Content")
    if not isinstance(content, dict):
        raise invalid("Content is required: give Content.ZipFile, the layer's .zip in base64.")
    if content.get("S3Bucket") or content.get("S3Key") or content.get("S3ObjectVersion"):
        raise invalid(
            "lambda-console has no S3 buckets: upload the layer's zip itself as Content.ZipFile "
            "(aws lambda publish-layer-version --layer-name NAME --zip-file fileb://layer.zip)."
        )
    data = zip_file(content.get("ZipFile"), "Content.ZipFile")
    fields = {
        "description": body.get("Description"),
        "compatible_runtimes": body.get("CompatibleRuntimes"),
        "compatible_architectures": body.get("CompatibleArchitectures"),
        "license_info": body.get("LicenseInfo"),
    }
    with refused_zip("Content.ZipFile"):
        version = get_console().publish_layer_version(name, data, **fields)
    return json_response(layer_version(version), 201)


@layers_bp.route("/layers/<layer>/versions/<number>", methods=["GET"])
def get_layer_version(layer: str, number: str) -> Response:
    return json_response(layer_version(get_console().get_layer_version(_name(layer), _number(number))))


@layers_bp.route("/layers", methods=["GET"])
@layers_bp.route("/layers/", methods=["GET"])
def list_layers() -> Response:
    """ListLayers, or GetLayerVersionByArn (`?find=LayerVersion&Arn=...`, the same path in botocore's model)."""
    find = request.args.get("find")
    if find is not None:
        if find != "LayerVersion":
            raise validation(find, "find", "Member must satisfy enum value set: [LayerVersion]")
        return _get_by_arn(request.args.get("Arn"))
    runtime, architecture = _filters()
    items, next_marker = _page(get_console().list_layers(runtime, architecture), lambda version: version.name)
    body: dict = {"Layers": [
        {"LayerName": item.name, "LayerArn": layer_arn(item.name, request_region(), ACCOUNT),
         "LatestMatchingVersion": list_item(item)}
        for item in items
    ]}
    if next_marker:
        body["NextMarker"] = next_marker
    return json_response(body)


def _get_by_arn(arn: str | None) -> Response:
    if not arn:
        raise invalid("Arn is required: the LayerVersionArn, arn:aws:lambda:<region>:<account>:layer:<name>:<version>.")
    parsed = parse_version_arn(arn)
    if parsed is None:
        raise validation(arn, "arn", f"Member must satisfy regular expression pattern: {LAYER_VERSION_ARN_PATTERN}")
    return json_response(layer_version(get_console().get_layer_version(*parsed)))


@layers_bp.route("/layers/<layer>/versions", methods=["GET"])
def list_layer_versions(layer: str) -> Response:
    """ListLayerVersions: newest first; a layer never published has none."""
    name = _name(layer)
    runtime, architecture = _filters()
    versions = get_console().list_layer_versions(name, runtime, architecture)
    items, next_marker = _page(versions, lambda version: -version.version)  # newest first
    body: dict = {"LayerVersions": [list_item(item) for item in items]}
    if next_marker:
        body["NextMarker"] = next_marker
    return json_response(body)


@layers_bp.route("/layers/<layer>/versions/<number>", methods=["DELETE"])
def delete_layer_version(layer: str, number: str) -> Response:
    """DeleteLayerVersion: 204, also for a version that does not exist (as Lambda answers)."""
    get_console().delete_layer_version(_name(layer), _number(number))
    return no_content()


@layers_bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
@layers_bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def unknown_layer_operation(rest: str) -> Response:
    """An operation under /2018-10-31 this console does not implement (layer permissions): Lambda's format."""
    raise unsupported()
