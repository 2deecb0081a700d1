"""Requests to events and results to answers, against the payloads AWS documents for function URLs (format 2.0) and
REST APIs' proxy integrations (format 1.0)."""

from __future__ import annotations

import base64
import json

import pytest

from console.http_front import cors
from console.http_front.request import HttpRequest, v1_event, v2_event
from console.http_front.response import MalformedResult, gateway_error, url_error, v1_response, v2_response

HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.localhost:8001"
# 2020-03-12 19:03:58.390 UTC, the instant of AWS's documented example.
WHEN = 1584039838.390


def documented_request(**changes: object) -> HttpRequest:
    """The request behind AWS's example payload: POST /my/path?parameter1=value1&parameter1=value2&parameter2=value."""
    fields: dict = {
        "method": "POST",
        "raw_path": "/my/path",
        "raw_query": "parameter1=value1&parameter1=value2&parameter2=value",
        "headers": (("Host", HOST), ("Header1", "value1"), ("Header2", "value1"), ("Header2", "value2"),
                    ("Cookie", "cookie1=a; cookie2=b"), ("User-Agent", "agent"), ("Content-Type", "text/plain")),
        "body": b"Hello from client!",
        "source_ip": "123.123.123.123",
        "time": WHEN,
        "request_id": "id",
    }
    fields.update(changes)
    return HttpRequest(**fields)


def test_function_url_event_has_the_documented_shape() -> None:
    event = v2_event(documented_request(), api_id="abcdefghijklmnopqrstuvwxyz012345")
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/my/path"
    assert event["rawQueryString"] == "parameter1=value1&parameter1=value2&parameter2=value"
    assert event["cookies"] == ["cookie1=a", "cookie2=b"]
    assert event["headers"] == {"host": HOST, "header1": "value1", "header2": "value1,value2", "user-agent": "agent",
                                "content-type": "text/plain"}
    assert event["queryStringParameters"] == {"parameter1": "value1,value2", "parameter2": "value"}
    context = event["requestContext"]
    assert context["accountId"] == "anonymous"
    assert context["apiId"] == "abcdefghijklmnopqrstuvwxyz012345"
    assert context["domainName"] == HOST.rsplit(":", 1)[0]
    assert context["domainPrefix"] == "abcdefghijklmnopqrstuvwxyz012345"
    assert context["http"] == {"method": "POST", "path": "/my/path", "protocol": "HTTP/1.1",
                               "sourceIp": "123.123.123.123", "userAgent": "agent"}
    assert context["requestId"] == "id"
    assert context["routeKey"] == "$default" and context["stage"] == "$default"
    assert context["time"] == "12/Mar/2020:19:03:58 +0000"
    assert context["timeEpoch"] == 1584039838390
    assert event["body"] == "Hello from client!"
    assert event["isBase64Encoded"] is False
    json.dumps(event)  # the event is JSON, as the function receives it


def test_a_request_without_query_cookies_or_body_leaves_those_keys_out() -> None:
    event = v2_event(documented_request(method="GET", raw_query="", headers=(("Host", HOST),), body=b""),
                     api_id="x")
    assert "cookies" not in event and "queryStringParameters" not in event and "body" not in event
    assert event["isBase64Encoded"] is False
    assert event["requestContext"]["http"]["userAgent"] == ""


@pytest.mark.parametrize(("content_type", "encoded"), [
    ("text/html; charset=utf-8", False), ("application/json", False), ("application/vnd.api+json", False),
    ("image/png", True), ("application/octet-stream", True), (None, True),
    ("application/x-www-form-urlencoded", True),
])
def test_binary_bodies_arrive_base64_encoded(content_type: str | None, encoded: bool) -> None:
    headers = (("Host", HOST),) + ((("Content-Type", content_type),) if content_type else ())
    event = v2_event(documented_request(headers=headers, body=b"a=1&b=2"), api_id="x")
    assert event["isBase64Encoded"] is encoded
    body = base64.b64decode(event["body"]) if encoded else event["body"].encode()
    assert body == b"a=1&b=2"


