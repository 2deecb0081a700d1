"""Invoke through boto3 and raw HTTP: the payload, headers, invocation types, client context, versions, history."""

from __future__ import annotations

import base64
import http.client
import json
import urllib.parse

import pytest

from tests.api.conftest import ACCOUNT, ECHO_ZIP, FAIL_ZIP, REGION
from tests.processes import wait_until


def test_request_response_gives_the_raw_payload_and_the_executed_version(lam) -> None:
    answer = lam.invoke(FunctionName="hello_python", Payload=b'{"first_name": "Ada", "last_name": "Lovelace"}')
    assert answer["StatusCode"] == 200
    assert answer["ExecutedVersion"] == "$LATEST"
    assert answer["Payload"].read() == b'{"message": "Hello Ada Lovelace!"}'
    assert "FunctionError" not in answer and "LogResult" not in answer


def test_none_is_null(lam) -> None:
    assert lam.invoke(FunctionName="return_none")["Payload"].read() == b"null"


def test_the_function_sees_the_region_and_arn_of_the_request(lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    body = json.loads(lam.invoke(FunctionName=name, Payload=b'{"a": 1}')["Payload"].read())
    assert body["event"] == {"a": 1}
    assert body["region"] == REGION
    assert body["arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def test_tail_gives_the_last_4_kb_of_the_log(lam) -> None:
    answer = lam.invoke(FunctionName="hello_python", LogType="Tail", Payload=b'{"first_name": "A", "last_name": "B"}')
    log = base64.b64decode(answer["LogResult"]).decode()
    request_id = answer["ResponseMetadata"]["RequestId"]
    assert f"START RequestId: {request_id} Version: $LATEST" in log
    assert log.rstrip("\n").splitlines()[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")


def test_tail_of_a_long_log_is_its_last_4096_bytes(lam, create) -> None:
    from tests.api.conftest import zip_bytes

    chatty = zip_bytes({"chatty.py": "def handler(e, c):\n    for i in range(500):\n        print(f'line {i:04d}')\n"})
    name = create(chatty, "chatty.handler")["FunctionName"]
    log = base64.b64decode(lam.invoke(FunctionName=name, LogType="Tail")["LogResult"])
    assert len(log) == 4096
    assert b"line 0499\nEND RequestId: " in log and b"line 0000" not in log


def test_a_function_error_is_200_with_the_function_error_header(lam) -> None:
    answer = lam.invoke(FunctionName="raise_error", Payload=b'{"quantity": 0}', LogType="Tail")
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    payload = json.loads(answer["Payload"].read())
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (payload["errorType"], payload["errorMessage"]) == ("ValueError", "quantity must be positive, got 0")
    assert "[ERROR] ValueError: quantity must be positive, got 0" in base64.b64decode(answer["LogResult"]).decode()


def test_client_context_reaches_the_handler(lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    context = {"custom": {"user": "ada"}, "env": {"locale": "en"}, "client": {"app_title": "t"}}
    encoded = base64.b64encode(json.dumps(context).encode()).decode()
    body = json.loads(lam.invoke(FunctionName=name, ClientContext=encoded)["Payload"].read())
    assert body["client_context"] == {"custom": {"user": "ada"}, "env": {"locale": "en"}}
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read())["client_context"] is None


def post(url: str, data: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """A raw, unsigned POST with exactly these headers: no Content-Type unless given, as botocore sends Invoke."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("POST", parts.path, body=data, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, dict(answer.headers), answer.read()
    finally:
        conn.close()


@pytest.mark.parametrize("content_type", [None, "application/json", "application/x-www-form-urlencoded", "text/plain",
                                          "application/octet-stream", "multipart/form-data; boundary=x"])
def test_any_content_type_or_none_is_accepted(api_server, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    url = f"{api_server.url}/2015-03-31/functions/hello_python/invocations"
    status, _, body = post(url, b'{"first_name": "A", "last_name": "B"}', headers)
    assert (status, body) == (200, b'{"message": "Hello A B!"}')


def test_an_empty_body_is_an_empty_event(api_server, lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    status, headers, body = post(f"{api_server.url}/2015-03-31/functions/{name}/invocations", b"")
    assert status == 200 and json.loads(body)["event"] == {}
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read())["event"] == {}


def test_qualifier_selects_a_version(lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler", Environment={"Variables": {"GREETING": "one"}})["FunctionName"]
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"GREETING": "two"}})
    one = lam.invoke(FunctionName=name, Qualifier="1")
    assert one["ExecutedVersion"] == "1"
    body = json.loads(one["Payload"].read())
    assert (body["greeting"], body["version"], body["arn"]) == (
        "one", "1", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:1")
    assert json.loads(lam.invoke(FunctionName=f"{name}:1")["Payload"].read())["greeting"] == "one"
    latest = lam.invoke(FunctionName=name)
    assert (latest["ExecutedVersion"], json.loads(latest["Payload"].read())["greeting"]) == ("$LATEST", "two")


def test_dry_run_answers_204_and_runs_nothing(lam, history, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    answer = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert answer["StatusCode"] == 204
    assert answer["Payload"].read() == b""
    assert history.rows(name) == []


def test_event_answers_202_and_runs_in_the_background_recorded_in_history(lam, history, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    answer = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    rows = wait_until(lambda: history.rows(name), "the Event invocation in the history")
    assert len(rows) == 1
    assert (rows[0]["source"], rows[0]["succeeded"], rows[0]["event"]) == ("event", 1, '{"n": 1}')
    assert rows[0]["request_id"] == answer["ResponseMetadata"]["RequestId"]


def test_a_failing_event_invocation_is_retried_twice(lam, history, create) -> None:
    name = create(FAIL_ZIP, "fail.handler")["FunctionName"]
    assert lam.invoke(FunctionName=name, InvocationType="Event")["StatusCode"] == 202
    rows = wait_until(lambda: (r := history.rows(name)) and len(r) >= 3 and r, "three attempts in the history")
    assert [(r["source"], r["succeeded"], r["error_type"]) for r in rows] == [("event", 0, "RuntimeError")] * 3
    assert len({r["request_id"] for r in rows}) == 3


def test_request_response_invocations_are_recorded_as_api(lam, history, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    answer = lam.invoke(FunctionName=name, Payload=b'{"x": 2}')
    rows = history.rows(name)
    assert [(r["source"], r["event"], r["request_id"]) for r in rows] == [
        ("api", '{"x": 2}', answer["ResponseMetadata"]["RequestId"])]
