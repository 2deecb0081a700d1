"""Lambda's further settings (Architectures, TracingConfig, VpcConfig, DeadLetterConfig, KMSKeyArn, SnapStart,
LoggingConfig) through boto3, the AWS CLI v1 and the raw REST API: stored and reported as given in botocore's shapes,
kept by published versions, refused in Lambda's words, and what the console cannot do said on the function's page."""

from __future__ import annotations

import base64
import json

import pytest

from console.core.function_settings import machine_architecture
from tests.api.conftest import ROLE, unique
from tests.api.test_errors import raw
from tests.api.test_shapes import check
from tests.zips import zip_bytes

ECHO_ZIP = zip_bytes({"echo.py": "def handler(event, context):\n    return event\n"})
GIVEN = {
    "Architectures": ["arm64"],
    "TracingConfig": {"Mode": "Active"},
    "VpcConfig": {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]},
    "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:eu-west-1:123456789012:dead-letters"},
    "KMSKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "SnapStart": {"ApplyOn": "PublishedVersions"},
    "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN"},
    "EphemeralStorage": {"Size": 1024},
}


@pytest.fixture
def client_of(api_server):
    """client_of(method, path, body) -> (status, headers, body) from the live server, sent as it is."""
    return lambda method, path, body=b"": raw(api_server.url, method, path, body)


def reported(configuration: dict) -> dict:
    return {name: configuration.get(name) for name in (*GIVEN, "SnapStart")}


