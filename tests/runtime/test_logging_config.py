"""LoggingConfig through the real engine: with LogFormat JSON, the runtime writes Python `logging` records as JSON
objects filtered at the ApplicationLogLevel (print output stays plain text, as on Lambda), and the platform writes
its `platform.*` records in place of START, END and REPORT, filtered at the SystemLogLevel. Our bootstrap and AWS's
awslambdaric, given the same settings, must write the same records."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from console.engine import Engine, FunctionSpec
from console.engine.sandbox import SANDBOX_VARIABLE

HAS_AWSLAMBDARIC = importlib.util.find_spec("awslambdaric") is not None
CLIENTS = ("bootstrap", "awslambdaric") if HAS_AWSLAMBDARIC else ("bootstrap",)
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z")

CODE = '''
import logging
logger = logging.getLogger("orders")

def handler(event, context):
    logger.debug("debug detail")
    logger.info("order %s received", event["id"])
    logger.warning("stock low")
    print("printed line")
    return "ok"
'''


@pytest.fixture(scope="module")
def engine():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SANDBOX_VARIABLE, "off")
        with Engine(max_environments=2, idle_timeout=60) as running:
            yield running


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logging_config")
    (folder / "app.py").write_text(CODE)
    return folder


def run(engine: Engine, code: Path, client: str, request_id: str, **logging: str) -> list[str]:
    spec = FunctionSpec(name=f"logcfg-{client}", code_dir=code, handler="app.handler", runtime_client=client,
                        timeout=10, **logging)
    try:
        result = engine.invoke(spec, b'{"id": 7}', request_id=request_id)
    finally:
        engine.retire(spec.name)
    assert result.succeeded, result.log
    return [line for line in result.log.replace("\r", "\n").split("\n") if line]


def records(lines: list[str]) -> list[object]:
    """Each line as JSON when it is a JSON object (else as text), times and metric values set aside."""
    found: list[object] = []
    for line in lines:
        if line.startswith("Sandbox: none"):
            continue  # the console's own notice that this engine runs workers unsandboxed
        if not line.startswith("{"):
            found.append(line)
            continue
        record = json.loads(line)
        for key in ("timestamp", "time"):
            if key in record:
                assert _TIME.fullmatch(record[key]), record
                record[key] = "<time>"
        if isinstance(record.get("record"), dict) and "metrics" in record["record"]:
            record["record"]["metrics"] = sorted(record["record"]["metrics"])
        found.append(record)
    return found


@pytest.mark.parametrize("client", CLIENTS)
def test_json_format_writes_lambdas_records_at_the_info_levels(engine: Engine, code: Path, client: str) -> None:
    lines = run(engine, code, client, "req-json-1", log_format="JSON")
    assert records(lines) == [
        {"time": "<time>", "type": "platform.initStart",
         "record": {"initializationType": "on-demand", "phase": "init", "functionName": f"logcfg-{client}",
                    "functionVersion": "$LATEST"}},
        {"time": "<time>", "type": "platform.start", "record": {"requestId": "req-json-1", "version": "$LATEST"}},
        {"timestamp": "<time>", "level": "INFO", "message": "order 7 received", "logger": "orders",
         "requestId": "req-json-1"},
        {"timestamp": "<time>", "level": "WARNING", "message": "stock low", "logger": "orders",
         "requestId": "req-json-1"},
        "printed line",
        {"time": "<time>", "type": "platform.report",
         "record": {"requestId": "req-json-1", "status": "success",
                    "metrics": ["billedDurationMs", "durationMs", "initDurationMs", "maxMemoryUsedMB",
                                "memorySizeMB"]}},
    ]
    assert not any(line.startswith(("START", "END", "REPORT")) for line in lines)


@pytest.mark.parametrize("client", CLIENTS)
def test_levels_filter_application_and_platform_records(engine: Engine, code: Path, client: str) -> None:
    debug = records(run(engine, code, client, "req-debug", log_format="JSON", application_log_level="DEBUG",
                        system_log_level="DEBUG"))
    assert {"timestamp": "<time>", "level": "DEBUG", "message": "debug detail", "logger": "orders",
            "requestId": "req-debug"} in debug
    assert [r["type"] for r in debug if isinstance(r, dict) and "type" in r] == [
        "platform.initStart", "platform.start", "platform.runtimeDone", "platform.report"]
    quiet = records(run(engine, code, client, "req-warn", log_format="JSON", application_log_level="ERROR",
                        system_log_level="WARN"))
    assert quiet == ["printed line"]  # print is plain text, which no level filters


def test_both_clients_write_the_same_records(engine: Engine, code: Path) -> None:
    if not HAS_AWSLAMBDARIC:
        pytest.skip("awslambdaric is not installed")
    ours = records(run(engine, code, "bootstrap", "req-same", log_format="JSON", application_log_level="DEBUG"))
    theirs = records(run(engine, code, "awslambdaric", "req-same", log_format="JSON",
                         application_log_level="DEBUG"))
    for found in (ours, theirs):  # the function's name is the client's own
        found[0]["record"]["functionName"] = "<name>"
    assert ours == theirs


def test_text_format_is_unchanged(engine: Engine, code: Path) -> None:
    lines = run(engine, code, "bootstrap", "req-text")
    assert lines[0] == "START RequestId: req-text Version: $LATEST"
    # Without a level, Python's root logger keeps its own: WARNING, as on Lambda in the Text format.
    assert any(re.fullmatch(r"\[WARNING\]\t\S+Z\treq-text\tstock low", line) for line in lines)
    assert not any("order 7 received" in line or "debug detail" in line for line in lines)
    assert lines[-2] == "END RequestId: req-text" and lines[-1].startswith("REPORT RequestId: req-text")


def test_a_sampled_invocation_names_its_trace_in_the_platform_lines(engine: Engine, tmp_path: Path) -> None:
    """TracingConfig Active: the XRAY line after REPORT in the Text format; `tracing` in platform.start and
    platform.report in the JSON format; both naming the trace header the handler was given."""
    (tmp_path / "app.py").write_text("import os\ndef handler(event, context):\n    return os.environ['_X_AMZN_TRACE_ID']\n")
    for log_format in ("Text", "JSON"):
        spec = FunctionSpec(name=f"traced-{log_format}", code_dir=tmp_path, handler="app.handler", timeout=10,
                            tracing="Active", log_format=log_format)
        result = engine.invoke(spec, b"{}")
        engine.retire(spec.name)
        header = json.loads(result.payload)
        fields = dict(part.split("=", 1) for part in header.split(";"))
        assert fields["Sampled"] == "1"
        lines = [line for line in result.log.split("\n") if line]
        if log_format == "Text":
            assert lines[-2].startswith("REPORT RequestId:")
            assert lines[-1] == f"XRAY TraceId: {fields['Root']}\tSegmentId: {fields['Parent']}\tSampled: true"
        else:
            platform = {record["type"]: record["record"] for line in lines if line.startswith("{")
                        for record in [json.loads(line)] if "type" in record}
            tracing = {"spanId": fields["Parent"], "type": "X-Amzn-Trace-Id", "value": header}
            assert platform["platform.start"]["tracing"] == tracing
            assert platform["platform.report"]["tracing"] == tracing
