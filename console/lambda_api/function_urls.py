"""Function URL operations (API version 2021-10-31): CreateFunctionUrlConfig, GetFunctionUrlConfig,
UpdateFunctionUrlConfig, DeleteFunctionUrlConfig and ListFunctionUrlConfigs, in the shapes of botocore's Lambda
service model, over the Console. Errors in Lambda's format, as the 2015-03-31 operations answer them."""

from __future__ import annotations

from flask import Blueprint, Response, request

from console import get_console
from console.core.function_urls import FunctionUrl, FunctionUrlError, FunctionUrlExists, FunctionUrlNotFound
from console.lambda_api.wire import (
    ApiError,
    add_request_id,
    error_response,
    function_arn,
    handle_exception,
    invalid,
    json_body,
    json_response,
    parse_function_name,
    request_region,
)

bp = Blueprint("lambda_api_urls", __name__, url_prefix="/2021-10-31")
bp.after_request(add_request_id)


@bp.errorhandler(Exception)
def _error(exc: Exception) -> Response:
    if isinstance(exc, FunctionUrlExists):
        return error_response(ApiError("ResourceConflictException", 409, str(exc)))
    if isinstance(exc, FunctionUrlNotFound):
        return error_response(ApiError("ResourceNotFoundException", 404, "The resource you requested does not exist."))
    if isinstance(exc, FunctionUrlError):
        return error_response(invalid(str(exc)))
    return handle_exception(exc)


def _target(function_name: str) -> tuple[str, str | None]:
    target = parse_function_name(function_name, request.args.get("Qualifier") or None)
    return target.name, target.qualifier


def shape(url: FunctionUrl, *, created: bool = False) -> dict:
    """FunctionUrlConfig as Lambda returns it; Create's answer has no LastModifiedTime."""
    console = get_console()
    port = console.api_port
    if port is None:  # not served by this process: the port `serve` picks by default
        own = request.host.rsplit(":", 1)[-1] if not request.host.endswith("]") else ""
        port = int(own) + 1 if own.isdigit() else None
    body: dict = {"FunctionUrl": url.url(port), "FunctionArn": function_arn(url.function, url.qualifier or None),
                  "AuthType": url.auth_type}
    if url.cors is not None:
        body["Cors"] = url.cors
    body["CreationTime"] = url.created_at
    if not created:
        body["LastModifiedTime"] = url.last_modified
    body["InvokeMode"] = url.invoke_mode
    return body


def _settings(body: dict, *, required: bool) -> dict[str, object]:
    unknown = sorted(set(body) - {"AuthType", "Cors", "InvokeMode"})
    if unknown:
        raise invalid(f"Unknown field {unknown[0]}: a function URL takes AuthType, Cors and InvokeMode.")
    if required and "AuthType" not in body:
        raise invalid("AuthType is required: NONE (anyone who can reach the URL) or AWS_IAM (signed requests).")
    names = {"AuthType": "auth_type", "Cors": "cors", "InvokeMode": "invoke_mode"}
    return {names[key]: value for key, value in body.items()}


@bp.route("/functions/<function_name>/url", methods=["POST"])
def create_function_url_config(function_name: str) -> Response:
    name, qualifier = _target(function_name)
    settings = _settings(json_body(), required=True)
    url = get_console().create_function_url(name, qualifier, region=request_region(), **settings)
    return json_response(shape(url, created=True), 201)


@bp.route("/functions/<function_name>/url", methods=["GET"])
def get_function_url_config(function_name: str) -> Response:
    return json_response(shape(get_console().get_function_url(*_target(function_name))))


@bp.route("/functions/<function_name>/url", methods=["PUT"])
def update_function_url_config(function_name: str) -> Response:
    name, qualifier = _target(function_name)
    settings = _settings(json_body(), required=False)
    return json_response(shape(get_console().update_function_url(name, qualifier, **settings)))


@bp.route("/functions/<function_name>/url", methods=["DELETE"])
def delete_function_url_config(function_name: str) -> Response:
    get_console().delete_function_url(*_target(function_name))
    return Response(status=204)


@bp.route("/functions/<function_name>/urls", methods=["GET"])
def list_function_url_configs(function_name: str) -> Response:
    name, qualifier = _target(function_name)
    if qualifier:
        raise invalid("ListFunctionUrlConfigs takes a function name without a qualifier.")
    raw = request.args.get("MaxItems")
    if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= 50):
        raise invalid(f"MaxItems must be a number from 1 to 50, not {raw!r}.")
    urls = get_console().list_function_urls(name)[: int(raw) if raw else None]
    return json_response({"FunctionUrlConfigs": [shape(url) for url in urls]})


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def unknown_operation(rest: str) -> Response:
    raise ApiError("UnknownOperationException", 404,
                   f"lambda-console does not implement {request.method} /2021-10-31/{rest}. It implements the "
                   "function URL operations: CreateFunctionUrlConfig, GetFunctionUrlConfig, UpdateFunctionUrlConfig, "
                   "DeleteFunctionUrlConfig and ListFunctionUrlConfigs.")
