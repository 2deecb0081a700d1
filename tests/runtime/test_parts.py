"""The runtime's parts on their own: error payloads and their log lines, the context object, and when simplejson
loads. Each states Lambda's documented behaviour literally (LAMBDA_SPEC, "Error payloads", "The context object")."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from console.engine import Engine, FunctionSpec
from tests.runtime.test_worker import write_code

NBSP = "\u00a0"


def test_an_error_payload_has_lambdas_keys_in_order_and_no_nulls(runtime):
    payload = runtime.errors.error_payload("", None, None)
    assert json.dumps(payload) == '{"errorMessage": "", "errorType": "", "requestId": "", "stackTrace": []}'
    payload = runtime.errors.error_payload("boom", "ValueError", ["  File x\n"], "req-1")
    assert list(payload.items()) == [
        ("errorMessage", "boom"),
        ("errorType", "ValueError"),
        ("requestId", "req-1"),
        ("stackTrace", ["  File x\n"]),
    ]


def test_an_unhandled_errors_log_keeps_the_tracebacks_indentation(runtime):
    payload = runtime.errors.error_payload(
        "bad", "ValueError", ['  File "/var/task/app.py", line 2, in handler\n    raise ValueError("bad")\n', ""]
    )
    assert runtime.errors.error_log_lines(payload) == [
        "[ERROR] ValueError: bad",
        "Traceback (most recent call last):",
        f'{NBSP * 2}File "/var/task/app.py", line 2, in handler',
        f'{NBSP * 4}raise ValueError("bad")',
        "",
    ]


@pytest.mark.parametrize(
    ("error_type", "message", "title"),
    [("KeyError", "", "[ERROR] KeyError"), ("", "no type", "[ERROR] no type"), ("", "", "[ERROR]")],
)
def test_an_error_title_leaves_out_what_is_missing(runtime, error_type, message, title):
    assert runtime.errors.error_log_lines(runtime.errors.error_payload(message, error_type, None))[0] == title


def test_the_context_shows_the_function_and_the_invocation(runtime, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
    client_context = {"custom": {"k": 1}, "client": {"app_title": "Shop"}, "w3c": {"traceparent": "00-1", "baggage": 2}}
    context = runtime.context.LambdaContext(
        "req-9", client_context, {"cognitoIdentityId": "id-1"}, int(time.time() * 1000) + 5000, "arn:fn"
    )
    assert (context.function_name, context.memory_limit_in_mb, context.invoked_function_arn) == ("orders", "256", "arn:fn")
    assert context.w3c() == {"traceparent": "00-1"}  # strings only, and out of the client context
    assert context.client_context.custom == {"k": 1} and context.client_context.env is None
    assert context.client_context.client.app_title == "Shop"
    assert repr(context.client_context) == (
        "ClientContext([custom={'k': 1},env=None,client=Client([installation_id=None,app_title=Shop,"
        "app_version_name=None,app_version_code=None,app_package_name=None])])"
    )
    assert repr(context.identity) == "CognitoIdentity([cognito_identity_id=id-1,cognito_identity_pool_id=None])"
    assert 4000 < context.get_remaining_time_in_millis() <= 5000
    assert repr(context).startswith("LambdaContext([aws_request_id=req-9,log_group_name=")


def test_the_remaining_time_is_never_negative(runtime):
    context = runtime.context.LambdaContext("r", None, None, int(time.time() * 1000) - 60_000)
    assert context.get_remaining_time_in_millis() == 0
    assert context.client_context is None
    assert repr(context.identity) == "CognitoIdentity([cognito_identity_id=None,cognito_identity_pool_id=None])"


def test_a_decimal_result_is_written_with_its_exact_digits(runtime):
    assert runtime.payload.to_json({"price": Decimal("1.10"), "n": Decimal("NaN")}, True) == '{"price": 1.10, "n": NaN}'


SIMPLEJSON_PROBE = """
    import sys
    from decimal import Decimal


    def handler(event, context):
        loaded = "simplejson" in sys.modules
        if event.get("decimal"):
            return Decimal("2.50")
        return {"simplejson_loaded": loaded}
"""


@pytest.fixture(scope="module")
def module_engine():
    with Engine(max_environments=2, idle_timeout=60) as engine:
        yield engine


def test_simplejson_loads_only_when_a_result_is_not_plain_data(module_engine, tmp_path, runtime_client):
    code = write_code(tmp_path / "code", {"app.py": SIMPLEJSON_PROBE})
    spec = FunctionSpec(name="lazy-json", code_dir=code, handler="app.handler", runtime_client=runtime_client)
    first = json.loads(module_engine.invoke(spec, b"{}").payload)
    assert module_engine.invoke(spec, b'{"decimal": true}').payload == b"2.50"
    after = json.loads(module_engine.invoke(spec, b"{}").payload)
    module_engine.retire("lazy-json")
    # AWS's client imports simplejson up front; ours when it first writes something plain JSON cannot hold.
    assert (first, after) == (
        {"simplejson_loaded": runtime_client == "awslambdaric"},
        {"simplejson_loaded": True},
    )
