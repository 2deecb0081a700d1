"""Every answer of the REST API, as its raw JSON, fits the shape botocore's Lambda service model gives the operation:
no member the model lacks (boto3 would drop it without a word), every required member there, each value of its type,
within its enum, length and range."""

from __future__ import annotations

import base64
import json
import re

import pytest
from botocore.model import Shape
from botocore.session import get_session

from tests.api.conftest import ECHO_ZIP, HELLO_ZIP, ROLE

MODEL = get_session().get_service_model("lambda")


def problems(value: object, shape: Shape, where: str = "$") -> list[str]:
    """What in `value` does not fit `shape` (empty when it fits)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        body = {  # members sent in headers or as the status code are not in the body
            member.serialization.get("name", name): (name, member) for name, member in shape.members.items()
            if member.serialization.get("location") is None
        }
        found = [f"{where}.{key}: not a member of {shape.name}" for key in value if key not in body]
        found += [f"{where}.{name}: required by {shape.name}, missing" for name in shape.required_members
                  if name not in value]
        for key, item in value.items():
            if key in body:
                found += problems(item, body[key][1], f"{where}.{key}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        return [problem for index, item in enumerate(value) for problem in problems(item, shape.member, f"{where}[{index}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        return [problem for key, item in value.items() for problem in problems(item, shape.value, f"{where}.{key}")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: {value!r} is not a string"]
        found = []
        if shape.enum and value not in shape.enum:
            found.append(f"{where}: {value!r} is not one of {shape.enum}")
        if len(value) < shape.metadata.get("min", 0) or len(value) > shape.metadata.get("max", len(value)):
            found.append(f"{where}: {value!r} has a length outside {shape.metadata}")
        pattern = shape.metadata.get("pattern")
        java_only = "(?" in pattern or "\\p{" in pattern if pattern else False  # syntax Python's re lacks
        if pattern and not java_only and not re.fullmatch(pattern, value):
            found.append(f"{where}: {value!r} does not match {pattern}")
        return found
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{where}: {value!r} is not a whole number"]
        low, high = shape.metadata.get("min", value), shape.metadata.get("max", value)
        return [] if low <= value <= high else [f"{where}: {value} is outside {low}..{high}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: {value!r} is not true or false"]
    if kind == "timestamp":
        return [] if isinstance(value, (str, int, float)) else [f"{where}: {value!r} is not a time"]
    return [f"{where}: a {kind} value, which no lambda-console answer holds"]


def check(operation: str, response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert problems(body, MODEL.operation_model(operation).output_shape) == []
    return body


def test_the_shape_check_finds_what_botocore_would_drop_or_misread() -> None:
    shape = MODEL.operation_model("GetFunctionConfiguration").output_shape
    assert problems({"FunctionName": "f", "Colour": "red"}, shape) == [
        "$.Colour: not a member of FunctionConfiguration"]
    assert problems({"Timeout": "3"}, shape) == ["$.Timeout: '3' is not a whole number"]
    assert problems({"State": "Sleeping"}, shape)[0].startswith("$.State: 'Sleeping' is not one of")


@pytest.mark.parametrize("publish", [False, True])
def test_each_function_operation_answers_in_its_model_shape(client, publish: bool) -> None:
    name = f"shaped-{int(publish)}"
    create = {"FunctionName": name, "Role": ROLE, "Handler": "hello_python.my_handler", "Runtime": "python3.12",
              "Environment": {"Variables": {"GREETING": "hi"}}, "Publish": publish,
              "Code": {"ZipFile": base64.b64encode(HELLO_ZIP).decode()}}
    check("CreateFunction", client.post("/2015-03-31/functions", data=json.dumps(create)), 201)
    base = f"/2015-03-31/functions/{name}"
    check("GetFunction", client.get(base))
    check("GetFunctionConfiguration", client.get(f"{base}/configuration"))
    check("ListFunctions", client.get("/2015-03-31/functions?FunctionVersion=ALL&MaxItems=2"))
    code = {"ZipFile": base64.b64encode(ECHO_ZIP).decode(), "Publish": True}
    check("UpdateFunctionCode", client.put(f"{base}/code", data=json.dumps(code)))
    check("UpdateFunctionConfiguration", client.put(f"{base}/configuration", data=json.dumps({"Timeout": 9})))
    check("PublishVersion", client.post(f"{base}/versions", data=json.dumps({"Description": "v"})), 201)
    versions = check("ListVersionsByFunction", client.get(f"{base}/versions?MaxItems=1"))
    assert "NextMarker" in versions  # the paged form is checked too


def test_each_layer_operation_answers_in_its_model_shape(client) -> None:
    layer = {"Content": {"ZipFile": base64.b64encode(HELLO_ZIP).decode()}, "Description": "d",
             "CompatibleRuntimes": ["python3.12"], "CompatibleArchitectures": ["x86_64"], "LicenseInfo": "MIT"}
    published = check("PublishLayerVersion", client.post("/2018-10-31/layers/shaped/versions", data=json.dumps(layer)),
                      201)
    client.post("/2018-10-31/layers/shaped/versions", data=json.dumps({"Content": layer["Content"]}))
    check("GetLayerVersion", client.get("/2018-10-31/layers/shaped/versions/1"))
    check("GetLayerVersionByArn", client.get(f"/2018-10-31/layers?find=LayerVersion&Arn={published['LayerVersionArn']}"))
    check("ListLayers", client.get("/2018-10-31/layers"))
    versions = check("ListLayerVersions", client.get("/2018-10-31/layers/shaped/versions?MaxItems=1"))
    assert "NextMarker" in versions  # the paged form is checked too
    create = {"FunctionName": "layered", "Role": ROLE, "Handler": "hello_python.my_handler",
              "Code": {"ZipFile": base64.b64encode(HELLO_ZIP).decode()}, "Layers": [published["LayerVersionArn"]]}
    created = check("CreateFunction", client.post("/2015-03-31/functions", data=json.dumps(create)), 201)
    assert created["Layers"][0]["Arn"] == published["LayerVersionArn"]
    check("GetFunction", client.get("/2015-03-31/functions/layered"))
    assert client.delete("/2018-10-31/layers/shaped/versions/2").status_code == 204
