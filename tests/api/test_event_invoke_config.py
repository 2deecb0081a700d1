"""Put, Update, Get, Delete and ListFunctionEventInvokeConfig(s) through boto3 and the AWS CLI v1, in botocore's
shapes, and honoured by the Event queue: MaximumRetryAttempts sets how many times a failed Event invocation runs."""

from __future__ import annotations

import datetime
import json
import sqlite3

import pytest

from tests.api.conftest import FAIL_ZIP, ROLE
from tests.api.test_errors import error_of
from tests.api.test_shapes import check
from tests.processes import wait_until
from tests.zips import zip_bytes


def queued(api_server, name: str) -> int:
    """Event invocations of the function still queued (running or waiting for a retry), from the database."""
    conn = sqlite3.connect(f"file:{api_server.data_dir / 'lambda-console.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM event_queue WHERE function = ?", (name,)).fetchone()[0]
    finally:
        conn.close()


def test_put_get_update_list_delete(lam, create) -> None:
    name = create(Publish=True)["FunctionName"]
    put = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                               MaximumEventAgeInSeconds=3600)
    assert put["FunctionArn"].endswith(f":function:{name}:$LATEST")
    assert (put["MaximumRetryAttempts"], put["MaximumEventAgeInSeconds"]) == (1, 3600)
    assert isinstance(put["LastModified"], datetime.datetime)
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (1, 3600)
    updated = lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 3600)
    lam.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumEventAgeInSeconds=60)
    listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert sorted(item["FunctionArn"].rsplit(":", 1)[1] for item in listed) == ["$LATEST", "1"]
    lam.delete_function_event_invoke_config(FunctionName=name)
    code, status, message = error_of(lam.get_function_event_invoke_config, FunctionName=name)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message.endswith(f":function:{name}:$LATEST doesn't have an EventInvokeConfig")
    assert error_of(lam.update_function_event_invoke_config, FunctionName=name, MaximumRetryAttempts=1)[1] == 404
    assert error_of(lam.put_function_event_invoke_config, FunctionName=name, Qualifier="9",
                    MaximumRetryAttempts=1)[:2] == ("ResourceNotFoundException", 404)


def test_out_of_range_values_are_validation_errors(api_server, create) -> None:
    from tests.api.test_errors import raw

    name = create()["FunctionName"]
    status, headers, body = raw(api_server.url, "PUT", f"/2019-09-25/functions/{name}/event-invoke-config",
                                b'{"MaximumRetryAttempts": 5}')
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert json.loads(body)["message"] == ("1 validation error detected: Value '5' at 'maximumRetryAttempts' failed to "
                                           "satisfy constraint: Member must have value less than or equal to 2")


@pytest.mark.parametrize(("retries", "runs"), [(None, 3), (0, 1), (1, 2)])
def test_the_event_queue_retries_as_configured(api_server, lam, history, create, retries, runs) -> None:
    name = create(FAIL_ZIP, "fail.handler")["FunctionName"]
    if retries is not None:
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=retries)
    assert lam.invoke(FunctionName=name, InvocationType="Event")["StatusCode"] == 202
    wait_until(lambda: history.rows(name) and queued(api_server, name) == 0, "the invocation to finish")
    assert [(r["source"], r["succeeded"]) for r in history.rows(name)] == [("event", 0)] * runs


def test_the_aws_cli_sets_and_reads_the_settings(aws, create) -> None:
    name = create()["FunctionName"]
    put = aws.json("put-function-event-invoke-config", "--function-name", name, "--maximum-retry-attempts", "0")
    assert put["MaximumRetryAttempts"] == 0
    got = aws.json("get-function-event-invoke-config", "--function-name", name)
    assert got["MaximumRetryAttempts"] == 0 and got["FunctionArn"].endswith(":$LATEST")
    aws("delete-function-event-invoke-config", "--function-name", name)
    assert "ResourceNotFoundException" in aws("get-function-event-invoke-config", "--function-name", name,
                                              check=False).stderr


def test_answers_fit_botocores_shapes(client) -> None:
    import base64

    body = {"FunctionName": "eic", "Role": ROLE, "Handler": "a.handler", "Runtime": "python3.12",
            "Code": {"ZipFile": base64.b64encode(zip_bytes({"a.py": "def handler(e, c):\n    return 1\n"})).decode()}}
    check("CreateFunction", client.post("/2015-03-31/functions", data=json.dumps(body)), 201)
    base = "/2019-09-25/functions/eic/event-invoke-config"
    check("PutFunctionEventInvokeConfig", client.put(base, data=json.dumps({"MaximumRetryAttempts": 1})))
    check("UpdateFunctionEventInvokeConfig", client.post(base, data=json.dumps({"MaximumEventAgeInSeconds": 90})))
    check("GetFunctionEventInvokeConfig", client.get(base))
    check("ListFunctionEventInvokeConfigs", client.get(f"{base}/list"))
    assert client.delete(base).status_code == 204
