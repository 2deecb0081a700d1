"""Layers through real boto3 against a live `lambda-console serve`: publishing, reading, listing, deleting layer
versions, and functions that run with them as Lambda merges them into /opt."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ACCOUNT, REGION, ROLE, boto3_client, unique
from tests.conftest import LiveServer
from tests.zips import zip_bytes

SITE_PACKAGES = "python/lib/python{}.{}/site-packages".format(*sys.version_info[:2])
# The functions run on the interpreter the layer was laid out for.
RUNTIME = "python{}.{}".format(*sys.version_info[:2])
# Two layers: the later one's `shared` module replaces the earlier one's; each brings a module of its own, one in
# python/ and one in python/lib/python3.X/site-packages/, the two folders Lambda puts on sys.path.
FIRST = zip_bytes({"python/shared.py": "WHO = 'first'\n", "python/first_only.py": "VALUE = 1\n"})
SECOND = zip_bytes({"python/shared.py": "WHO = 'second'\n", f"{SITE_PACKAGES}/second_only.py": "VALUE = 2\n"})
HANDLER = zip_bytes({"app.py": (
    "import first_only, second_only, shared\n"
    "def handler(event, context):\n"
    "    return {'who': shared.WHO, 'first': first_only.VALUE, 'second': second_only.VALUE}\n"
)})


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def publish(lam, name: str, package: bytes = FIRST, **fields: object) -> dict:
    return lam.publish_layer_version(LayerName=name, Content={"ZipFile": package}, **fields)


def invoke(lam, name: str, qualifier: str | None = None) -> dict:
    extra = {"Qualifier": qualifier} if qualifier else {}
    response = lam.invoke(FunctionName=name, Payload=b"{}", **extra)
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


def test_publish_get_list_and_delete_a_layer_version(lam) -> None:
    name = unique("layer")
    first = publish(lam, name, Description="shared code", CompatibleRuntimes=["python3.12", "python3.13"],
                    CompatibleArchitectures=["x86_64"], LicenseInfo="MIT")
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{name}"
    assert first["LayerArn"] == arn
    assert first["LayerVersionArn"] == f"{arn}:1"
    assert first["Version"] == 1
    assert first["Description"] == "shared code"
    assert first["CompatibleRuntimes"] == ["python3.12", "python3.13"]
    assert first["CompatibleArchitectures"] == ["x86_64"]
    assert first["LicenseInfo"] == "MIT"
    assert first["Content"]["CodeSize"] == len(FIRST)

    got = lam.get_layer_version(LayerName=name, VersionNumber=1)
    assert got["LayerVersionArn"] == f"{arn}:1"
    assert got["Content"]["CodeSha256"] == first["Content"]["CodeSha256"]
    assert lam.get_layer_version_by_arn(Arn=f"{arn}:1")["Description"] == "shared code"
    # The layer's ARN names it as well as its name does.
    assert lam.get_layer_version(LayerName=arn, VersionNumber=1)["Version"] == 1

    assert publish(lam, name, SECOND)["Version"] == 2
    versions = lam.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]  # newest first
    listed = {layer["LayerName"]: layer for layer in lam.list_layers()["Layers"]}
    assert listed[name]["LayerArn"] == arn
    assert listed[name]["LatestMatchingVersion"]["Version"] == 2

    lam.delete_layer_version(LayerName=name, VersionNumber=2)
    with pytest.raises(ClientError) as gone:
        lam.get_layer_version(LayerName=name, VersionNumber=2)
    assert error_of(gone) == ("ResourceNotFoundException", "The resource you requested does not exist.")
    assert [v["Version"] for v in lam.list_layer_versions(LayerName=name)["LayerVersions"]] == [1]
    listed = {layer["LayerName"]: layer for layer in lam.list_layers()["Layers"]}
    assert listed[name]["LatestMatchingVersion"]["Version"] == 1
    lam.delete_layer_version(LayerName=name, VersionNumber=2)  # deleting it again is no error, as on Lambda

    # Numbers are never given again: after deleting version 2, the next is 3.
    assert publish(lam, name)["Version"] == 3


def test_a_layer_whose_versions_are_all_deleted_is_no_longer_listed(lam) -> None:
    name = unique("layer")
    publish(lam, name)
    lam.delete_layer_version(LayerName=name, VersionNumber=1)
    assert name not in {layer["LayerName"] for layer in lam.list_layers()["Layers"]}
    assert lam.list_layer_versions(LayerName=name)["LayerVersions"] == []
    assert publish(lam, name)["Version"] == 2


def test_listing_pages_with_marker_and_max_items_and_filters_by_runtime(lam) -> None:
    name = unique("layer")
    for runtime in ("python3.12", "python3.13", "python3.12"):
        publish(lam, name, CompatibleRuntimes=[runtime])
    first = lam.list_layer_versions(LayerName=name, MaxItems=2)
    assert [v["Version"] for v in first["LayerVersions"]] == [3, 2]
    second = lam.list_layer_versions(LayerName=name, MaxItems=2, Marker=first["NextMarker"])
    assert [v["Version"] for v in second["LayerVersions"]] == [1]
    assert "NextMarker" not in second
    only = lam.list_layer_versions(LayerName=name, CompatibleRuntime="python3.13")["LayerVersions"]
    assert [v["Version"] for v in only] == [2]
    # boto3's paginator follows NextMarker through every page.
    pages = lam.get_paginator("list_layer_versions").paginate(LayerName=name, PaginationConfig={"PageSize": 1})
    assert [v["Version"] for page in pages for v in page["LayerVersions"]] == [3, 2, 1]

    other = unique("layer")
    publish(lam, other, CompatibleRuntimes=["python3.11"])
    names, marker = [], None
    while True:
        page = lam.list_layers(MaxItems=1, **({"Marker": marker} if marker else {}))
        assert len(page["Layers"]) <= 1
        names += [layer["LayerName"] for layer in page["Layers"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert {name, other} <= set(names)
    assert names == sorted(names)
    by_runtime = {layer["LayerName"]: layer for layer in lam.list_layers(CompatibleRuntime="python3.12")["Layers"]}
    assert by_runtime[name]["LatestMatchingVersion"]["Version"] == 3
    assert other not in by_runtime


def test_publishing_refuses_s3_content_and_bad_fields_with_what_to_do(lam) -> None:
    name = unique("layer")
    with pytest.raises(ClientError) as s3:
        lam.publish_layer_version(LayerName=name, Content={"S3Bucket": "bucket", "S3Key": "layer.zip"})
    code, message = error_of(s3)
    assert code == "InvalidParameterValueException"
    assert "Content.ZipFile" in message and "--zip-file fileb://" in message
    with pytest.raises(ClientError) as not_zip:
        lam.publish_layer_version(LayerName=name, Content={"ZipFile": b"not a zip"})
    assert error_of(not_zip)[0] == "InvalidParameterValueException"
    assert "Content.ZipFile" in error_of(not_zip)[1]
    with pytest.raises(ClientError) as runtime:
        publish(lam, name, CompatibleRuntimes=["python9"])
    assert error_of(runtime) == ("InvalidParameterValueException", (
        "Compatible runtime 'python9' is not a Lambda runtime: use identifiers such as python3.12 (the Runtime of a "
        "function)."))
    with pytest.raises(ClientError) as other_account:
        lam.get_layer_version(LayerName=f"arn:aws:lambda:{REGION}:210987654321:layer:{name}", VersionNumber=1)
    assert error_of(other_account)[0] == "InvalidParameterValueException"
    assert f"lambda-console has one account, {ACCOUNT}" in error_of(other_account)[1]
    # Nothing was published by the refusals.
    assert lam.list_layer_versions(LayerName=name)["LayerVersions"] == []


def test_a_function_runs_with_two_layers_merged_in_lambdas_order(lam) -> None:
    first, second = publish(lam, unique("first")), publish(lam, unique("second"), SECOND)
    name = unique("fn")
    created = lam.create_function(FunctionName=name, Role=ROLE, Runtime=RUNTIME, Handler="app.handler",
                                  Code={"ZipFile": HANDLER},
                                  Layers=[first["LayerVersionArn"], second["LayerVersionArn"]])
    assert created["Layers"] == [{"Arn": first["LayerVersionArn"], "CodeSize": len(FIRST)},
                                 {"Arn": second["LayerVersionArn"], "CodeSize": len(SECOND)}]
    assert invoke(lam, name) == {"who": "second", "first": 1, "second": 2}
    configuration = lam.get_function(FunctionName=name)["Configuration"]
    assert [layer["Arn"] for layer in configuration["Layers"]] == [first["LayerVersionArn"], second["LayerVersionArn"]]

    # The other order: the first layer's module now replaces the second's.
    lam.update_function_configuration(FunctionName=name, Layers=[second["LayerVersionArn"], first["LayerVersionArn"]])
    assert invoke(lam, name)["who"] == "first"


def test_a_published_version_keeps_its_layers_after_latest_changes(lam) -> None:
    first, second = publish(lam, unique("first")), publish(lam, unique("second"), SECOND)
    name = unique("fn")
    lam.create_function(FunctionName=name, Role=ROLE, Runtime=RUNTIME, Handler="app.handler",
                        Code={"ZipFile": HANDLER}, Layers=[first["LayerVersionArn"], second["LayerVersionArn"]])
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.update_function_configuration(FunctionName=name, Layers=[second["LayerVersionArn"], first["LayerVersionArn"]])
    assert invoke(lam, name)["who"] == "first"
    assert invoke(lam, name, version)["who"] == "second"
    kept = lam.get_function_configuration(FunctionName=name, Qualifier=version)["Layers"]
    assert [layer["Arn"] for layer in kept] == [first["LayerVersionArn"], second["LayerVersionArn"]]
    # A change of layers alone is something to publish.
    assert lam.publish_version(FunctionName=name)["Version"] == str(int(version) + 1)

    # Deleting a layer version keeps it for the functions that use it, as on Lambda.
    lam.delete_layer_version(LayerName=first["LayerArn"], VersionNumber=1)
    assert invoke(lam, name, version)["who"] == "second"
    lam.update_function_configuration(FunctionName=name, Layers=[])
    assert "Layers" not in lam.get_function_configuration(FunctionName=name)


def test_functions_layers_are_checked_as_lambda_checks_them(lam, create) -> None:
    layer = publish(lam, unique("layer"))
    function = create()
    arns = [layer["LayerVersionArn"]] * 6
    with pytest.raises(ClientError) as six:
        lam.update_function_configuration(FunctionName=function["FunctionName"], Layers=arns)
    assert error_of(six) == ("InvalidParameterValueException", "Cannot reference more than 5 layers.")

    unknown = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{unique('missing')}:1"
    with pytest.raises(ClientError) as missing:
        create(Layers=[unknown])
    assert error_of(missing) == ("InvalidParameterValueException", f"Layer version {unknown} does not exist.")

    second = publish(lam, layer["LayerArn"])
    with pytest.raises(ClientError) as twice:
        lam.update_function_configuration(FunctionName=function["FunctionName"],
                                          Layers=[layer["LayerVersionArn"], second["LayerVersionArn"]])
    assert error_of(twice)[1] == (
        "Two different versions of the same layer are not allowed to be referenced in the same function. "
        f"{layer['LayerVersionArn']} and {second['LayerVersionArn']} are versions of the same layer.")

    with pytest.raises(ClientError) as malformed:
        lam.update_function_configuration(FunctionName=function["FunctionName"], Layers=[layer["LayerArn"]])
    assert "at 'layers' failed to satisfy constraint" in error_of(malformed)[1]
    # None of the refusals changed the function.
    assert "Layers" not in lam.get_function_configuration(FunctionName=function["FunctionName"])


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A console whose unzipped-code limit is 4 KB instead of Lambda's 250 MB, so that the limit can be reached."""
    server = LiveServer(tmp_path_factory.mktemp("small") / "data",
                        env={"LAMBDA_CONSOLE_MAX_UNZIPPED_BYTES": "4096", "LAMBDA_CONSOLE_LOAD_SAMPLES": "0"})
    yield server
    server.stop()


