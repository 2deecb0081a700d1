"""Aliases through real boto3: create, get, update, list, delete; Invoke and GetFunction by alias with
ExecutedVersion; a weighted alias splitting invocations between two versions; DeleteFunction with a Qualifier deleting
one version, refused while an alias holds it; and the answers' shapes against botocore's model."""

from __future__ import annotations

import base64
import json
from collections import Counter

import pytest

from tests.api.conftest import ACCOUNT, REGION, ROLE
from tests.api.test_shapes import check
from tests.zips import zip_bytes


def answer_zip(value: str) -> bytes:
    return zip_bytes({"app.py": f"def handler(event, context):\n    return {value!r}\n"})


@pytest.fixture
def versioned(lam, create) -> str:
    """A function with versions 1 ("one") and 2 ("two"), and $LATEST answering "latest"."""
    name = create(package=answer_zip("one"), handler="app.handler")["FunctionName"]
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=answer_zip("two"), Publish=True)
    lam.update_function_code(FunctionName=name, ZipFile=answer_zip("latest"))
    return name


def invoke(lam, name: str, qualifier: str) -> tuple[str, str]:
    answer = lam.invoke(FunctionName=name, Qualifier=qualifier)
    return json.loads(answer["Payload"].read()), answer["ExecutedVersion"]


def test_an_alias_points_invocations_and_get_function_at_its_version(lam, versioned):
    created = lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1", Description="prod")
    assert created["AliasArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{versioned}:live"
    assert invoke(lam, versioned, "live") == ("one", "1")
    assert lam.get_function(FunctionName=f"{versioned}:live")["Configuration"]["Version"] == "1"
    revision = lam.get_alias(FunctionName=versioned, Name="live")["RevisionId"]
    lam.update_alias(FunctionName=versioned, Name="live", FunctionVersion="2", RevisionId=revision)
    assert invoke(lam, versioned, "live") == ("two", "2")
    assert [a["Name"] for a in lam.list_aliases(FunctionName=versioned)["Aliases"]] == ["live"]
    assert lam.list_aliases(FunctionName=versioned, FunctionVersion="1")["Aliases"] == []
    lam.delete_alias(FunctionName=versioned, Name="live")
    with pytest.raises(lam.exceptions.ResourceNotFoundException, match="Cannot find alias arn: .*:live"):
        lam.get_alias(FunctionName=versioned, Name="live")
    with pytest.raises(lam.exceptions.ResourceNotFoundException, match=f"Function not found: .*{versioned}:live"):
        lam.invoke(FunctionName=versioned, Qualifier="live")


def test_a_weighted_alias_splits_invocations_between_two_versions(lam, versioned):
    lam.create_alias(FunctionName=versioned, Name="canary", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    assert lam.get_alias(FunctionName=versioned, Name="canary")["RoutingConfig"] == {
        "AdditionalVersionWeights": {"2": 0.5}}
    runs = Counter(invoke(lam, versioned, "canary") for _ in range(60))
    assert set(runs) == {("one", "1"), ("two", "2")}  # both versions ran (a miss has odds of 2 in 10^18)
    lam.update_alias(FunctionName=versioned, Name="canary", RoutingConfig={"AdditionalVersionWeights": {}})
    assert {invoke(lam, versioned, "canary") for _ in range(5)} == {("one", "1")}


def test_alias_mistakes_are_refused_with_lambdas_words(lam, versioned):
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    with pytest.raises(lam.exceptions.ResourceConflictException, match=r"Alias already exists: arn:aws:lambda:.*:live"):
        lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="2")
    with pytest.raises(lam.exceptions.ResourceNotFoundException, match=f"Function not found: .*{versioned}:9"):
        lam.create_alias(FunctionName=versioned, Name="later", FunctionVersion="9")
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="published versions, not"):
        lam.create_alias(FunctionName=versioned, Name="w", FunctionVersion="$LATEST",
                         RoutingConfig={"AdditionalVersionWeights": {"1": 0.2}})
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="RevisionId|Revision Id"):
        lam.update_alias(FunctionName=versioned, Name="live", FunctionVersion="2", RevisionId="stale")


def test_delete_function_with_a_qualifier_deletes_one_version_unless_an_alias_holds_it(lam, versioned):
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    with pytest.raises(lam.exceptions.ResourceConflictException,
                       match=r"Unable to delete version because the following aliases reference it: \[live\]"):
        lam.delete_function(FunctionName=versioned, Qualifier="1")
    lam.delete_function(FunctionName=versioned, Qualifier="2")
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=versioned)["Versions"]]
    assert versions == ["$LATEST", "1"]
    lam.delete_function(FunctionName=versioned, Qualifier="99")  # no such version: no error, as on Lambda
    assert lam.publish_version(FunctionName=versioned)["Version"] == "3"  # numbers are never reused
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="cannot be deleted without deleting"):
        lam.delete_function(FunctionName=versioned, Qualifier="$LATEST")
    assert lam.get_function(FunctionName=versioned)["Configuration"]["FunctionName"] == versioned


def test_alias_answers_fit_the_model(client):
    create = {"FunctionName": "shaped-alias", "Role": ROLE, "Handler": "app.handler", "Runtime": "python3.12",
              "Publish": True, "Code": {"ZipFile": base64.b64encode(answer_zip("one")).decode()}}
    check("CreateFunction", client.post("/2015-03-31/functions", data=json.dumps(create)), 201)
    base = "/2015-03-31/functions/shaped-alias/aliases"
    check("CreateAlias", client.post(base, data=json.dumps({"Name": "live", "FunctionVersion": "1"})), 201)
    check("GetAlias", client.get(f"{base}/live"))
    check("UpdateAlias", client.put(f"{base}/live", data=json.dumps({"Description": "d"})))
    check("ListAliases", client.get(f"{base}?MaxItems=1"))


def test_the_handlers_context_names_the_alias_it_was_invoked_through(lam, create):
    name = create(package=zip_bytes({"app.py": "def handler(event, context):\n"
                                               "    return context.invoked_function_arn\n"}),
                  handler="app.handler", Publish=True)["FunctionName"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    assert json.loads(lam.invoke(FunctionName=name, Qualifier="live")["Payload"].read()) == f"{base}:live"
    assert json.loads(lam.invoke(FunctionName=name, Qualifier="1")["Payload"].read()) == f"{base}:1"
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == base
