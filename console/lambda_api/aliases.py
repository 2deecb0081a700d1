"""The alias operations: CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases, in Lambda's shapes.

Invoke, GetFunction and the other operations that take a qualifier take an alias too (the Console resolves it, and an
Invoke through a weighted alias runs the version its weights pick: X-Amz-Executed-Version says which)."""

from __future__ import annotations

import base64
import binascii

from flask import Response, request

from console import get_console
from console.core.aliases import Alias, AliasNotFound
from console.core.functions import LATEST
from console.lambda_api import bp
from console.lambda_api.wire import (
    ApiError,
    function_arn,
    invalid,
    json_body,
    json_response,
    load_function,
    page,
    target_from_path,
)


def alias_configuration(alias: Alias) -> dict:
    body: dict = {
        "AliasArn": function_arn(alias.function, alias.name),
        "Name": alias.name,
        "FunctionVersion": alias.version,
        "Description": alias.description,
        "RevisionId": alias.revision_id,
    }
    if alias.weights:
        body["RoutingConfig"] = {"AdditionalVersionWeights": alias.weights}
    return body


def alias_not_found(function: str, name: str) -> ApiError:
    return ApiError("ResourceNotFoundException", 404, f"Cannot find alias arn: {function_arn(function, name)}")


def _function(function_name: str) -> str:
    return load_function(target_from_path(function_name, qualifier_allowed=False)).name


def _weights(body: dict) -> dict | None:
    routing = body.get("RoutingConfig")
    if routing is None:
        return None
    if not isinstance(routing, dict):
        raise invalid("RoutingConfig must be an object with AdditionalVersionWeights.")
    return routing.get("AdditionalVersionWeights") or {}


@bp.route("/functions/<function_name>/aliases", methods=["POST"])
def create_alias(function_name: str) -> Response:
    function = _function(function_name)
    body = json_body()
    if "Name" not in body or "FunctionVersion" not in body:
        raise invalid("Name and FunctionVersion are required: the alias's name and the version it points to.")
    alias = get_console().create_alias(function, body["Name"], body["FunctionVersion"], body.get("Description", ""),
                                       _weights(body))
    return json_response(alias_configuration(alias), 201)


@bp.route("/functions/<function_name>/aliases", methods=["GET"])
def list_aliases(function_name: str) -> Response:
    function = _function(function_name)
    version = request.args.get("FunctionVersion") or None
    aliases = get_console().list_aliases(function, version)
    items, next_marker = page(aliases, lambda alias: (alias.name,), _alias_marker)  # type: ignore[attr-defined]
    body: dict = {"Aliases": [alias_configuration(alias) for alias in items]}
    if next_marker:
        body["NextMarker"] = next_marker
    return json_response(body)


def _alias_marker(marker: str) -> tuple:
    try:
        return (base64.urlsafe_b64decode(marker.encode()).decode().rsplit(":", 1)[0],)
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(marker) from exc


@bp.route("/functions/<function_name>/aliases/<name>", methods=["GET"])
def get_alias(function_name: str, name: str) -> Response:
    function = _function(function_name)
    try:
        return json_response(alias_configuration(get_console().get_alias(function, name)))
    except AliasNotFound:
        raise alias_not_found(function, name) from None


@bp.route("/functions/<function_name>/aliases/<name>", methods=["PUT"])
def update_alias(function_name: str, name: str) -> Response:
    function = _function(function_name)
    body = json_body()
    try:
        alias = get_console().update_alias(
            function, name, version=body.get("FunctionVersion"), description=body.get("Description"),
            weights=_weights(body), revision_id=body.get("RevisionId"),
        )
    except AliasNotFound:
        raise alias_not_found(function, name) from None
    return json_response(alias_configuration(alias))


@bp.route("/functions/<function_name>/aliases/<name>", methods=["DELETE"])
def delete_alias(function_name: str, name: str) -> Response:
    get_console().delete_alias(_function(function_name), name)
    return Response(status=204)


def delete_version(name: str, qualifier: str) -> Response:
    """DeleteFunction with a Qualifier: that version only (refused while aliases point to it; a number that names no
    version is no error, as on Lambda)."""
    if qualifier == LATEST:
        raise invalid("$LATEST version cannot be deleted without deleting the function.")
    if not (qualifier.isascii() and qualifier.isdigit()):
        raise invalid(f"Qualifier {qualifier} is not a version number: DeleteFunction deletes versions, not aliases "
                      "(use DeleteAlias).")
    get_console().delete_version(name, qualifier)
    return Response(status=204)