def test_the_code_and_its_layers_together_are_held_to_the_unzipped_limit(small_server: LiveServer) -> None:
    lam = boto3_client(small_server.url)
    try:
        layer = publish(lam, "big", zip_bytes({"python/big.py": "#" * 2500}))
        code = zip_bytes({"app.py": "def handler(event, context):\n    return 1\n" + "#" * 2000})
        lam.create_function(FunctionName="fits", Role=ROLE, Handler="app.handler", Code={"ZipFile": code})
        with pytest.raises(ClientError) as too_big:
            lam.update_function_configuration(FunctionName="fits", Layers=[layer["LayerVersionArn"]])
        code_part = 2000 + len("def handler(event, context):\n    return 1\n")
        assert error_of(too_big) == (
            "InvalidParameterValueException",
            ("Function code combined with layers exceeds the maximum allowed size of 4096 bytes. "
             f"The actual size is {code_part + 2500} bytes."))
        with pytest.raises(ClientError) as at_create:
            lam.create_function(FunctionName="toobig", Role=ROLE, Handler="app.handler", Code={"ZipFile": code},
                                Layers=[layer["LayerVersionArn"]])
        assert error_of(at_create)[1].startswith("Function code combined with layers exceeds")
        assert "toobig" not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]

        # Smaller code with the layer fits; growing the code past the limit afterwards is refused the same way.
        lam.update_function_code(FunctionName="fits", ZipFile=zip_bytes({"app.py": "def handler(e, c):\n    return 2\n"}))
        lam.update_function_configuration(FunctionName="fits", Layers=[layer["LayerVersionArn"]])
        with pytest.raises(ClientError) as grown:
            lam.update_function_code(FunctionName="fits", ZipFile=code)
        assert error_of(grown)[1].startswith("Function code combined with layers exceeds")
    finally:
        lam.close()