def test_text_that_is_not_utf8_is_sent_base64() -> None:
    event = v2_event(documented_request(body=b"\xff\xfe"), api_id="x")
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff\xfe"


def test_an_iam_url_event_names_the_caller() -> None:
    iam = {"iam": {"accessKey": "AKIA", "accountId": "123456789012"}}
    event = v2_event(documented_request(), api_id="x", account_id="123456789012", authorizer=iam)
    assert event["requestContext"]["accountId"] == "123456789012"
    assert event["requestContext"]["authorizer"] == iam


def test_rest_proxy_event_has_the_documented_shape() -> None:
    event = v1_event(documented_request(raw_path="/items/42"), resource="/items/{id}",
                     path_parameters={"id": "42"})
    assert event["resource"] == "/items/{id}"
    assert event["path"] == "/items/42"
    assert event["httpMethod"] == "POST"
    assert event["headers"]["Header2"] == "value2"  # the last value
    assert event["multiValueHeaders"]["Header2"] == ["value1", "value2"]
    assert event["headers"]["Cookie"] == "cookie1=a; cookie2=b"
    assert event["queryStringParameters"] == {"parameter1": "value2", "parameter2": "value"}
    assert event["multiValueQueryStringParameters"] == {"parameter1": ["value1", "value2"], "parameter2": ["value"]}
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["httpMethod"] == "POST" and context["resourcePath"] == "/items/{id}"
    assert context["path"] == "/Prod/items/42" and context["stage"] == "Prod"
    assert context["identity"]["sourceIp"] == "123.123.123.123" and context["identity"]["userAgent"] == "agent"
    assert context["requestTimeEpoch"] == 1584039838390
    assert event["body"] == "Hello from client!" and event["isBase64Encoded"] is False


def test_rest_proxy_event_of_a_bare_get_has_nulls() -> None:
    event = v1_event(documented_request(method="GET", raw_query="", headers=(), body=b""), resource="/")
    assert event["headers"] is None and event["multiValueHeaders"] is None
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None and event["body"] is None


# -- results ---------------------------------------------------------------------------------------------------------

def test_a_full_response_keeps_status_headers_cookies_and_body() -> None:
    result = {"statusCode": 201, "headers": {"Content-Type": "text/html", "X-Count": 3},
              "cookies": ["a=1; Path=/", "b=2"], "body": "<p>made</p>", "isBase64Encoded": False}
    answer = v2_response(json.dumps(result).encode())
    assert answer.status == 201
    assert answer.header("content-type") == "text/html" and answer.header("x-count") == "3"
    assert [value for name, value in answer.headers if name == "Set-Cookie"] == ["a=1; Path=/", "b=2"]
    assert answer.body == b"<p>made</p>"


def test_a_base64_body_is_decoded_to_its_bytes() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x01"
    result = {"statusCode": 200, "headers": {"content-type": "image/png"},
              "body": base64.b64encode(png).decode(), "isBase64Encoded": True}
    assert v2_response(json.dumps(result).encode()).body == png


@pytest.mark.parametrize(("payload", "body"), [
    (b'{"message": "Hello"}', b'{"message": "Hello"}'),  # an object without statusCode: its JSON
    (b'"Hello from Lambda!"', b"Hello from Lambda!"),  # a string: its text
    (b"null", b"null"),  # None
    (b"[1, 2]", b"[1, 2]"),
])
def test_a_result_without_status_code_is_a_200_json_answer(payload: bytes, body: bytes) -> None:
    answer = v2_response(payload)
    assert answer.status == 200 and answer.header("content-type") == "application/json" and answer.body == body


