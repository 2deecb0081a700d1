"""awslambdaric writes its log records as frames to Lambda's telemetry descriptor; they arrive whole and in order."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("awslambdaric") is None, reason="needs awslambdaric")

MIXED = """
import logging, sys
logging.getLogger().setLevel(logging.INFO)

def handler(event, context):
    print("first print")
    logging.info("a record\\nover two lines")
    print("second print")
    logging.warning("last record")
    if event.get("fail"):
        raise ValueError("it failed\\nbadly")
    if event.get("lookalike"):
        # Plain output that begins like a frame (the magic), but with no frame's type or timestamp.
        sys.stdout.buffer.write(b"\\xa5\\x5a\\x00\\x03" + b"\\x00" * 12 + b"plain after lookalike\\n")
        sys.stdout.flush()
    return "ok"
"""


def test_records_and_prints_keep_their_order_and_lines(engine, make_function):
    spec = make_function(MIXED, runtime_client="awslambdaric")
    log = engine.invoke(spec, b"{}").log
    lines = log.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("START "))
    body = lines[start + 1:start + 6]
    assert body[0] == "first print"
    assert body[1].startswith("[INFO]\t") and body[1].endswith("\ta record")
    assert body[2] == "over two lines"
    assert body[3] == "second print"
    assert body[4].startswith("[WARNING]\t") and body[4].endswith("\tlast record")
    assert "\r" not in log and "\xa5" not in log


def test_a_traceback_arrives_whole(engine, make_function):
    spec = make_function(MIXED, runtime_client="awslambdaric")
    result = engine.invoke(spec, b'{"fail": true}')
    assert result.error_type == "ValueError"
    assert "\r" not in result.log
    error = result.log[result.log.index("[ERROR] ValueError"):].splitlines()
    assert error[:3] == ["[ERROR] ValueError: it failed", "badly", "Traceback (most recent call last):"]
    assert error[3].endswith(', line 11, in handler') and "raise ValueError" in error[4]
    assert error[5].startswith("END RequestId: ")


def test_output_that_looks_like_a_frame_is_kept_as_written(engine, make_function):
    spec = make_function(MIXED, runtime_client="awslambdaric")
    log = engine.invoke(spec, b'{"lookalike": true}').log
    assert "plain after lookalike" in log
    assert "\ufffdZ\x00\x03" + "\x00" * 12 + "plain after lookalike\n" in log


def test_the_descriptor_is_not_left_to_the_handler(engine, make_function):
    spec = make_function("import os\ndef handler(event, context):\n    return '_LAMBDA_TELEMETRY_LOG_FD' in os.environ\n",
                         runtime_client="awslambdaric", environment={"_LAMBDA_TELEMETRY_LOG_FD": "1"})
    assert engine.invoke(spec).payload == b"false"
