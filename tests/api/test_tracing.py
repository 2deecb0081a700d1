"""Tracing through boto3: each invocation gets an X-Ray trace header in Lambda's format in `_X_AMZN_TRACE_ID`, sampled
when the function's TracingConfig is Active, so that Powertools' Tracer (over AWS's X-Ray SDK) runs as on Lambda and
sends its segments to the X-Ray daemon's address (here a UDP socket of the test's own)."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from tests.api.conftest import unique
from tests.conftest import zip_contents

APP = '''
import os
from aws_lambda_powertools import Tracer

tracer = Tracer(service="orders")


@tracer.capture_method
def price(quantity):
    tracer.put_annotation("quantity", quantity)
    return quantity * 3


@tracer.capture_lambda_handler
def handler(event, context):
    return {"trace": os.environ["_X_AMZN_TRACE_ID"], "price": price(event["quantity"])}
'''
TRACE = re.compile(r"Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])")


@pytest.fixture(scope="session")
def tracer_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The handler with Powertools, the X-Ray SDK and their dependencies beside it, as the test's Python has them."""
    root = tmp_path_factory.mktemp("tracer")
    package = root / "package"
    package.mkdir()
    for module in ("aws_lambda_powertools", "aws_xray_sdk", "wrapt", "jmespath", "typing_extensions"):
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            pytest.skip(f"{module} is not installed")
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            shutil.copytree(origin.parent, package / module, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(origin, package / origin.name)
    (package / "app.py").write_text(APP)
    return zip_contents(package, root / "tracer.zip").read_bytes()


@pytest.fixture
def daemon():
    """A UDP socket standing for the X-Ray daemon."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(10)
    yield listener
    listener.close()


def segments(listener: socket.socket, wait: float) -> list[dict]:
    """The segment documents received: each datagram is a JSON header line, then the segment's JSON."""
    found = []
    listener.settimeout(wait)
    try:
        while True:
            data = listener.recv(65_536).decode()
            header, _, body = data.partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            found.append(json.loads(body))
            listener.settimeout(0.5)
    except TimeoutError:
        return found


@pytest.mark.parametrize("mode", ["Active", "PassThrough"])
def test_powertools_tracer_runs_and_active_tracing_sends_segments(lam, create, tracer_zip, daemon, mode) -> None:
    address = f"127.0.0.1:{daemon.getsockname()[1]}"
    name = create(tracer_zip, "app.handler", FunctionName=unique("traced"), TracingConfig={"Mode": mode},
                  Environment={"Variables": {"AWS_XRAY_DAEMON_ADDRESS": address}}, Timeout=30)["FunctionName"]
    answer = lam.invoke(FunctionName=name, Payload=b'{"quantity": 2}', LogType="Tail")
    assert "FunctionError" not in answer, answer["Payload"].read()
    body = json.loads(answer["Payload"].read())
    assert body["price"] == 6
    match = TRACE.fullmatch(body["trace"])
    assert match, body["trace"]
    assert match.group(3) == ("1" if mode == "Active" else "0")
    log = base64.b64decode(answer["LogResult"]).decode()
    assert "Traceback" not in log and "error" not in log.lower().replace("status: error", ""), log
    received = segments(daemon, 10 if mode == "Active" else 1)
    if mode == "Active":
        assert received, "no segment reached the daemon's address"
        assert {segment["trace_id"] for segment in received} == {match.group(1)}
        by_name = {segment["name"]: segment for segment in received}
        assert {"## handler", "## app.price"} <= set(by_name), received
        # The handler's subsegment hangs under the invocation's segment, the Parent of the trace header.
        assert by_name["## handler"]["parent_id"] == match.group(2)
        assert by_name["## app.price"]["annotations"]["quantity"] == 2
        # A second invocation has a trace of its own.
        again = json.loads(lam.invoke(FunctionName=name, Payload=b'{"quantity": 1}')["Payload"].read())
        assert TRACE.fullmatch(again["trace"]).group(1) != match.group(1)
    else:
        assert received == []  # not sampled: the SDK sends nothing


def test_a_callers_trace_is_continued(api_server, create, tracer_zip, daemon) -> None:
    """Invoke's X-Amzn-Trace-Id: the invocation joins the caller's trace and keeps its sampling decision."""
    from tests.api.test_errors import raw

    address = f"127.0.0.1:{daemon.getsockname()[1]}"
    name = create(tracer_zip, "app.handler", FunctionName=unique("joined"), Timeout=30,
                  Environment={"Variables": {"AWS_XRAY_DAEMON_ADDRESS": address}})["FunctionName"]
    root, caller = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
    status, _, body = raw(api_server.url, "POST", f"/2015-03-31/functions/{name}/invocations", b'{"quantity": 1}',
                          {"X-Amzn-Trace-Id": f"Root={root};Parent={caller};Sampled=1"})
    assert status == 200, body
    match = TRACE.fullmatch(json.loads(body)["trace"])
    assert match and match.group(1) == root and match.group(3) == "1"
    assert match.group(2) != caller  # the invocation's own segment
    assert {segment["trace_id"] for segment in segments(daemon, 10)} == {root}
