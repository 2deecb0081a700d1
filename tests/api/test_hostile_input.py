"""Valid but hostile input to the REST API: lone surrogates, control characters, deep nesting, huge qualifiers.
Each gets Lambda's answer or Lambda's error, never a console fault (ServiceException)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api.conftest import ROLE, zip_bytes

ECHO = zip_bytes({"app.py": "import os\n\ndef handler(event, context):\n    return {'event': event, 'env': os.environ.get('AB')}\n"})
HUGE = "99999999999999999999999"
ARN = "arn:aws:lambda:us-east-1:123456789012:function"


def create(client, name: str, **fields: object):
    body = {"FunctionName": name, "Role": ROLE, "Runtime": "python3.11", "Handler": "app.handler",
            "Code": {"ZipFile": base64.b64encode(ECHO).decode()}, **fields}
    return client.post("/2015-03-31/functions", data=json.dumps(body))


def error_of(answer) -> tuple[int, str, str]:
    body = answer.get_json()
    assert body["__type"] == answer.headers["x-amzn-ErrorType"]
    return answer.status_code, body["__type"], body["message"]


@pytest.mark.parametrize(("fields", "what"), [
    ({"Description": "half \udc80"}, "Description holds U+DC80"),
    ({"Handler": "app.\ud83d"}, "Handler holds U+D83D"),
    ({"Environment": {"Variables": {"AB": "\udc80"}}}, "Environment variable AB holds U+DC80"),
])
def test_a_lone_surrogate_in_a_setting_is_refused_naming_it(client, fields, what) -> None:
    status, code, message = error_of(create(client, "half_pair", **fields))
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(what) and "half of a surrogate pair" in message
    assert client.get("/2015-03-31/functions/half_pair").status_code == 404  # nothing was created


def test_control_characters_in_an_environment_value_reach_the_function(client) -> None:
    assert create(client, "controls", Environment={"Variables": {"AB": "line\r\nbreak\x1b"}}).status_code == 201
    answer = client.post("/2015-03-31/functions/controls/invocations", data=b"{}")
    assert answer.status_code == 200 and answer.get_json()["env"] == "line\r\nbreak\x1b"
    assert client.get("/functions/controls/configuration").status_code == 200


def test_a_lone_surrogate_in_an_event_is_passed_on_as_lambda_does(client) -> None:
    assert create(client, "echo311").status_code == 201
    answer = client.post("/2015-03-31/functions/echo311/invocations", data=b'{"a": "\\udc80"}')
    assert answer.status_code == 200 and "X-Amz-Function-Error" not in answer.headers
    assert answer.get_json()["event"] == {"a": "\udc80"}
    assert b"\\udc80" in answer.data  # python3.11's runtime escapes it


def test_deeply_nested_json_is_accepted_and_the_runtime_reports_it(client) -> None:
    assert create(client, "deep").status_code == 201
    answer = client.post("/2015-03-31/functions/deep/invocations", data=b"[" * 1000 + b"]" * 1000)
    assert answer.status_code == 200 and answer.headers["X-Amz-Function-Error"] == "Unhandled"
    assert answer.get_json()["errorType"] == "Runtime.UnmarshalError"
    refused = client.post("/2015-03-31/functions/deep/invocations", data=b"[" * 1000 + b"]" * 999)
    status, code, message = error_of(refused)
    assert (status, code) == (400, "InvalidRequestContentException")
    assert message.startswith("Could not parse request body into json: Could not parse payload into json:")


@pytest.mark.parametrize(("method", "path"), [
    ("POST", f"/2015-03-31/functions/hello_python/invocations?Qualifier={HUGE}"),
    ("GET", f"/2015-03-31/functions/hello_python?Qualifier={HUGE}"),
    ("GET", f"/2015-03-31/functions/hello_python:{HUGE}"),
    ("GET", f"/2015-03-31/functions/hello_python/configuration?Qualifier={HUGE}"),
])
def test_a_huge_qualifier_is_a_version_that_does_not_exist(client, method, path) -> None:
    assert error_of(client.open(path, method=method, data=b"{}")) == (
        404, "ResourceNotFoundException", f"Function not found: {ARN}:hello_python:{HUGE}")
