"""Tags and reserved concurrency through real boto3, as deploy tools use them (Chalice tags its functions and clears
their concurrency on every deploy), and the shapes of their answers against botocore's model."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest

from tests.api.conftest import ACCOUNT, REGION, ROLE, unique
from tests.api.test_shapes import check
from tests.zips import zip_bytes

SLOW_ZIP = zip_bytes({"slow.py": "import time\ndef handler(event, context):\n    time.sleep(event.get('s', 0))\n"
                                 "    return 'done'\n"})


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def test_tags_given_at_creation_are_listed_changed_and_removed(lam, create):
    name = create(Tags={"team": "orders", "stage": "dev"})["FunctionName"]
    assert lam.get_function(FunctionName=name)["Tags"] == {"stage": "dev", "team": "orders"}
    lam.tag_resource(Resource=arn(name), Tags={"stage": "prod", "owner": "ada"})
    assert lam.list_tags(Resource=arn(name))["Tags"] == {"owner": "ada", "stage": "prod", "team": "orders"}
    lam.untag_resource(Resource=arn(name), TagKeys=["team", "owner"])
    assert lam.list_tags(Resource=arn(name))["Tags"] == {"stage": "prod"}


def test_a_function_without_tags_lists_none_and_get_function_leaves_them_out(lam, create):
    name = create()["FunctionName"]
    assert lam.list_tags(Resource=arn(name))["Tags"] == {}
    assert "Tags" not in lam.get_function(FunctionName=name)


def test_tags_of_a_deleted_function_go_with_it(lam, create):
    name = create(Tags={"keep": "no"})["FunctionName"]
    lam.delete_function(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException, match=f"Function not found: {arn(name)}"):
        lam.list_tags(Resource=arn(name))
    create(FunctionName=name)
    assert lam.list_tags(Resource=arn(name))["Tags"] == {}


def test_reserved_tag_keys_and_non_arns_are_refused_with_what_to_do(lam, create):
    name = create()["FunctionName"]
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="keys starting with aws: are reserved"):
        lam.tag_resource(Resource=arn(name), Tags={"aws:stack": "x"})
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="is not an ARN"):
        lam.list_tags(Resource=name)


def test_reserved_concurrency_zero_throttles_every_invocation_until_deleted(lam, create):
    name = create()["FunctionName"]
    assert lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)[
        "ReservedConcurrentExecutions"] == 0
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 0
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 0}
    with pytest.raises(lam.exceptions.TooManyRequestsException) as throttled:
        lam.invoke(FunctionName=name, Payload=b'{"first_name": "a", "last_name": "b"}')
    assert throttled.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    lam.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    answer = lam.invoke(FunctionName=name, Payload=b'{"first_name": "a", "last_name": "b"}')
    assert json.loads(answer["Payload"].read()) == {"message": "Hello a b!"}


def test_reserved_concurrency_one_lets_one_run_and_throttles_the_second(lam, create):
    name = create(package=SLOW_ZIP, handler="slow.handler", Timeout=30)["FunctionName"]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    first: dict = {}
    running = threading.Thread(target=lambda: first.update(lam.invoke(FunctionName=name, Payload=b'{"s": 3}')))
    running.start()
    try:
        deadline = time.monotonic() + 60
        while True:  # until the first one holds the function's only slot
            try:
                lam.invoke(FunctionName=name, Payload=b'{"s": 0}')
            except lam.exceptions.TooManyRequestsException:
                break
            assert time.monotonic() < deadline, "the second invocation was never throttled"
            time.sleep(0.05)
    finally:
        running.join()
    assert json.loads(first["Payload"].read()) == "done"


def test_concurrency_of_a_missing_function_is_not_found(lam):
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.put_function_concurrency(FunctionName=unique("missing"), ReservedConcurrentExecutions=1)


def test_account_settings_report_the_consoles_limits(lam, create):
    name = create()["FunctionName"]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    settings = lam.get_account_settings()
    limit = settings["AccountLimit"]
    assert limit["ConcurrentExecutions"] == 10  # the engine's environments
    assert limit["UnreservedConcurrentExecutions"] <= 8
    assert settings["AccountUsage"]["FunctionCount"] >= 1
    lam.delete_function_concurrency(FunctionName=name)


def test_tag_and_concurrency_answers_fit_the_model(client):
    create = {"FunctionName": "shaped-tags", "Role": ROLE, "Handler": "hello_python.my_handler",
              "Runtime": "python3.12", "Tags": {"a": "b"},
              "Code": {"ZipFile": base64.b64encode(SLOW_ZIP).decode()}}
    check("CreateFunction", client.post("/2015-03-31/functions", data=json.dumps(create)), 201)
    resource = "arn:aws:lambda:us-east-1:123456789012:function:shaped-tags"
    check("GetFunction", client.get("/2015-03-31/functions/shaped-tags"))
    check("ListTags", client.get(f"/2017-03-31/tags/{resource}"))
    check("PutFunctionConcurrency", client.put("/2017-10-31/functions/shaped-tags/concurrency",
                                               data=json.dumps({"ReservedConcurrentExecutions": 3})))
    check("GetFunctionConcurrency", client.get("/2019-09-30/functions/shaped-tags/concurrency"))
    check("GetFunction", client.get("/2015-03-31/functions/shaped-tags"))
    check("GetAccountSettings", client.get("/2016-08-19/account-settings"))


def test_the_aws_cli_tags_reserves_and_aliases_a_function(aws, lam, create):
    """The same operations as a shell script runs them with the AWS CLI v1."""
    name = create(Publish=True)["FunctionName"]
    resource = arn(name)
    aws("tag-resource", "--resource", resource, "--tags", "team=orders,stage=dev")
    assert aws.json("list-tags", "--resource", resource)["Tags"] == {"stage": "dev", "team": "orders"}
    aws("untag-resource", "--resource", resource, "--tag-keys", "stage")
    assert aws.json("list-tags", "--resource", resource)["Tags"] == {"team": "orders"}

    assert aws.json("put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "0")[
        "ReservedConcurrentExecutions"] == 0
    assert aws.json("get-function-concurrency", "--function-name", name)["ReservedConcurrentExecutions"] == 0
    aws("delete-function-concurrency", "--function-name", name)
    # Nothing reserved: an empty answer, which the CLI prints as nothing at all.
    assert aws("get-function-concurrency", "--function-name", name).stdout.strip() in ("", "{}")
    assert aws.json("get-account-settings")["AccountLimit"]["ConcurrentExecutions"] == 10

    alias = aws.json("create-alias", "--function-name", name, "--name", "live", "--function-version", "1")
    assert alias["AliasArn"].endswith(f":function:{name}:live")
    aws("update-alias", "--function-name", name, "--name", "live", "--description", "production")
    assert aws.json("get-alias", "--function-name", name, "--name", "live")["Description"] == "production"
    assert [a["Name"] for a in aws.json("list-aliases", "--function-name", name)["Aliases"]] == ["live"]
    refused = aws("delete-function", "--function-name", name, "--qualifier", "1", check=False)
    assert refused.returncode != 0 and "ResourceConflictException" in refused.stderr
    aws("delete-alias", "--function-name", name, "--name", "live")
    aws("delete-function", "--function-name", name, "--qualifier", "1")
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]] == ["$LATEST"]
