"""Invoke: RequestResponse, Event (in the background, retried) and DryRun, with Lambda's headers and limits."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass

from flask import Response, request

from console import get_console
from console.core.event_json import EventError
from console.core.functions import FunctionConfig
from console.core.limits import MAX_EVENT_REQUEST_BYTES, MAX_REQUEST_BYTES
from console.lambda_api import bp
from console.lambda_api.wire import (
    ACCOUNT,
    INVOCATION_TYPES,
    LOG_TAIL_BYTES,
    ApiError,
    Target,
    invalid,
    load_function,
    no_content,
    request_region,
    target_from_path,
    unsupported,
    validation,
)

# -- invoke ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvocationRequest:
    """An Invoke or InvokeWithResponseStream request, checked as Lambda checks it."""

    invocation_type: str
    log_type: str
    target: Target
    function: FunctionConfig
    payload: bytes
    client_context: str | None
    region: str


def checked_request(function_name: str, invocation_types: tuple[str, ...], operation: str) -> InvocationRequest:
    """The request's headers, function and payload, refused in Lambda's words where Lambda refuses them."""
    console = get_console()
    invocation_type = request.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    if invocation_type not in invocation_types:
        raise validation(
            invocation_type, "invocationType", f"Member must satisfy enum value set: [{', '.join(invocation_types)}]"
        )
    log_type = request.headers.get("X-Amz-Log-Type") or "None"
    if log_type not in ("None", "Tail"):
        raise validation(log_type, "logType", "Member must satisfy enum value set: [None, Tail]")
    target = target_from_path(function_name)
    function = load_function(target)
    payload = request.get_data(cache=False) or b"{}"
    if invocation_type == "Event" and len(payload) > MAX_EVENT_REQUEST_BYTES:
        raise ApiError(
            "RequestEntityTooLargeException", 413,
            f"{len(payload)} byte payload is too large for the Event invocation type (limit {MAX_EVENT_REQUEST_BYTES} "
            "bytes)",
        )
    if len(payload) > MAX_REQUEST_BYTES:
        raise ApiError(
            "RequestEntityTooLargeException", 413,
            f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the {operation} operation",
        )
    try:
        console.check_event(payload)  # the same rule as the Test tab and the command line: NaN is not JSON
    except EventError as exc:
        raise ApiError(
            "InvalidRequestContentException", 400,
            f"Could not parse request body into json: Could not parse payload into json: {exc}",
        ) from None
    return InvocationRequest(invocation_type, log_type, target, function, payload, _client_context(),
                             request_region())


@bp.route("/functions/<function_name>/invocations", methods=["POST"])
def invoke(function_name: str) -> Response:
    """Invoke: RequestResponse (200, the payload), Event (202, in the background with retries), DryRun (204)."""
    console = get_console()
    checked = checked_request(function_name, INVOCATION_TYPES, "InvokeFunction")
    invocation_type, log_type, target, function = (checked.invocation_type, checked.log_type, checked.target,
                                                    checked.function)
    payload, client_context, region = checked.payload, checked.client_context, checked.region
    if invocation_type == "DryRun":
        return no_content()
    if invocation_type == "Event":
        job = console.start_event_invocation(
            function.name, payload, version=target.version, client_context=client_context, region=region,
            account=ACCOUNT,
        )
        response = Response(status=202)
        response.headers["x-amzn-RequestId"] = job.request_id
        return response
    request_id = str(uuid.uuid4())
    record = console.invoke(
        # The qualifier as given: an alias with weights picks its version for this invocation.
        function.name, payload, version=target.version, source="api", client_context=client_context,
        region=region, account=ACCOUNT, request_id=request_id,
        trace_header=request.headers.get("X-Amzn-Trace-Id"),  # a caller's trace, which Lambda continues
    )
    response = Response(record.payload, status=200, mimetype="application/json")
    response.headers["x-amzn-RequestId"] = record.request_id
    response.headers["X-Amz-Executed-Version"] = record.version
    if not record.succeeded:
        response.headers["X-Amz-Function-Error"] = "Unhandled"
    if record.not_kept:
        # Lambda's response has no place for it: a header of the console's own, and the console's log, say so.
        response.headers["X-Lambda-Console-Not-Kept"] = record.not_kept
    if function.setting_notes:
        # What the console did not do of the function's settings (arm64 on x86_64, a VPC...): Lambda has no place for
        # it in the response, so a header of the console's own.
        response.headers["X-Lambda-Console-Warning"] = " ".join(function.setting_notes).encode(
            "ascii", "backslashreplace").decode()
    if log_type == "Tail":
        response.headers["X-Amz-Log-Result"] = base64.b64encode(record.log.encode()[-LOG_TAIL_BYTES:]).decode()
    return response


def _client_context() -> str | None:
    """X-Amz-Client-Context: base64 of a JSON object; the runtime receives the JSON itself."""
    raw = request.headers.get("X-Amz-Client-Context")
    if not raw:
        return None
    try:
        text = base64.b64decode(raw, validate=True).decode()
        value = json.loads(text)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise invalid("Client context must be a valid Base64-encoded JSON object.")
    return text


# -- anything else under /2015-03-31 (other date prefixes: console.lambda_api.dated) -----------------------------


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def unknown_operation(rest: str) -> Response:
    """An operation this console does not implement: a 4xx in Lambda's format (never an HTML page)."""
    raise unsupported()
