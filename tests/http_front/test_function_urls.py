"""Function URLs end to end: the REST API's operations with real boto3, then plain HTTP to a live `serve`'s second
listener, answered as Lambda answers (events, inferred answers, 502s, 413, CORS, AWS_IAM), each request in the
function's history."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.http_front.conftest import fetch, history

ECHO = '''
import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
'''
PLAIN = '''
def handler(event, context):
    return {"greeting": "hello", "path": event["rawPath"]}
'''
GARBAGE = '''
def handler(event, context):
    return {"statusCode": "teapot", "body": ["not", "a", "string"]}
'''
FAILS = '''
def handler(event, context):
    raise RuntimeError("broken on purpose")
'''
SLOW = '''
import time

def handler(event, context):
    time.sleep(30)
'''


# -- the REST API ------------------------------------------------------------------------------------------------------


def test_function_url_operations_in_awss_shapes(lam, deploy, server: LiveServer) -> None:
    name, created = deploy({"plain.py": PLAIN}, "plain.handler")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(rf"http://[a-z0-9]{{32}}\.lambda-url\.us-east-1\.localhost:{server.api_port}/",
                        created["FunctionUrl"])
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert created["AuthType"] == "NONE" and created["InvokeMode"] == "BUFFERED"
    with pytest.raises(ClientError) as again:
        lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert again.value.response["Error"]["Code"] == "ResourceConflictException"

    got = lam.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == created["FunctionUrl"] and "LastModifiedTime" in got

    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET"], "MaxAge": 60}
    updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM", Cors=cors)
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"] == cors
    assert updated["FunctionUrl"] == created["FunctionUrl"]  # a URL never changes

    listed = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [item["FunctionUrl"] for item in listed] == [created["FunctionUrl"]]

    lam.delete_function_url_config(FunctionName=name)
    with pytest.raises(ClientError) as gone:
        lam.get_function_url_config(FunctionName=name)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert fetch(server, created["FunctionUrl"]).status == 404


def test_function_url_errors_are_lambdas(lam, deploy) -> None:
    with pytest.raises(ClientError) as missing:
        lam.create_function_url_config(FunctionName="no-such-function", AuthType="NONE")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    name, _ = deploy({"plain.py": PLAIN}, "plain.handler")
    with pytest.raises(ClientError) as bad:
        lam.update_function_url_config(FunctionName=name, AuthType="PASSWORD")
    assert bad.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "NONE or AWS_IAM" in bad.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as bad_cors:
        lam.update_function_url_config(FunctionName=name, Cors={"MaxAge": 100000})
    assert bad_cors.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_deleting_the_function_deletes_its_url(lam, deploy, server: LiveServer) -> None:
    name, created = deploy({"plain.py": PLAIN}, "plain.handler")
    lam.delete_function(FunctionName=name)
    assert fetch(server, created["FunctionUrl"]).status == 404


# -- requests --------------------------------------------------------------------------------------------------------


def test_a_request_reaches_the_handler_as_a_function_url_event(deploy, server: LiveServer) -> None:
    name, created = deploy({"echo.py": ECHO}, "echo.handler")
    answer = fetch(server, created["FunctionUrl"], "/items/42?tag=a&tag=b&q=x", method="POST", body=b'{"n": 1}',
                   headers={"Content-Type": "application/json", "Cookie": "session=abc; theme=dark",
                            "User-Agent": "tests/1.0"})
    assert answer.status == 200 and answer.header("content-type") == "application/json"
    event = json.loads(answer.body)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/42" and event["rawQueryString"] == "tag=a&tag=b&q=x"
    assert event["queryStringParameters"] == {"tag": "a,b", "q": "x"}
    assert event["cookies"] == ["session=abc", "theme=dark"]
    assert event["headers"]["user-agent"] == "tests/1.0"
    assert event["body"] == '{"n": 1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["accountId"] == "anonymous" and context["http"]["method"] == "POST"
    assert context["http"]["sourceIp"] == "127.0.0.1" and context["domainPrefix"] == context["apiId"]
    assert created["FunctionUrl"].startswith(f"http://{context['apiId']}.lambda-url.")

    # Recorded like every invocation: source "url", the event as the function got it, so Run again replays it.
    [entry] = history(server, name)
    assert entry["source"] == "url" and entry["succeeded"] == 1
    assert json.loads(entry["event"])["rawPath"] == "/items/42"
    assert entry["request_id"] == context["requestId"]


def test_a_binary_body_arrives_base64_encoded(deploy, server: LiveServer) -> None:
    _, created = deploy({"echo.py": ECHO}, "echo.handler")
    event = json.loads(fetch(server, created["FunctionUrl"], method="PUT", body=b"\x89PNG\x00\xff",
                             headers={"Content-Type": "image/png"}).body)
    assert event["isBase64Encoded"] is True and event["body"] == "iVBORwD/"


def test_a_plain_result_is_a_200_json_answer(deploy, server: LiveServer) -> None:
    _, created = deploy({"plain.py": PLAIN}, "plain.handler")
    answer = fetch(server, created["FunctionUrl"], "/hi")
    assert answer.status == 200 and answer.header("content-type") == "application/json"
    assert json.loads(answer.body) == {"greeting": "hello", "path": "/hi"}


@pytest.mark.parametrize(("source", "timeout"), [(GARBAGE, 3), (FAILS, 3), (SLOW, 1)],
                         ids=["garbage", "function-error", "timeout"])
def test_a_failed_invocation_answers_502(deploy, server: LiveServer, source: str, timeout: int) -> None:
    name, created = deploy({"app.py": source}, "app.handler", Timeout=timeout)
    answer = fetch(server, created["FunctionUrl"])
    assert answer.status == 502 and answer.body == b"Internal Server Error"
    assert len(history(server, name)) == 1  # the failure is in the history, with its log


def test_a_body_over_6_mb_answers_413_without_invoking(deploy, server: LiveServer) -> None:
    name, created = deploy({"echo.py": ECHO}, "echo.handler")
    answer = fetch(server, created["FunctionUrl"], method="POST", body=b"x" * (7 * 1024 * 1024),
                   headers={"Content-Type": "text/plain"})
    assert answer.status == 413
    assert history(server, name) == []


# -- CORS ------------------------------------------------------------------------------------------------------------

CORS = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-token"],
        "ExposeHeaders": ["x-total"], "MaxAge": 600}


def test_cors_preflight_is_answered_without_invoking(deploy, server: LiveServer) -> None:
    name, created = deploy({"echo.py": ECHO}, "echo.handler", cors=CORS)
    answer = fetch(server, created["FunctionUrl"], "/api", method="OPTIONS",
                   headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                            "Access-Control-Request-Headers": "x-token"})
    assert answer.status == 200
    assert answer.header("access-control-allow-origin") == "https://app.example"
    assert answer.header("access-control-allow-methods") == "GET,POST"
    assert answer.header("access-control-allow-headers") == "x-token"
    assert answer.header("access-control-max-age") == "600"
    assert history(server, name) == []


def test_cors_preflight_from_another_origin_gets_no_permission(deploy, server: LiveServer) -> None:
    _, created = deploy({"echo.py": ECHO}, "echo.handler", cors=CORS)
    answer = fetch(server, created["FunctionUrl"], method="OPTIONS",
                   headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert answer.header("access-control-allow-origin") is None


def test_cors_headers_on_the_actual_request(deploy, server: LiveServer) -> None:
    _, created = deploy({"echo.py": ECHO}, "echo.handler", cors=CORS)
    allowed = fetch(server, created["FunctionUrl"], headers={"Origin": "https://app.example"})
    assert allowed.status == 200
    assert allowed.header("access-control-allow-origin") == "https://app.example"
    assert allowed.header("access-control-expose-headers") == "x-total"
    refused = fetch(server, created["FunctionUrl"], headers={"Origin": "https://evil.example"})
    assert refused.header("access-control-allow-origin") is None


# -- AWS_IAM -----------------------------------------------------------------------------------------------------------


def test_unsigned_request_to_an_aws_iam_url_is_refused(deploy, server: LiveServer) -> None:
    name, created = deploy({"echo.py": ECHO}, "echo.handler", auth="AWS_IAM")
    answer = fetch(server, created["FunctionUrl"])
    assert answer.status == 403 and json.loads(answer.body) == {"Message": "Forbidden"}
    assert history(server, name) == []


def test_a_signed_request_to_an_aws_iam_url_names_its_caller(deploy, server: LiveServer) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    _, created = deploy({"echo.py": ECHO}, "echo.handler", auth="AWS_IAM")
    request = AWSRequest(method="GET", url=created["FunctionUrl"] + "signed?x=1")
    SigV4Auth(Credentials("AKIDLOCAL", "secret"), "lambda", "us-east-1").add_auth(request)
    answer = fetch(server, created["FunctionUrl"], "/signed?x=1", headers=dict(request.headers.items()))
    assert answer.status == 200
    context = json.loads(answer.body)["requestContext"]
    assert context["authorizer"]["iam"]["accessKey"] == "AKIDLOCAL"
    assert context["accountId"] == "123456789012"


HOP_BY_HOP = '''
def handler(event, context):
    return {"statusCode": 200, "headers": {"Connection": "close", "Transfer-Encoding": "chunked", "X-Ok": "1",
                                           "content-type": "text/plain"}, "body": "fine"}
'''


def test_hop_by_hop_headers_of_a_result_are_dropped_and_head_has_no_body(deploy, server: LiveServer) -> None:
    _, created = deploy({"hop.py": HOP_BY_HOP}, "hop.handler")
    answer = fetch(server, created["FunctionUrl"])
    assert answer.status == 200 and answer.body == b"fine" and answer.header("x-ok") == "1"
    assert answer.header("transfer-encoding") is None
    head = fetch(server, created["FunctionUrl"], method="HEAD")
    assert head.status == 200 and head.body == b"" and head.header("x-ok") == "1"