@pytest.mark.parametrize("result", [
    {"statusCode": "teapot"}, {"statusCode": 200, "body": {"not": "a string"}}, {"statusCode": 200, "headers": []},
    {"statusCode": 200, "cookies": "a=1"}, {"statusCode": 200, "body": "!!", "isBase64Encoded": True},
    {"statusCode": 99}, {"statusCode": 200, "headers": {"X-A": "1\r\nSet-Cookie: stolen=1"}},
    {"statusCode": 200, "headers": {"Bad Name": "1"}}, {"statusCode": 200, "cookies": ["a=1\nb=2"]},
])
def test_a_malformed_response_is_refused(result: dict) -> None:
    with pytest.raises(MalformedResult):
        v2_response(json.dumps(result).encode())


def test_a_result_that_is_not_json_is_malformed() -> None:
    with pytest.raises(MalformedResult):
        v2_response(b"\x00garbage")


def test_rest_response_merges_headers_and_multi_value_headers() -> None:
    result = {"statusCode": 302, "headers": {"Location": "/next", "Set-Cookie": "a=1"},
              "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": ""}
    answer = v1_response(json.dumps(result).encode())
    assert answer.status == 302 and answer.header("location") == "/next"
    assert [value for name, value in answer.headers if name == "Set-Cookie"] == ["a=1", "b=2"]


@pytest.mark.parametrize("payload", [b'"just a string"', b'{"statusCode": 200, "extra": 1}', b"[]"])
def test_rest_proxy_refuses_what_is_not_a_proxy_response(payload: bytes) -> None:
    with pytest.raises(MalformedResult):
        v1_response(payload)


def test_failures_answer_in_each_fronts_words() -> None:
    assert url_error(502).status == 502 and url_error(502).body == b"Internal Server Error"
    assert json.loads(url_error(403).body) == {"Message": "Forbidden"}
    assert json.loads(gateway_error(502).body) == {"message": "Internal server error"}
    assert url_error(413).status == 413 and gateway_error(429).status == 429


# -- CORS ------------------------------------------------------------------------------------------------------------

CORS = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-custom"],
        "ExposeHeaders": ["x-total"], "MaxAge": 300, "AllowCredentials": True}


def test_preflight_from_an_allowed_origin_lists_what_is_allowed() -> None:
    headers = {"origin": "https://app.example", "access-control-request-method": "POST"}
    assert cors.is_preflight("OPTIONS", headers)
    answer = cors.preflight(CORS, headers)
    assert answer.status == 200
    assert answer.header("access-control-allow-origin") == "https://app.example"
    assert answer.header("access-control-allow-methods") == "GET,POST"
    assert answer.header("access-control-allow-headers") == "x-custom"
    assert answer.header("access-control-max-age") == "300"
    assert answer.header("access-control-allow-credentials") == "true"


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example", "access-control-request-method": "GET"},
    {"origin": "https://app.example", "access-control-request-method": "DELETE"},
])
def test_preflight_from_elsewhere_gets_no_cors_headers(headers: dict) -> None:
    answer = cors.preflight(CORS, headers)
    assert not any(name.lower().startswith("access-control-") for name, _ in answer.headers)


def test_cors_headers_replace_the_functions_own() -> None:
    answer = v2_response(json.dumps({"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"}}).encode())
    allowed = cors.apply(CORS, "https://app.example", answer)
    assert allowed.header("access-control-allow-origin") == "https://app.example"
    assert allowed.header("access-control-expose-headers") == "x-total"
    refused = cors.apply(CORS, "https://evil.example", answer)
    assert refused.header("access-control-allow-origin") is None
    assert cors.apply(None, "https://evil.example", answer).header("access-control-allow-origin") == "*"


def test_wildcard_origin_answers_star_without_credentials() -> None:
    config = {"AllowOrigins": ["*"], "AllowMethods": ["*"]}
    answer = cors.preflight(config, {"origin": "http://x.test", "access-control-request-method": "PUT"})
    assert answer.header("access-control-allow-origin") == "*"
