"""Random and hostile requests to every API operation: always a JSON answer in Lambda's format, never a 5xx."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Text JSON escapes but UTF-8 and process environments cannot carry: lone surrogates, NUL, line breaks.
HOSTILE_TEXT = st.text(alphabet=st.sampled_from(["\udc80", "\ud83d", "\x00", "\r", "\n", "\x7f", "a"]), max_size=6)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20) | HOSTILE_TEXT
    | st.builds(lambda key, value: {"Variables": {key: value}}, st.sampled_from(["AB", "A_1"]), HOSTILE_TEXT),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from([
    "FunctionName", "Role", "Handler", "Runtime", "Code", "Timeout", "MemorySize", "Environment", "Description",
    "Publish", "Layers", "PackageType", "ZipFile", "DryRun", "RevisionId", "CodeSha256", "Architectures",
    "Content", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo",
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
    ("POST", "/2018-10-31/layers/{name}/versions"),
    ("GET", "/2018-10-31/layers/{name}/versions/{query}"),
    ("DELETE", "/2018-10-31/layers/{name}/versions/{query}"),
    ("GET", "/2018-10-31/layers/{name}/versions?MaxItems={query}&Marker={query}&CompatibleRuntime={query}"),
    ("GET", "/2018-10-31/layers?MaxItems={query}&Marker={query}&CompatibleArchitecture={query}"),
    ("GET", "/2018-10-31/layers?find=LayerVersion&Arn={name}"),
])
HEADERS = st.fixed_dictionaries({}, optional={
    "X-Amz-Invocation-Type": st.sampled_from(["RequestResponse", "Event", "DryRun", "", "Other"]),
    "X-Amz-Log-Type": st.sampled_from(["None", "Tail", "x"]),
    "X-Amz-Client-Context": st.sampled_from(["", "e30=", "bm90IGpzb24=", "!!", "W10="]),
    "Content-Type": st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
    "Authorization": st.sampled_from(["AWS4-HMAC-SHA256 Credential=a/20260101/eu-west-1/lambda/aws4_request", "x"]),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operation=OPERATIONS, name=NAMES, query=st.sampled_from(["", "0", "1", "51", "x", "ALL", "-1", "9" * 23, "\u00b2",
                                                                "%0D%0A", "%ED%B2%80"]),
       body=BODIES, headers=HEADERS)
def test_any_request_gets_a_json_answer_and_never_a_5xx(client, operation, name, query, body, headers) -> None:
    method, path = operation
    answer = client.open(path.format(name=name, query=query), method=method, data=body, headers=headers)
    assert answer.status_code < 500, answer.get_data(as_text=True)
    if answer.status_code >= 400:
        error = answer.get_json()
        assert error["__type"] == answer.headers["x-amzn-ErrorType"]
        assert error["Type"] == "User" and error["message"]
        assert error["__type"] != "ServiceException", error  # a fault of the console, not of the request
        assert answer.headers["x-amzn-RequestId"]


HUGE_QUALIFIERS = st.one_of(st.integers(min_value=2**63 - 2).map(str),
                            st.integers(min_value=20, max_value=4400).map(lambda digits: "9" * digits),
                            st.sampled_from(["\u00b2", "\u0663", "1\r\n", "$LATEST\x00"]))
HOSTILE_BODIES = st.one_of(
    HOSTILE_TEXT.map(lambda text: json.dumps({"text": text}).encode()),
    st.integers(min_value=1, max_value=5000).map(lambda depth: ("[" * depth + "]" * depth).encode()),
    st.integers(min_value=1, max_value=5000).map(lambda depth: ("[" * depth + "]" * (depth - 1)).encode()),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(qualifier=HUGE_QUALIFIERS, operation=st.sampled_from([
    ("GET", "/2015-03-31/functions/hello_python?Qualifier={q}"),
    ("GET", "/2015-03-31/functions/hello_python:{q}"),
    ("GET", "/2015-03-31/functions/hello_python/configuration?Qualifier={q}"),
    ("POST", "/2015-03-31/functions/hello_python/invocations?Qualifier={q}"),
    ("GET", "/2015-03-31/functions/hello_python/versions?MaxItems={q}"),
]))
def test_huge_or_odd_qualifiers_get_lambdas_error_not_a_console_fault(client, qualifier, operation) -> None:
    from urllib.parse import quote

    method, path = operation
    answer = client.open(path.format(q=quote(qualifier, safe="")), method=method, data=b"{}")
    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)
    error = answer.get_json()
    assert error["__type"] in ("ResourceNotFoundException", "InvalidParameterValueException", "ValidationException"), error
    assert error["__type"] == answer.headers["x-amzn-ErrorType"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=HOSTILE_BODIES)
def test_hostile_payloads_are_invoked_or_refused_as_lambda_does(client, body) -> None:
    answer = client.post("/2015-03-31/functions/hello_python/invocations", data=body)
    try:
        json.loads(body)
        valid = True
    except RecursionError:
        valid = body.count(b"[") == body.count(b"]")
    except ValueError:
        valid = False
    if valid:
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json() is not None  # the function's answer or its runtime's error, as JSON
    else:
        assert answer.status_code == 400
        assert answer.get_json()["__type"] == "InvalidRequestContentException"
