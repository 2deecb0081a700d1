"""Operations on a function's own settings under the API's later date prefixes: tags (TagResource, UntagResource,
ListTags), reserved concurrency (PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency), and the
account's settings (GetAccountSettings, with this console's real limits)."""

from __future__ import annotations

from flask import Response, request

from console import get_console
from console.core.functions import FunctionNotFound
from console.core.limits import MAX_UNZIPPED_BYTES
from console.lambda_api import dated
from console.lambda_api.wire import (
    invalid,
    json_body,
    json_response,
    load_function,
    no_content,
    not_found,
    parse_function_name,
    unqualified_function,
)

ARN_HELP = "a function's ARN, arn:aws:lambda:<region>:<account>:function:<name>"


def _tagged_function(arn: str) -> str:
    """The function a tag operation's Resource ARN names (tags belong to the function, not to a version)."""
    if not arn.startswith("arn:"):
        raise invalid(f"Resource {arn} is not an ARN: tag operations take {ARN_HELP}.")
    target = parse_function_name(arn, field="resource")
    if target.qualifier:
        raise invalid(f"Resource {arn} names a version or alias: tags belong to the function; use {ARN_HELP}.")
    load_function(target)
    return target.name


@dated.route("/2017-03-31/tags/<path:arn>", methods=["POST"])
def tag_resource(arn: str) -> Response:
    name = _tagged_function(arn)
    tags = json_body().get("Tags")
    if tags is None:
        raise invalid("Tags is required: an object of tag keys to values.")
    get_console().tag_function(name, tags)
    return no_content()


@dated.route("/2017-03-31/tags/<path:arn>", methods=["DELETE"])
def untag_resource(arn: str) -> Response:
    name = _tagged_function(arn)
    keys = request.args.getlist("tagKeys")
    if not keys:
        raise invalid("TagKeys is required: the keys of the tags to remove.")
    get_console().untag_function(name, keys)
    return no_content()


@dated.route("/2017-03-31/tags/<path:arn>", methods=["GET"])
def list_tags(arn: str) -> Response:
    return json_response({"Tags": get_console().function_tags(_tagged_function(arn))})


@dated.route("/2017-10-31/functions/<function_name>/concurrency", methods=["PUT"])
def put_function_concurrency(function_name: str) -> Response:
    name = unqualified_function(function_name)
    value = json_body().get("ReservedConcurrentExecutions")
    if value is None:
        raise invalid("ReservedConcurrentExecutions is required: a whole number from 0 (0 throttles every call).")
    try:
        reserved = get_console().reserve_concurrency(name, value)
    except FunctionNotFound:
        raise not_found(name) from None
    return json_response({"ReservedConcurrentExecutions": reserved})


@dated.route("/2019-09-30/functions/<function_name>/concurrency", methods=["GET"])
def get_function_concurrency(function_name: str) -> Response:
    reserved = get_console().reserved_concurrency(unqualified_function(function_name))
    return json_response({} if reserved is None else {"ReservedConcurrentExecutions": reserved})


@dated.route("/2017-10-31/functions/<function_name>/concurrency", methods=["DELETE"])
def delete_function_concurrency(function_name: str) -> Response:
    get_console().reserve_concurrency(unqualified_function(function_name), None)
    return no_content()


@dated.route("/2016-08-19/account-settings", methods=["GET"])
@dated.route("/2016-08-19/account-settings/", methods=["GET"])
def get_account_settings() -> Response:
    """The console's own limits in Lambda's shape: concurrent executions are the engine's environments."""
    console = get_console()
    config = console.config
    packages = console.list_packages()
    total = sum(package.size for package in packages)
    functions = console.list_functions()
    reserved = sum(
        value for function in functions if (value := console.reserved_concurrency(function.name)) is not None
    )
    return json_response({
        "AccountLimit": {
            "TotalCodeSize": 80 * 1024**3,
            "CodeSizeUnzipped": min(config.max_unzipped_bytes, MAX_UNZIPPED_BYTES),
            "CodeSizeZipped": config.max_zip_bytes,
            "ConcurrentExecutions": config.max_environments,
            "UnreservedConcurrentExecutions": max(0, config.max_environments - reserved),
        },
        "AccountUsage": {"TotalCodeSize": total, "FunctionCount": len(functions)},
    })