def expected(name: str, published: bool = False) -> dict:
    return {
        **GIVEN,
        "VpcConfig": {**GIVEN["VpcConfig"], "VpcId": ""},
        "SnapStart": {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On" if published else "Off"},
        "LoggingConfig": {**GIVEN["LoggingConfig"], "LogGroup": f"/aws/lambda/{name}"},
    }


def test_settings_are_stored_and_reported_as_given_and_kept_by_versions(lam, create) -> None:
    name = unique("settings")
    answer = create(ECHO_ZIP, "echo.handler", FunctionName=name, Publish=True, **GIVEN)
    assert reported(answer) == expected(name, published=True)
    assert reported(lam.get_function(FunctionName=name)["Configuration"]) == expected(name)
    assert reported(lam.get_function_configuration(FunctionName=name, Qualifier="1")) == expected(name, True)
    pages = lam.get_paginator("list_functions").paginate()
    listed = {f["FunctionName"]: f for page in pages for f in page["Functions"]}
    assert reported(listed[name]) == expected(name)

    # An update changes what it names and leaves the rest; version 1 keeps what it was published with.
    lam.update_function_configuration(FunctionName=name, TracingConfig={"Mode": "PassThrough"},
                                      LoggingConfig={"LogFormat": "Text"}, KMSKeyArn="",
                                      VpcConfig={"SubnetIds": [], "SecurityGroupIds": []})
    latest = lam.get_function_configuration(FunctionName=name)
    assert latest["TracingConfig"] == {"Mode": "PassThrough"}
    assert latest["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert "KMSKeyArn" not in latest
    assert latest["VpcConfig"] == {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""}
    assert latest["Architectures"] == ["arm64"] and latest["DeadLetterConfig"] == GIVEN["DeadLetterConfig"]
    assert reported(lam.get_function(FunctionName=name, Qualifier="1")["Configuration"]) == expected(name, True)
    version2 = lam.publish_version(FunctionName=name)
    assert version2["Version"] == "2" and version2["TracingConfig"] == {"Mode": "PassThrough"}


def test_a_function_without_settings_reports_lambdas_defaults(lam, create) -> None:
    answer = create(ECHO_ZIP, "echo.handler")
    assert answer["Architectures"] == ["x86_64"]
    assert answer["TracingConfig"] == {"Mode": "PassThrough"}
    assert answer["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert answer["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{answer['FunctionName']}"}
    assert not {"VpcConfig", "DeadLetterConfig", "KMSKeyArn"} & set(answer)
    # JSON alone: both levels INFO, as Lambda answers.
    updated = lam.update_function_configuration(FunctionName=answer["FunctionName"], LoggingConfig={"LogFormat": "JSON"})
    assert updated["LoggingConfig"] == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO",
                                        "LogGroup": f"/aws/lambda/{answer['FunctionName']}"}


@pytest.mark.parametrize(
    ("fields", "code", "says"),
    [
        ({"Architectures": ["x86_64", "arm64"]}, "ValidationException",
         ("Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than "
         "or equal to 1")),
        ({"Architectures": ["sparc"]}, "ValidationException",
         ("Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member "
         "must satisfy enum value set: [x86_64, arm64]]")),
        ({"TracingConfig": {"Mode": "On"}}, "ValidationException",
         ("Value 'On' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: "
         "[Active, PassThrough]")),
        ({"LoggingConfig": {"LogFormat": "XML"}}, "ValidationException", "at 'loggingConfig.logFormat'"),
        ({"LoggingConfig": {"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"}}, "InvalidParameterValueException",
         'LogLevel is not supported when LogFormat is set to "Text".'),
        ({"LoggingConfig": {"LogGroup": "has space"}}, "ValidationException", "at 'loggingConfig.logGroup'"),
        ({"KMSKeyArn": "not-an-arn"}, "ValidationException", "at 'kMSKeyArn' failed to satisfy constraint"),
        ({"DeadLetterConfig": {"TargetArn": "queue"}}, "ValidationException", "at 'deadLetterConfig.targetArn'"),
        ({"SnapStart": {"ApplyOn": "Always"}}, "ValidationException", "at 'snapStart.applyOn'"),
        ({"VpcConfig": {"SubnetIds": [f"subnet-{i}" for i in range(17)]}}, "ValidationException",
         "at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length less than or equal to 16"),
    ],
)
def test_invalid_settings_are_refused_in_lambdas_words(api_server, client_of, fields: dict, code: str,
                                                       says: str) -> None:
    """Sent raw: boto3 itself refuses some of these values before sending them."""
    name = unique("badsetting")
    body = {"FunctionName": name, "Role": ROLE, "Handler": "echo.handler", "Runtime": "python3.12",
            "Code": {"ZipFile": base64.b64encode(ECHO_ZIP).decode()}, **fields}
    status, headers, answer = client_of("POST", "/2015-03-31/functions", json.dumps(body).encode())
    assert (status, headers["x-amzn-errortype"]) == (400, code)
    assert says in json.loads(answer)["message"]
    assert client_of("GET", f"/2015-03-31/functions/{name}")[0] == 404  # nothing was created


def test_the_aws_cli_sets_and_reads_the_settings(aws, lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    updated = aws.json("update-function-configuration", "--function-name", name, "--tracing-config", "Mode=Active",
                       "--logging-config", "LogFormat=JSON,ApplicationLogLevel=WARN",
                       "--vpc-config", "SubnetIds=subnet-1,SecurityGroupIds=sg-1",
                       "--dead-letter-config", "TargetArn=arn:aws:sns:eu-west-1:123456789012:failed")
    assert updated["TracingConfig"] == {"Mode": "Active"}
    assert updated["LoggingConfig"]["ApplicationLogLevel"] == "WARN"
    shown = aws.json("get-function-configuration", "--function-name", name)
    assert shown["VpcConfig"] == {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "VpcId": ""}
    assert shown["DeadLetterConfig"] == {"TargetArn": "arn:aws:sns:eu-west-1:123456789012:failed"}
    created = aws.json("create-function", "--function-name", unique("cli"), "--runtime", "python3.12",
                       "--role", ROLE, "--handler", "echo.handler", "--zip-file", "fileb://" + str(_zip(aws)),
                       "--architectures", "arm64", "--snap-start", "ApplyOn=PublishedVersions")
    assert created["Architectures"] == ["arm64"]
    assert created["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}


def _zip(aws):
    path = aws.cwd / "echo.zip"
    path.write_bytes(ECHO_ZIP)
    return path


def test_what_the_console_cannot_honour_is_said_not_rewritten(api_server, lam, create, client_of) -> None:
    other = "x86_64" if machine_architecture() == "arm64" else "arm64"
    name = create(ECHO_ZIP, "echo.handler", Architectures=[other],
                  VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]})["FunctionName"]
    answer = lam.invoke(FunctionName=name, Payload=b'{"a": 1}')
    assert json.loads(answer["Payload"].read()) == {"a": 1}
    warning = answer["ResponseMetadata"]["HTTPHeaders"]["x-lambda-console-warning"]
    assert f"Architectures is {other}" in warning and "VpcConfig is kept but not applied" in warning
    assert lam.get_function_configuration(FunctionName=name)["Architectures"] == [other]
    status, _, page = client_of("GET", f"/functions/{name}/configuration")
    text = page.decode()
    assert status == 200
    assert f"Architectures is {other}: the code runs on this machine" in text
    assert "VpcConfig is kept but not applied" in text and "subnet-1" in text


def test_every_answer_with_settings_fits_botocores_shapes(client) -> None:
    name = "shaped-settings"
    body = {"FunctionName": name, "Role": ROLE, "Handler": "echo.handler", "Runtime": "python3.12", "Publish": True,
            "Code": {"ZipFile": base64.b64encode(ECHO_ZIP).decode()}, **GIVEN}
    check("CreateFunction", client.post("/2015-03-31/functions", data=json.dumps(body)), 201)
    base = f"/2015-03-31/functions/{name}"
    check("GetFunction", client.get(base))
    check("GetFunctionConfiguration", client.get(f"{base}/configuration?Qualifier=1"))
    check("ListFunctions", client.get("/2015-03-31/functions?FunctionVersion=ALL"))
    check("ListVersionsByFunction", client.get(f"{base}/versions"))
    change = {"TracingConfig": {"Mode": "PassThrough"}, "VpcConfig": {"SubnetIds": []}}
    check("UpdateFunctionConfiguration", client.put(f"{base}/configuration", data=json.dumps(change)))
    check("PublishVersion", client.post(f"{base}/versions", data="{}"), 201)


LOGGER_ZIP = zip_bytes({"logs.py": (
    "import logging\n"
    "logger = logging.getLogger('app')\n"
    "def handler(event, context):\n"
    "    logger.debug('detail')\n"
    "    logger.info('hello %s', event.get('who'))\n"
    "    return 'ok'\n")})


def test_logging_config_json_makes_json_records_through_invoke(lam, aws, create) -> None:
    name = create(LOGGER_ZIP, "logs.handler", LoggingConfig={"LogFormat": "JSON"})["FunctionName"]
    answer = lam.invoke(FunctionName=name, Payload=b'{"who": "you"}', LogType="Tail")
    lines = [json.loads(line) for line in base64.b64decode(answer["LogResult"]).decode().splitlines()
             if line.startswith("{")]
    request_id = answer["ResponseMetadata"]["RequestId"]
    assert [line.get("type") for line in lines if "type" in line] == [
        "platform.initStart", "platform.start", "platform.report"]
    assert [(line["level"], line["message"], line["requestId"]) for line in lines if "level" in line] == [
        ("INFO", "hello you", request_id)]
    assert lines[-1]["record"]["requestId"] == request_id and lines[-1]["record"]["status"] == "success"
    # The AWS CLI turns the level down to DEBUG; the next invocation (a new environment) shows the detail too.
    aws("update-function-configuration", "--function-name", name,
        "--logging-config", "LogFormat=JSON,ApplicationLogLevel=DEBUG,SystemLogLevel=WARN")
    tail = aws.json("invoke", "--function-name", name, "--log-type", "Tail", "--payload", "{}",
                    str(aws.cwd / "out.json"))
    records = [json.loads(line) for line in base64.b64decode(tail["LogResult"]).decode().splitlines()
               if line.startswith("{")]
    assert [record["message"] for record in records] == ["detail", "hello None"]  # no platform record at WARN


def test_architectures_change_with_the_code_as_on_lambda(lam, aws, create, client_of) -> None:
    """Lambda takes Architectures in CreateFunction and UpdateFunctionCode, not in UpdateFunctionConfiguration."""
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    updated = lam.update_function_code(FunctionName=name, ZipFile=ECHO_ZIP, Architectures=["arm64"])
    assert updated["Architectures"] == ["arm64"]
    back = aws.json("update-function-code", "--function-name", name, "--zip-file", f"fileb://{_zip(aws)}",
                    "--architectures", "x86_64")
    assert back["Architectures"] == ["x86_64"]
    status, _, _ = client_of("PUT", f"/2015-03-31/functions/{name}/configuration",
                             json.dumps({"Architectures": ["arm64"], "Timeout": 7}).encode())
    assert status == 200
    shown = lam.get_function_configuration(FunctionName=name)
    assert (shown["Architectures"], shown["Timeout"]) == (["x86_64"], 7)  # a member the operation lacks is ignored
    status, headers, _ = client_of("PUT", f"/2015-03-31/functions/{name}/code", json.dumps(
        {"ZipFile": base64.b64encode(ECHO_ZIP).decode(), "Architectures": ["sparc"]}).encode())
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