def test_the_aws_cli_publishes_lists_and_attaches_layers(aws, lam, tmp_path) -> None:
    name = unique("cli-layer")
    (tmp_path / "layer.zip").write_bytes(FIRST)
    published = aws.json("publish-layer-version", "--layer-name", name, "--zip-file", "fileb://layer.zip",
                         "--compatible-runtimes", "python3.12", "--description", "from the CLI")
    assert published["Version"] == 1 and published["Description"] == "from the CLI"
    # The CLI follows NextMarker itself: one item a page, every version.
    aws("publish-layer-version", "--layer-name", name, "--zip-file", "fileb://layer.zip")
    listed = aws.json("list-layer-versions", "--layer-name", name, "--page-size", "1")
    assert [v["Version"] for v in listed["LayerVersions"]] == [2, 1]
    (tmp_path / "app.zip").write_bytes(zip_bytes({"app.py": (
        "import shared\ndef handler(event, context):\n    return shared.WHO\n")}))
    function = unique("fn")
    aws("create-function", "--function-name", function, "--role", ROLE, "--runtime", "python3.12",
        "--handler", "app.handler", "--zip-file", "fileb://app.zip", "--layers", published["LayerVersionArn"])
    assert invoke(lam, function) == "first"
    missing = aws("get-layer-version", "--layer-name", name, "--version-number", "9", check=False)
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr and "The resource you requested does not exist." in missing.stderr
