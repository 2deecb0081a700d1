"""InvokeWithResponseStream through boto3 (the AWS CLI v1 has no command for it: it leaves out operations whose output
is an event stream): the whole response of a Python function as one
PayloadChunk, then InvokeComplete, in AWS's event stream encoding as botocore parses it; errors and the log tail in
InvokeComplete."""

from __future__ import annotations

import base64
import json
import zlib

from botocore.eventstream import EventStreamBuffer

from tests.api.conftest import ECHO_ZIP, FAIL_ZIP
from tests.api.test_errors import error_of, raw


def events(answer: dict) -> list[dict]:
    return list(answer["EventStream"])


def test_a_python_response_arrives_as_one_chunk_then_completion(lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler", Publish=True)["FunctionName"]
    answer = lam.invoke_with_response_stream(FunctionName=name, Payload=b'{"n": 1}', Qualifier="1")
    assert answer["StatusCode"] == 200 and answer["ExecutedVersion"] == "1"
    received = events(answer)
    assert [list(item) for item in received] == [["PayloadChunk"], ["InvokeComplete"]]
    body = json.loads(received[0]["PayloadChunk"]["Payload"])
    assert body["event"] == {"n": 1} and body["version"] == "1"
    assert received[1]["InvokeComplete"] == {}


def test_a_failure_and_the_log_tail_come_in_invoke_complete(lam, create) -> None:
    name = create(FAIL_ZIP, "fail.handler")["FunctionName"]
    received = events(lam.invoke_with_response_stream(FunctionName=name, LogType="Tail", Payload=b"{}"))
    assert [list(item) for item in received] == [["InvokeComplete"]]
    complete = received[0]["InvokeComplete"]
    assert complete["ErrorCode"] == "RuntimeError"
    assert json.loads(complete["ErrorDetails"])["errorMessage"] == "always fails"
    log = base64.b64decode(complete["LogResult"]).decode()
    assert "failing on purpose" in log and "REPORT RequestId:" in log


def test_each_message_is_framed_and_checksummed_as_aws_documents(api_server, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    status, headers, body = raw(api_server.url, "POST",
                                f"/2021-11-15/functions/{name}/response-streaming-invocations", b'{"a": 2}')
    assert status == 200 and headers["content-type"] == "application/vnd.amazon.eventstream"
    # The prelude's and the message's CRC32, checked by hand, then by botocore's parser.
    total = int.from_bytes(body[:4], "big")
    assert int.from_bytes(body[8:12], "big") == zlib.crc32(body[:8])
    assert int.from_bytes(body[total - 4:total], "big") == zlib.crc32(body[:total - 4])
    buffer = EventStreamBuffer()
    buffer.add_data(body)
    messages = list(buffer)
    assert [m.headers[":event-type"] for m in messages] == ["PayloadChunk", "InvokeComplete"]
    assert all(m.headers[":message-type"] == "event" for m in messages)
    assert json.loads(messages[0].payload)["event"] == {"a": 2}


def test_errors_before_the_invocation_are_ordinary_lambda_errors(lam) -> None:
    assert error_of(lam.invoke_with_response_stream, FunctionName="no-such-function")[:2] == (
        "ResourceNotFoundException", 404)
    code, status, _ = error_of(lam.invoke_with_response_stream, FunctionName="hello_python", Payload=b"{not json")
    assert (code, status) == ("InvalidRequestContentException", 400)
    dry = lam.invoke_with_response_stream(FunctionName="hello_python", InvocationType="DryRun")
    assert dry["StatusCode"] == 204
