"""Asynchronous invocation settings under `/2019-09-25/functions/{FunctionName}/event-invoke-config`:
PutFunctionEventInvokeConfig, UpdateFunctionEventInvokeConfig, GetFunctionEventInvokeConfig,
DeleteFunctionEventInvokeConfig and ListFunctionEventInvokeConfigs, honoured by the Event queue."""

from __future__ import annotations

from flask import Response

from console import get_console
from console.core.event_invoke import EventInvokeConfig, EventInvokeConfigNotFound
from console.core.functions import LATEST
from console.lambda_api import dated
from console.lambda_api.wire import (
    ApiError,
    Target,
    function_arn,
    json_body,
    json_response,
    load_function,
    target_from_path,
)

PATH = "/2019-09-25/functions/<function_name>/event-invoke-config"
FIELDS = {"MaximumRetryAttempts": "retries", "MaximumEventAgeInSeconds": "max_age", "DestinationConfig": "destination"}


def _shape(config: EventInvokeConfig) -> dict:
    shape: dict = {"LastModified": config.last_modified, "FunctionArn": function_arn(config.function, config.qualifier)}
    if config.maximum_retry_attempts is not None:
        shape["MaximumRetryAttempts"] = config.maximum_retry_attempts
    if config.maximum_event_age is not None:
        shape["MaximumEventAgeInSeconds"] = config.maximum_event_age
    shape["DestinationConfig"] = config.destination
    return shape


def _target(function_name: str) -> Target:
    target = target_from_path(function_name)
    load_function(target)  # ResourceNotFoundException for a function, version or alias that does not exist
    return Target(target.name, target.qualifier or LATEST)


def _missing(target: Target) -> ApiError:
    return ApiError("ResourceNotFoundException", 404,
                    f"The function {function_arn(target.name, target.version)} doesn't have an EventInvokeConfig")


def _put(function_name: str, *, replace: bool) -> Response:
    target = _target(function_name)
    body = json_body()
    settings = {name: body[field] for field, name in FIELDS.items() if field in body}
    config = get_console().put_event_invoke_config(target.name, target.version, replace=replace, **settings)
    return json_response(_shape(config))


@dated.route(PATH, methods=["PUT"])
def put_function_event_invoke_config(function_name: str) -> Response:
    return _put(function_name, replace=True)


@dated.route(PATH, methods=["POST"])
def update_function_event_invoke_config(function_name: str) -> Response:
    target = _target(function_name)
    try:
        get_console().get_event_invoke_config(target.name, target.version)
    except EventInvokeConfigNotFound:
        raise _missing(target) from None
    return _put(function_name, replace=False)


@dated.route(PATH, methods=["GET"])
def get_function_event_invoke_config(function_name: str) -> Response:
    target = _target(function_name)
    try:
        return json_response(_shape(get_console().get_event_invoke_config(target.name, target.version)))
    except EventInvokeConfigNotFound:
        raise _missing(target) from None


@dated.route(PATH, methods=["DELETE"])
def delete_function_event_invoke_config(function_name: str) -> Response:
    target = _target(function_name)
    try:
        get_console().delete_event_invoke_config(target.name, target.version)
    except EventInvokeConfigNotFound:
        raise _missing(target) from None
    return Response(status=204)


@dated.route(f"{PATH}/list", methods=["GET"])
def list_function_event_invoke_configs(function_name: str) -> Response:
    target = target_from_path(function_name, qualifier_allowed=False)
    load_function(target)
    configs = get_console().list_event_invoke_configs(target.name)
    return json_response({"FunctionEventInvokeConfigs": [_shape(config) for config in configs]})
