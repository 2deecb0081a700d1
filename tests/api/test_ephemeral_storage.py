"""EphemeralStorage, the MB of a function's /tmp, through boto3: stored, reported, kept by each version, and the size
the handler's /tmp really has."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError

from console.engine.sandbox import unsandboxed_reason
from tests.api.conftest import REGION, ROLE, unique, zip_bytes
from tests.api.test_errors import error_of, raw

# Writes `mb` MB to /tmp and says whether it fitted; the file is removed either way, so a warm environment's /tmp is
# empty for the next invocation.
FILL = '''
import errno, os

def handler(event, context):
    written = 0
    chunk = b"x" * (4 * 1024 * 1024)
    try:
        with open("/tmp/fill", "wb") as fill:
            while written < event["mb"] * 1024 * 1024:
                fill.write(chunk)
                fill.flush()
                written += len(chunk)
        return {"error": None, "mb": written // (1024 * 1024)}
    except OSError as error:
        return {"error": errno.errorcode[error.errno], "mb": written // (1024 * 1024)}
    finally:
        if os.path.exists("/tmp/fill"):
            os.remove("/tmp/fill")
'''
FILL_ZIP = zip_bytes({"fill.py": FILL})


def sizes(answer: dict) -> int:
    return answer["EphemeralStorage"]["Size"]


def test_ephemeral_storage_is_stored_reported_and_kept_by_each_version(lam, create) -> None:
    assert sizes(create()) == 512  # Lambda's default
    name = unique("eph")
    assert sizes(create(FunctionName=name, EphemeralStorage={"Size": 1024})) == 1024
    assert sizes(lam.get_function(FunctionName=name)["Configuration"]) == 1024
    assert sizes(lam.get_function_configuration(FunctionName=name)) == 1024
    listed = [f for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]
    assert [sizes(f) for f in listed if f["FunctionName"] == name] == [1024]

    assert sizes(lam.update_function_configuration(FunctionName=name, EphemeralStorage={"Size": 2048})) == 2048
    # Other changes leave it alone.
    assert sizes(lam.update_function_configuration(FunctionName=name, Timeout=10)) == 2048
    assert sizes(lam.publish_version(FunctionName=name)) == 2048
    assert sizes(lam.update_function_configuration(FunctionName=name, EphemeralStorage={"Size": 10240})) == 10240
    # A change of size alone is a change: it publishes a new version.
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    assert sizes(lam.update_function_configuration(FunctionName=name, EphemeralStorage={"Size": 512})) == 512

    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [(v["Version"], sizes(v)) for v in versions] == [("$LATEST", 512), ("1", 2048), ("2", 10240)]
    assert sizes(lam.get_function_configuration(FunctionName=name, Qualifier="1")) == 2048
    every = [f for page in lam.get_paginator("list_functions").paginate(FunctionVersion="ALL")
             for f in page["Functions"] if f["FunctionName"] == name]
    assert [(f["Version"], sizes(f)) for f in every] == [("$LATEST", 512), ("1", 2048), ("2", 10240)]


@pytest.mark.parametrize("size", [10241, 100_000])
def test_too_much_ephemeral_storage_is_refused_in_lambdas_words(lam, create, size: int) -> None:
    name = unique("eph")
    message = (f"1 validation error detected: Value '{size}' at 'ephemeralStorage.size' failed to satisfy constraint: "
               "Member must have value less than or equal to 10240")
    assert error_of(create, FunctionName=name, EphemeralStorage={"Size": size}) == (
        "ValidationException", 400, message)
    assert error_of(lam.get_function, FunctionName=name)[1] == 404  # nothing was created
    create(FunctionName=name, EphemeralStorage={"Size": 1024})
    assert error_of(lam.update_function_configuration, FunctionName=name, EphemeralStorage={"Size": size}) == (
        "ValidationException", 400, message)
    assert sizes(lam.get_function_configuration(FunctionName=name)) == 1024  # unchanged


def test_too_little_ephemeral_storage_is_refused_by_boto3_and_by_the_server(lam, api_server) -> None:
    with pytest.raises(ParamValidationError, match="EphemeralStorage.Size"):
        lam.create_function(FunctionName=unique("eph"), Role=ROLE, Handler="fill.handler", Runtime="python3.12",
                            Code={"ZipFile": FILL_ZIP}, EphemeralStorage={"Size": 511})
    # A client that does not check (as botocore's parameter_validation=False) hears it from the console.
    import boto3

    unchecked = boto3.client("lambda", endpoint_url=api_server.url, region_name=REGION, aws_access_key_id="test",
                             aws_secret_access_key="test",
                             config=Config(retries={"max_attempts": 1}, parameter_validation=False))
    try:
        name = unique("eph")
        assert error_of(unchecked.create_function, FunctionName=name, Role=ROLE, Handler="fill.handler",
                        Runtime="python3.12", Code={"ZipFile": FILL_ZIP}, EphemeralStorage={"Size": 511}) == (
            "ValidationException", 400,
            ("1 validation error detected: Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: "
            "Member must have value greater than or equal to 512"))
    finally:
        unchecked.close()


@pytest.mark.parametrize(
    ("storage", "says"),
    [
        (1024, 'EphemeralStorage must be an object with a Size: {"Size": <MB of /tmp from 512 to 10240>}.'),
        ({}, 'EphemeralStorage must be an object with a Size: {"Size": <MB of /tmp from 512 to 10240>}.'),
        ({"Size": "1024"}, "EphemeralStorage.Size must be a whole number of MB, not '1024'."),
        ({"Size": 1024.5}, "EphemeralStorage.Size must be a whole number of MB, not 1024.5."),
        ({"Size": True}, "EphemeralStorage.Size must be a whole number of MB, not True."),
    ],
)
def test_malformed_ephemeral_storage_is_refused_saying_what_to_send(api_server, storage: object, says: str) -> None:
    name = unique("eph")
    body = {"FunctionName": name, "Role": ROLE, "Handler": "fill.handler", "Runtime": "python3.12",
            "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}, "EphemeralStorage": storage}
    status, headers, answer = raw(api_server.url, "POST", "/2015-03-31/functions", json.dumps(body).encode(),
                                  {"Content-Type": "application/json"})
    assert (status, headers["x-amzn-errortype"], json.loads(answer)["message"]) == (
        400, "InvalidParameterValueException", says)
    status, _, _ = raw(api_server.url, "GET", f"/2015-03-31/functions/{name}")
    assert status == 404


@pytest.mark.skipif(unsandboxed_reason() is not None, reason=f"/tmp is sized by the sandbox: {unsandboxed_reason()}")
def test_the_handlers_tmp_holds_what_its_ephemeral_storage_allows(lam, create) -> None:
    def fill(name: str, mb: int, qualifier: str = "$LATEST") -> dict:
        answer = lam.invoke(FunctionName=name, Qualifier=qualifier, Payload=json.dumps({"mb": mb}).encode())
        assert "FunctionError" not in answer
        return json.loads(answer["Payload"].read())

    # A tmpfs's pages are memory: the function has room for them.
    big = create(FILL_ZIP, "fill.handler", EphemeralStorage={"Size": 1024}, MemorySize=2048, Timeout=60)
    assert fill(big["FunctionName"], 700) == {"error": None, "mb": 700}

    small = create(FILL_ZIP, "fill.handler", MemorySize=2048, Timeout=60)["FunctionName"]
    seen = fill(small, 700)
    assert seen["error"] == "ENOSPC" and seen["mb"] <= 512
    lam.publish_version(FunctionName=small)  # version 1 keeps 512 MB
    # Changing the size retires the warm environment: the next invocation has the larger /tmp.
    lam.update_function_configuration(FunctionName=small, EphemeralStorage={"Size": 1024})
    assert fill(small, 700) == {"error": None, "mb": 700}
    assert fill(small, 700, qualifier="1")["error"] == "ENOSPC"
