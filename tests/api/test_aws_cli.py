"""The AWS CLI v1, run as a user runs it, against `lambda-console serve`: the seed's commands work unchanged."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.api.conftest import ACCOUNT, ECHO_ZIP, FAIL_ZIP, HELLO_ZIP, REGION, unique


def test_the_seeds_create_function_command_and_the_function_lifecycle(aws, lam) -> None:
    (aws.cwd / "deployment-package.zip").write_bytes(HELLO_ZIP)
    name = unique("HelloPython")
    created = aws.json(
        "create-function", "--function-name", name, "--zip-file", "fileb://deployment-package.zip",
        "--role", f"arn:aws:iam::{ACCOUNT}:role/lambda_basic_execution", "--handler", "hello_python.my_handler",
        "--runtime", "python3.6", "--timeout", "15", "--memory-size", "512",
    )
    assert (created["FunctionName"], created["Runtime"], created["Timeout"], created["MemorySize"]) == (
        name, "python3.6", 15, 512)
    assert created["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    # The same function for every client at once.
    assert lam.get_function(FunctionName=name)["Configuration"]["Handler"] == "hello_python.my_handler"

    got = aws.json("get-function", "--function-name", name)
    assert got["Configuration"]["CodeSha256"] == created["CodeSha256"] and got["Code"]["Location"].startswith("http")
    assert aws.json("get-function-configuration", "--function-name", name)["MemorySize"] == 512
    listed = aws.json("list-functions")  # the CLI follows NextMarker itself
    assert name in [f["FunctionName"] for f in listed["Functions"]]

    (aws.cwd / "echo.zip").write_bytes(ECHO_ZIP)
    updated = aws.json("update-function-code", "--function-name", name, "--zip-file", "fileb://echo.zip")
    assert updated["CodeSize"] == len(ECHO_ZIP)
    configured = aws.json("update-function-configuration", "--function-name", name, "--handler", "echo.handler",
                          "--environment", "Variables={GREETING=cli}", "--description", "from the CLI")
    assert (configured["Handler"], configured["Environment"], configured["Description"]) == (
        "echo.handler", {"Variables": {"GREETING": "cli"}}, "from the CLI")
    assert aws.json("publish-version", "--function-name", name)["Version"] == "1"
    versions = aws.json("list-versions-by-function", "--function-name", name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]

    # DeleteFunction answers 204 with no body; the CLI prints the status from botocore's model.
    assert json.loads(aws("delete-function", "--function-name", name).stdout) == {"StatusCode": 204}
    missing = aws("get-function", "--function-name", name, check=False)
    assert missing.returncode == 255  # the AWS CLI v1's status for a service error
    assert (
        "An error occurred (ResourceNotFoundException) when calling the GetFunction operation: "
        f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    ) in missing.stderr


def test_invoke_writes_the_payload_to_its_outfile_and_prints_the_status(aws) -> None:
    result = aws("invoke", "--function-name", "hello_python", "--payload", '{"first_name": "Ada", "last_name": "L"}',
                 "--log-type", "Tail", "out.json")
    assert (aws.cwd / "out.json").read_bytes() == b'{"message": "Hello Ada L!"}'
    printed = json.loads(result.stdout)
    assert printed["StatusCode"] == 200 and printed["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in printed
    assert "END RequestId: " in base64.b64decode(printed["LogResult"]).decode()


def test_invoke_of_a_failing_function_prints_function_error(aws, create) -> None:
    name = create(FAIL_ZIP, "fail.handler")["FunctionName"]
    result = aws("invoke", "--function-name", name, "--log-type", "Tail", "error.json")
    printed = json.loads(result.stdout)
    assert (printed["StatusCode"], printed["FunctionError"]) == (200, "Unhandled")
    payload = json.loads((aws.cwd / "error.json").read_text())
    assert (payload["errorType"], payload["errorMessage"]) == ("RuntimeError", "always fails")
    assert "failing on purpose" in base64.b64decode(printed["LogResult"]).decode()


def test_invoke_event_and_errors_through_the_cli(aws) -> None:
    printed = json.loads(aws("invoke", "--function-name", "hello_python", "--invocation-type", "Event",
                             Path("event.out").name).stdout)
    assert printed["StatusCode"] == 202
    bad = aws("invoke", "--function-name", "hello_python", "--payload", "{oops", "out.json", check=False)
    assert bad.returncode == 255  # the AWS CLI v1's status for a service error
    assert "(InvalidRequestContentException) when calling the Invoke operation: Could not parse request body into " \
           "json" in bad.stderr
    (aws.cwd / "deployment-package.zip").write_bytes(HELLO_ZIP)
    conflict = aws("create-function", "--function-name", "hello_python", "--zip-file", "fileb://deployment-package.zip",
                   "--role", f"arn:aws:iam::{ACCOUNT}:role/r", "--handler", "hello_python.my_handler",
                   "--runtime", "python3.12", check=False)
    assert conflict.returncode == 255  # the AWS CLI v1's status for a service error
    assert "(ResourceConflictException) when calling the CreateFunction operation: Function already exist: " \
           "hello_python" in conflict.stderr
