"""Every operation of AWS Lambda's service model (botocore's own description of it), sent to a live console: each
answers as Lambda does or with an AWS-shaped JSON error naming what this console does not do. Never an HTML page,
never a 5xx, never a hang, whatever the date prefix."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import botocore.loaders
import pytest

MODEL = botocore.loaders.Loader().load_service_model("lambda", "service-2")
# Values for the URI's placeholders that name nothing stored: no operation changes anything or runs code.
PLACEHOLDERS = {
    "FunctionName": "model-walk-missing",
    "Name": "model-walk-alias",
    "LayerName": "model-walk-layer",
    "VersionNumber": "1",
    "ARN": "arn:aws:lambda:us-east-1:123456789012:function:model-walk-missing",
    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:model-walk-missing",
    "UUID": "6d9c3a4e-0000-4000-8000-000000000000",
    "CodeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0",
    "StatementId": "model-walk",
}


def request_for(operation: dict) -> tuple[str, str]:
    method, uri = operation["http"]["method"], operation["http"]["requestUri"]

    def fill(match: re.Match) -> str:
        return PLACEHOLDERS.get(match.group(1).rstrip("+"), "model-walk")

    return method, re.sub(r"\{([^}]+)\}", fill, uri)


@pytest.mark.parametrize("name", sorted(MODEL["operations"]))
def test_every_operation_of_the_model_answers_in_lambdas_format(api_server, name):
    method, path = request_for(MODEL["operations"][name])
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    request = urllib.request.Request(api_server.url + path, data=body, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, headers, content = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as refused:
        status, headers, content = refused.code, refused.headers, refused.read()
    assert status < 500, (status, content)
    assert "text/html" not in headers.get("Content-Type", ""), content
    if status >= 400:
        error = headers["x-amzn-ErrorType"]
        assert json.loads(content)["__type"] == error
        if error == "UnknownOperationException":
            assert json.loads(content)["message"] == (
                f"lambda-console does not implement {name} ({method} {MODEL['operations'][name]['http']['requestUri']})"
                " yet."
            )


def test_a_path_under_a_date_prefix_that_is_no_operation_is_an_aws_error_too(api_server):
    request = urllib.request.Request(api_server.url + "/2099-01-01/nothing/here", method="GET")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 404
    assert refused.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert json.loads(refused.value.read())["message"] == (
        "GET /2099-01-01/nothing/here is not an operation of the AWS Lambda API."
    )
