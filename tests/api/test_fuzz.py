"""Random and hostile requests to every API operation: always a JSON answer in Lambda's format, never a 5xx."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from([
    "FunctionName", "Role", "Handler", "Runtime", "Code", "Timeout", "MemorySize", "Environment", "Description",
    "Publish", "Layers", "PackageType", "ZipFile", "DryRun", "RevisionId", "CodeSha256", "Architectures",
])
BODIES = st.dictionaries(FIELDS, JSON, max_size=8).map(json.dumps).map(str.encode) | st.binary(max_size=64)
NAMES = st.sampled_from(["hello_python", "nope", "hello_python:1", "hello_python:$LATEST", "a%3Ab", "x" * 70,
                         "arn:aws:lambda:eu-west-1:123456789012:function:hello_python", "%00", "..", "a.b"])
OPERATIONS = st.sampled_from([
    ("POST", "/2015-03-31/functions"),
    ("GET", "/2015-03-31/functions/{name}"),
    ("GET", "/2015-03-31/functions/{name}/configuration"),
    ("PUT", "/2015-03-31/functions/{name}/code"),
    ("PUT", "/2015-03-31/functions/{name}/configuration"),
    ("POST", "/2015-03-31/functions/{name}/versions"),
    ("GET", "/2015-03-31/functions/{name}/versions?MaxItems={query}&Marker={query}"),
    ("GET", "/2015-03-31/functions?MaxItems={query}&Marker={query}&FunctionVersion={query}"),
    ("POST", "/2015-03-31/functions/{name}/invocations?Qualifier={query}"),
])
HEADERS = st.fixed_dictionaries({}, optional={
    "X-Amz-Invocation-Type": st.sampled_from(["RequestResponse", "Event", "DryRun", "", "Other"]),
    "X-Amz-Log-Type": st.sampled_from(["None", "Tail", "x"]),
    "X-Amz-Client-Context": st.sampled_from(["", "e30=", "bm90IGpzb24=", "!!", "W10="]),
    "Content-Type": st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
    "Authorization": st.sampled_from(["AWS4-HMAC-SHA256 Credential=a/20260101/eu-west-1/lambda/aws4_request", "x"]),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operation=OPERATIONS, name=NAMES, query=st.sampled_from(["", "0", "1", "51", "x", "ALL", "-1"]),
       body=BODIES, headers=HEADERS)
def test_any_request_gets_a_json_answer_and_never_a_5xx(client, operation, name, query, body, headers) -> None:
    method, path = operation
    answer = client.open(path.format(name=name, query=query), method=method, data=body, headers=headers)
    assert answer.status_code < 500, answer.get_data(as_text=True)
    if answer.status_code >= 400:
        error = answer.get_json()
        assert error["__type"] == answer.headers["x-amzn-ErrorType"]
        assert error["Type"] == "User" and error["message"]
        assert answer.headers["x-amzn-RequestId"]
