"""The function operations through boto3, as an SDK user sees them: shapes, status codes, ARNs, names and paging."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ACCOUNT, ECHO_ZIP, HELLO_ZIP, REGION, ROLE, boto3_client, unique, zip_bytes


def arn(name: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def code_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_create_function_answers_201_with_the_configuration(lam, create) -> None:
    name = unique("create")
    answer = create(
        FunctionName=name, Runtime="python3.12", Timeout=15, MemorySize=512, Description="greets",
        Environment={"Variables": {"GREETING": "hi"}}, Tags={"team": "a"}, TracingConfig={"Mode": "Active"},
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert answer["ResponseMetadata"]["RequestId"]
    answer.pop("ResponseMetadata")
    assert answer == {
        "FunctionName": name,
        "FunctionArn": arn(name),
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "hello_python.my_handler",
        "CodeSize": len(HELLO_ZIP),
        "Description": "greets",
        "Timeout": 15,
        "MemorySize": 512,
        "LastModified": answer["LastModified"],
        "CodeSha256": code_sha256(HELLO_ZIP),
        "Version": "$LATEST",
        "Environment": {"Variables": {"GREETING": "hi"}},
        "TracingConfig": {"Mode": "Active"},
        "RevisionId": answer["RevisionId"],
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    assert answer["LastModified"].endswith("+0000") and len(answer["LastModified"]) == 28
    assert len(answer["RevisionId"]) == 36


def test_create_with_defaults_and_publish_gives_version_1(create) -> None:
    answer = create(Publish=True)
    assert (answer["Version"], answer["Timeout"], answer["MemorySize"], answer["Description"]) == ("1", 3, 128, "")
    assert answer["FunctionArn"] == arn(answer["FunctionName"], "1")
    assert "Environment" not in answer


def test_get_function_has_configuration_and_a_code_location_that_downloads_the_zip(lam, create) -> None:
    name = create()["FunctionName"]
    answer = lam.get_function(FunctionName=name)
    assert answer["Configuration"]["FunctionArn"] == arn(name)
    assert answer["Configuration"]["Role"] == ROLE
    assert answer["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(answer["Code"]["Location"]) as download:
        assert download.status == 200
        assert download.headers["Content-Type"] == "application/zip"
        assert download.read() == HELLO_ZIP


def test_get_function_configuration(lam, create) -> None:
    created = create()
    answer = lam.get_function_configuration(FunctionName=created["FunctionName"])
    answer.pop("ResponseMetadata")
    created.pop("ResponseMetadata")
    assert answer == created


@pytest.mark.parametrize(
    "form",
    ["{name}", "{name}:$LATEST", f"{ACCOUNT}:function:{{name}}", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{{name}}",
     f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{{name}}:$LATEST"],
)
def test_every_form_of_function_name_finds_the_function(lam, create, form: str) -> None:
    name = create()["FunctionName"]
    assert lam.get_function(FunctionName=form.format(name=name))["Configuration"]["FunctionName"] == name
    assert lam.invoke(FunctionName=form.format(name=name), Payload=b'{"first_name": "A", "last_name": "B"}')[
        "Payload"].read() == b'{"message": "Hello A B!"}'


def test_a_qualified_name_selects_a_version(lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"GREETING": "v2"}})
    one = lam.get_function(FunctionName=f"{name}:1")["Configuration"]
    assert (one["Version"], one["FunctionArn"], "Environment" in one) == ("1", arn(name, "1"), False)
    same = lam.get_function_configuration(FunctionName=name, Qualifier="1")
    assert same["FunctionArn"] == arn(name, "1")
    assert lam.get_function_configuration(FunctionName=name)["Environment"] == {"Variables": {"GREETING": "v2"}}


def test_a_percent_encoded_arn_in_the_path_is_read(api_server, create) -> None:
    name = create()["FunctionName"]
    # Unsigned and hand-made: every ':' of the ARN percent-encoded, as SDKs send it.
    path = urllib.parse.quote(arn(name), safe="")
    with urllib.request.urlopen(f"{api_server.url}/2015-03-31/functions/{path}/configuration") as answer:
        import json

        body = json.loads(answer.read())
    # Unsigned requests have no region: the ARN says us-east-1, Lambda's default.
    assert body["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def test_the_region_comes_from_the_signature(api_server, create) -> None:
    name = create()["FunctionName"]
    tokyo = boto3_client(api_server.url, region="ap-northeast-1")
    try:
        assert tokyo.get_function(FunctionName=name)["Configuration"]["FunctionArn"] == (
            f"arn:aws:lambda:ap-northeast-1:{ACCOUNT}:function:{name}"
        )
    finally:
        tokyo.close()


def test_list_functions_pages_with_marker_and_max_items(lam, create) -> None:
    prefix = unique("page")
    names = sorted(create(FunctionName=f"{prefix}-{i}")["FunctionName"] for i in range(5))
    seen, marker, pages = [], None, 0
    while True:
        answer = lam.list_functions(MaxItems=2, **({"Marker": marker} if marker else {}))
        assert len(answer["Functions"]) <= 2
        seen += [f["FunctionName"] for f in answer["Functions"]]
        pages += 1
        marker = answer.get("NextMarker")
        if not marker:
            break
    assert [n for n in seen if n.startswith(prefix)] == names
    assert len(seen) == len(set(seen))
    assert pages >= 3
    # The paginator botocore ships follows the same markers.
    listed = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate() for f in p["Functions"]]
    assert listed == seen
    assert {"hello_python", "raise_error"} <= set(listed)  # the samples are functions like any other


def test_list_functions_gives_at_most_50_and_every_version_with_all(lam, create) -> None:
    name = create(Publish=True)["FunctionName"]
    assert len(lam.list_functions(MaxItems=1000)["Functions"]) <= 50
    versions = [f for p in lam.get_paginator("list_functions").paginate(FunctionVersion="ALL") for f in p["Functions"]]
    assert [f["FunctionArn"] for f in versions if f["FunctionName"] == name] == [arn(name, "$LATEST"), arn(name, "1")]


@pytest.mark.parametrize("path", ["/2015-03-31/functions", "/2015-03-31/functions/"])
def test_list_functions_answers_with_and_without_the_trailing_slash(api_server, path: str) -> None:
    import json

    with urllib.request.urlopen(f"{api_server.url}{path}?MaxItems=3") as answer:
        assert answer.status == 200
        body = json.loads(answer.read())
    assert len(body["Functions"]) == 3 and body["NextMarker"]


def test_update_function_code_changes_what_runs_at_once(lam, create) -> None:
    created = create(ECHO_ZIP, "echo.handler")
    name = created["FunctionName"]
    lam.invoke(FunctionName=name)  # a warm environment of the old code
    new = zip_bytes({"echo.py": "def handler(event, context):\n    return 'new code'\n"})
    answer = lam.update_function_code(FunctionName=name, ZipFile=new)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (answer["CodeSha256"], answer["CodeSize"]) == (code_sha256(new), len(new))
    assert answer["RevisionId"] != created["RevisionId"]
    assert lam.invoke(FunctionName=name)["Payload"].read() == b'"new code"'


def test_update_function_code_dry_run_changes_nothing_and_publish_makes_a_version(lam, create) -> None:
    created = create(ECHO_ZIP, "echo.handler")
    name = created["FunctionName"]
    new = zip_bytes({"echo.py": "def handler(event, context):\n    return 2\n"})
    dry = lam.update_function_code(FunctionName=name, ZipFile=new, DryRun=True)
    assert dry["CodeSha256"] == code_sha256(new)
    assert lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"] == code_sha256(ECHO_ZIP)
    published = lam.update_function_code(FunctionName=name, ZipFile=new, Publish=True)
    assert published["Version"] == "1"
    assert lam.invoke(FunctionName=name, Qualifier="1")["Payload"].read() == b"2"


def test_update_function_configuration(lam, create) -> None:
    name = create(ECHO_ZIP, "echo.handler")["FunctionName"]
    role = f"arn:aws:iam::{ACCOUNT}:role/service-role/other"
    answer = lam.update_function_configuration(
        FunctionName=name, Timeout=30, MemorySize=256, Description="d", Role=role, Runtime="python3.11",
        Environment={"Variables": {"GREETING": "hello"}}, VpcConfig={"SubnetIds": [], "SecurityGroupIds": []},
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (answer["Timeout"], answer["MemorySize"], answer["Description"], answer["Role"], answer["Runtime"]) == (
        30, 256, "d", role, "python3.11")
    assert lam.get_function_configuration(FunctionName=name)["Role"] == role
    import json

    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read())["greeting"] == "hello"


def test_revision_id_guards_updates(lam, create) -> None:
    created = create()
    name = created["FunctionName"]
    updated = lam.update_function_configuration(FunctionName=name, Timeout=5, RevisionId=created["RevisionId"])
    with pytest.raises(ClientError) as stale:
        lam.update_function_configuration(FunctionName=name, Timeout=6, RevisionId=created["RevisionId"])
    assert stale.value.response["Error"]["Code"] == "PreconditionFailedException"
    assert stale.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == updated["RevisionId"]


def test_delete_function_answers_204_and_the_function_is_gone(lam, create) -> None:
    name = create(Publish=True)["FunctionName"]
    answer = lam.delete_function(FunctionName=arn(name))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name, Qualifier="1")


def test_publish_version_and_list_versions(lam, create) -> None:
    created = create(ECHO_ZIP, "echo.handler", Description="first")
    name = created["FunctionName"]
    one = lam.publish_version(FunctionName=name, Description="release 1", CodeSha256=created["CodeSha256"])
    assert one["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (one["Version"], one["FunctionArn"], one["Description"]) == ("1", arn(name, "1"), "release 1")
    # Nothing changed since version 1: publishing again gives version 1 back, as Lambda does.
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_configuration(FunctionName=name, Timeout=9)
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    answer = lam.list_versions_by_function(FunctionName=name)
    assert [(v["Version"], v["FunctionArn"], v["Timeout"]) for v in answer["Versions"]] == [
        ("$LATEST", arn(name, "$LATEST"), 9), ("1", arn(name, "1"), 3), ("2", arn(name, "2"), 9)]
    first = lam.list_versions_by_function(FunctionName=name, MaxItems=2)
    rest = lam.list_versions_by_function(FunctionName=name, Marker=first["NextMarker"])
    assert [v["Version"] for v in first["Versions"] + rest["Versions"]] == ["$LATEST", "1", "2"]
    assert "NextMarker" not in rest


def test_code_from_s3_is_refused_with_a_reason(lam, create) -> None:
    with pytest.raises(ClientError) as s3:
        lam.create_function(FunctionName=unique("s3"), Role=ROLE, Handler="a.b", Runtime="python3.12",
                            Code={"S3Bucket": "bucket", "S3Key": "key.zip"})
    assert s3.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "ZipFile" in s3.value.response["Error"]["Message"]
