"""InvokeWithResponseStream (`POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations`) for
functions whose runtime buffers its response, as Python's does on Lambda: the whole response comes as one
PayloadChunk event, then an InvokeComplete event, in AWS's event stream encoding. A failed invocation sends no chunk:
InvokeComplete carries its error type (ErrorCode) and its error payload as Lambda writes it (ErrorDetails)."""

from __future__ import annotations

import base64
import json
import uuid

from flask import Response, request

from console import get_console
from console.lambda_api import dated
from console.lambda_api.eventstream import event
from console.lambda_api.invoke import checked_request
from console.lambda_api.wire import ACCOUNT, LOG_TAIL_BYTES

STREAMING_INVOCATION_TYPES = ("RequestResponse", "DryRun")  # botocore's ResponseStreamingInvocationType


@dated.route("/2021-11-15/functions/<function_name>/response-streaming-invocations", methods=["POST"])
def invoke_with_response_stream(function_name: str) -> Response:
    checked = checked_request(function_name, STREAMING_INVOCATION_TYPES, "InvokeWithResponseStream")
    if checked.invocation_type == "DryRun":
        return Response(status=204)
    record = get_console().invoke(
        checked.function.name, checked.payload, version=checked.target.version, source="api",
        client_context=checked.client_context, region=checked.region, account=ACCOUNT, request_id=str(uuid.uuid4()),
        trace_header=request.headers.get("X-Amzn-Trace-Id"),
    )
    complete: dict[str, str] = {}
    chunks = []
    if record.succeeded:
        chunks.append(event("PayloadChunk", record.payload))
    else:
        complete["ErrorCode"] = record.error_type or "Unhandled"
        complete["ErrorDetails"] = record.payload.decode("utf-8", "replace")
    if checked.log_type == "Tail":
        complete["LogResult"] = base64.b64encode(record.log.encode()[-LOG_TAIL_BYTES:]).decode()
    chunks.append(event("InvokeComplete", json.dumps(complete).encode(), "application/json"))
    response = Response(b"".join(chunks), status=200, mimetype="application/vnd.amazon.eventstream")
    response.headers["x-amzn-RequestId"] = record.request_id
    response.headers["X-Amz-Executed-Version"] = record.version
    if record.not_kept:
        response.headers["X-Lambda-Console-Not-Kept"] = record.not_kept
    return response
