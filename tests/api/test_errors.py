"""Errors as botocore reads them: Lambda's codes, HTTP statuses and messages, never an HTML page or a retried 5xx."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import urllib.parse
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ACCOUNT, ECHO_ZIP, REGION, ROLE, boto3_client, unique, zip_bytes
from tests.conftest import LiveServer


def error_of(call, *args, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def raw(url: str, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, dict, bytes]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


# -- not found, conflict ------------------------------------------------------------------------------------------


def test_a_missing_function_is_404_with_its_arn(lam) -> None:
    assert error_of(lam.get_function, FunctionName="nope") == (
        "ResourceNotFoundException", 404, f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope")
    for call in (lam.get_function_configuration, lam.delete_function, lam.publish_version,
                 lam.list_versions_by_function, lam.invoke):
        assert error_of(call, FunctionName="nope")[:2] == ("ResourceNotFoundException", 404)
    assert error_of(lam.update_function_code, FunctionName="nope", ZipFile=ECHO_ZIP)[1] == 404
    assert error_of(lam.update_function_configuration, FunctionName="nope", Timeout=4)[1] == 404
    with pytest.raises(lam.exceptions.ResourceNotFoundException):  # the modelled exception class, too
        lam.invoke(FunctionName="nope")


def test_a_missing_version_or_alias_is_404_with_the_qualified_arn(lam, create) -> None:
    name = create()["FunctionName"]
    for qualifier in ("7", "prod"):
        assert error_of(lam.invoke, FunctionName=name, Qualifier=qualifier) == (
            "ResourceNotFoundException", 404,
            f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{qualifier}")


def test_creating_an_existing_function_is_409(lam, create) -> None:
    name = create()["FunctionName"]
    assert error_of(create, FunctionName=name) == ("ResourceConflictException", 409, f"Function already exist: {name}")
    assert error_of(create, FunctionName="hello_python")[:2] == ("ResourceConflictException", 409)


# -- invalid parameters --------------------------------------------------------------------------------------------


INVALID, CONSTRAINT = "InvalidParameterValueException", "ValidationException"


@pytest.mark.parametrize(
    ("fields", "expected", "says"),
    [
        ({"FunctionName": "bad name!"}, CONSTRAINT, "at 'functionName' failed to satisfy constraint"),
        ({"FunctionName": "a" * 65}, CONSTRAINT, "Member must have length less than or equal to 64"),
        ({"Runtime": "python2.7"}, INVALID, "Runtime 'python2.7' is not a Python runtime of Lambda"),
        ({"Runtime": "nodejs20.x"}, INVALID, "Runtime 'nodejs20.x' is not a Python runtime of Lambda"),
        ({"Role": "lambda_basic_execution"}, CONSTRAINT,
         ("1 validation error detected: Value 'lambda_basic_execution' at 'role' failed to satisfy constraint: Member "
          r"must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")),
        ({"Role": "arn:aws:iam::account-id:role/x"}, CONSTRAINT, "at 'role' failed to satisfy constraint"),
        ({"Timeout": 901}, CONSTRAINT,
         "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"),
        ({"MemorySize": 20000}, CONSTRAINT,
         "Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to"),
        ({"Handler": "has space.handler"}, CONSTRAINT,
         (r"Value 'has space.handler' at 'handler' failed to satisfy constraint: Member must satisfy regular expression "
         r"pattern: [^\s]+")),
        ({"Environment": {"Variables": {"A": "x"}}}, CONSTRAINT,
         ("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must "
          "satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")),
        ({"Environment": {"Variables": {"AWS_REGION": "x"}}}, INVALID, "AWS_REGION"),
        ({"Code": {"ZipFile": b"this is not a zip"}}, INVALID,
         "Could not unzip uploaded file (Code.ZipFile): Not a zip file."),
        ({"Code": {"ZipFile": zip_bytes({"../escape.py": "x = 1"})}}, INVALID, "../escape.py"),
    ],
)
def test_invalid_parameters_are_400_saying_which(lam, fields: dict, expected: str, says: str) -> None:
    request = {"FunctionName": unique("bad"), "Role": ROLE, "Handler": "echo.handler", "Runtime": "python3.12",
               "Code": {"ZipFile": ECHO_ZIP}, **fields}
    code, status, message = error_of(lam.create_function, **request)
    assert (code, status) == (expected, 400)
    assert says in message
    # Nothing was created.
    if "FunctionName" not in fields:
        assert error_of(lam.get_function, FunctionName=request["FunctionName"])[1] == 404


def test_a_zip_refused_by_the_package_checks_says_why(lam) -> None:
    code, status, message = error_of(
        lam.create_function, FunctionName=unique("zip"), Role=ROLE, Handler="a.b", Runtime="python3.12",
        Code={"ZipFile": b"PK\x03\x04 truncated"})
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "zip" in message.lower() and len(message) > 30


def test_invalid_update_values_are_400(lam, create) -> None:
    name = create()["FunctionName"]
    assert error_of(lam.update_function_configuration, FunctionName=name, Timeout=1000)[:2] == (
        "ValidationException", 400)
    assert error_of(lam.update_function_configuration, FunctionName=name, Role="nope")[:2] == (
        "ValidationException", 400)
    assert error_of(lam.update_function_configuration, FunctionName=name, Handler="a b")[:2] == (
        "ValidationException", 400)
    assert error_of(lam.update_function_configuration, FunctionName=name,
                    Environment={"Variables": {"A": "1"}})[:2] == ("ValidationException", 400)
    assert error_of(lam.update_function_code, FunctionName=name, ZipFile=b"nope")[:2] == (
        "InvalidParameterValueException", 400)
    assert lam.get_function_configuration(FunctionName=name)["Timeout"] == 3


def test_a_name_qualifier_that_contradicts_qualifier_is_400(lam, create) -> None:
    name = create()["FunctionName"]
    assert error_of(lam.invoke, FunctionName=f"{name}:1", Qualifier="2") == (
        "InvalidParameterValueException", 400,
        "The derived qualifier from the function name does not match the specified qualifier.")


def test_deleting_latest_alone_is_refused_with_a_reason(lam, create) -> None:
    name = create(Publish=True)["FunctionName"]
    assert error_of(lam.delete_function, FunctionName=name, Qualifier="$LATEST") == (
        "InvalidParameterValueException", 400, "$LATEST version cannot be deleted without deleting the function.")
    assert lam.get_function(FunctionName=name, Qualifier="1")["Configuration"]["Version"] == "1"


def test_invalid_client_context_and_invocation_type_are_400(api_server, lam) -> None:
    code, status, message = error_of(lam.invoke, FunctionName="hello_python", ClientContext="not base64!")
    assert (code, status, message) == (
        "InvalidParameterValueException", 400, "Client context must be a valid Base64-encoded JSON object.")
    code, status, message = error_of(lam.invoke, FunctionName="hello_python", InvocationType="Sometimes")
    assert (code, status) == ("ValidationException", 400)
    assert message == ("1 validation error detected: Value 'Sometimes' at 'invocationType' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [RequestResponse, Event, DryRun]")


# -- request content and size ----------------------------------------------------------------------------------------


def test_a_payload_that_is_not_json_is_invalid_request_content(lam) -> None:
    code, status, message = error_of(lam.invoke, FunctionName="hello_python", Payload=b"{not json")
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json: Could not parse payload into json: ")


def test_a_control_plane_body_that_is_not_json_is_invalid_request_content(api_server) -> None:
    status, headers, body = raw(api_server.url, "POST", "/2015-03-31/functions", b'{"FunctionName": ')
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidRequestContentException")
    assert json.loads(body)["message"].startswith("Could not parse request body into json: ")


def test_a_synchronous_payload_over_6_mb_is_413(lam) -> None:
    payload = b'"' + b"a" * 6_291_455 + b'"'  # 6291457 bytes
    assert error_of(lam.invoke, FunctionName="hello_python", Payload=payload) == (
        "RequestEntityTooLargeException", 413,
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation")


def test_an_event_payload_over_256_kb_is_413(lam) -> None:
    payload = b'"' + b"a" * 262_143 + b'"'  # 262145 bytes
    assert error_of(lam.invoke, FunctionName="hello_python", InvocationType="Event", Payload=payload) == (
        "RequestEntityTooLargeException", 413,
        "262145 byte payload is too large for the Event invocation type (limit 262144 bytes)")


# -- the wire format -----------------------------------------------------------------------------------------------


def test_errors_have_lambdas_wire_format(api_server) -> None:
    status, headers, body = raw(api_server.url, "GET", "/2015-03-31/functions/nope")
    assert status == 404
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert headers["x-amzn-requestid"]
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "__type": "ResourceNotFoundException", "Type": "User",
        "message": f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:nope"}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/2015-03-31/functions/hello_python/policy"),
    ("GET", "/2015-03-31/"),
    ("PATCH", "/2015-03-31/functions/hello_python"),
    ("GET", "/2015-03-31/functions/hello_python/invocations"),
    ("PUT", "/2015-03-31/functions/hello_python/concurrency"),
    ("GET", "/2015-03-31/functions/a%20b"),
])
def test_no_api_path_answers_with_html_or_a_5xx(api_server, method: str, path: str) -> None:
    status, headers, body = raw(api_server.url, method, path)
    assert 400 <= status < 500
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["__type"] == headers["x-amzn-errortype"]


# -- throttling ----------------------------------------------------------------------------------------------------

GATE = '''
import os, time

def handler(event, context):
    open(event["started"], "w").close()
    while not os.path.exists(event["gate"]):
        time.sleep(0.01)
    return "passed"
'''


def test_too_many_requests_is_429_only_when_the_engine_and_its_queue_are_full(tmp_path: Path) -> None:
    # Unsandboxed: the handler and the test meet through files in the test's folder.
    server = LiveServer(tmp_path / "data", env={"LAMBDA_CONSOLE_MAX_ENVIRONMENTS": "1", "LAMBDA_CONSOLE_MAX_QUEUE": "1",
                                                "LAMBDA_CONSOLE_SANDBOX": "off"})
    gate, started = tmp_path / "gate", tmp_path / "started"
    try:
        lam = boto3_client(server.url)
        lam.create_function(FunctionName="gate", Role=ROLE, Handler="gate.handler", Runtime="python3.12",
                            Code={"ZipFile": zip_bytes({"gate.py": GATE})}, Timeout=120)
        event = json.dumps({"started": str(started), "gate": str(gate)}).encode()
        outcomes: dict[str, object] = {}

        def call(key: str) -> None:
            try:
                outcomes[key] = lam.invoke(FunctionName="gate", Payload=event)["Payload"].read()
            except ClientError as error:
                outcomes[key] = error.response

        first = threading.Thread(target=call, args=("first",))
        first.start()
        while not started.exists():  # the one environment is now busy
            first.join(0.01)
        # One queue place for two callers: whichever comes second is throttled, at once.
        others = [threading.Thread(target=call, args=(key,)) for key in ("second", "third")]
        for thread in others:
            thread.start()
        while "second" not in outcomes and "third" not in outcomes:
            others[0].join(0.01)
        gate.touch()
        for thread in (first, *others):
            thread.join(60)
        assert outcomes["first"] == b'"passed"'
        throttled = [o for o in (outcomes["second"], outcomes["third"]) if isinstance(o, dict)]
        assert len(throttled) == 1
        error = throttled[0]
        assert error["Error"]["Code"] == "TooManyRequestsException"
        assert error["Error"]["Message"] == "Rate Exceeded."
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["ResponseMetadata"]["HTTPHeaders"]["retry-after"]
        assert b'"passed"' in (outcomes["second"], outcomes["third"])
        # Free again: no throttle.
        assert lam.invoke(FunctionName="gate", Payload=event)["Payload"].read() == b'"passed"'
    finally:
        gate.touch()
        if "lam" in locals():
            lam.close()
        server.stop()


def test_the_log_result_is_base64(lam) -> None:
    # The Tail header must be plain base64 (botocore hands it over undecoded).
    answer = lam.invoke(FunctionName="hello_python", LogType="Tail")
    assert base64.b64decode(answer["LogResult"], validate=True)


def test_operations_on_latest_refuse_a_qualified_name(lam, create) -> None:
    name = create(Publish=True)["FunctionName"]
    code, status, message = error_of(lam.update_function_configuration, FunctionName=f"{name}:1", Timeout=5)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == f"{name}:1 has the qualifier '1', which this operation does not take: name the function without it."
    assert lam.get_function_configuration(FunctionName=name)["Timeout"] == 3


def test_list_max_items_out_of_range_is_a_validation_error(api_server) -> None:
    """boto3 refuses MaxItems 0 itself; a client that sends it hears AWS's words."""
    status, headers, body = raw(api_server.url, "GET", "/2015-03-31/functions?MaxItems=0")
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert json.loads(body)["message"] == ("1 validation error detected: Value '0' at 'maxItems' failed to satisfy "
                                           "constraint: Member must have value greater than or equal to 1")
    status, headers, body = raw(api_server.url, "GET", "/2015-03-31/functions/hello_python/versions?MaxItems=10001")
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert "Member must have value less than or equal to 10000" in json.loads(body)["message"]


@pytest.mark.parametrize("operation", ["CreateFunction", "UpdateFunctionCode"])
def test_a_zip_over_50_mb_is_413_in_aws_words(lam, create, operation: str) -> None:
    package = b"\0" * 53_000_000  # 70.7 MB as base64 in the JSON body
    if operation == "CreateFunction":
        answer = error_of(create, package)
    else:
        answer = error_of(lam.update_function_code, FunctionName=create()["FunctionName"], ZipFile=package)
    assert answer == ("RequestEntityTooLargeException", 413,
                      f"Request must be smaller than 69905067 bytes for the {operation} operation")
