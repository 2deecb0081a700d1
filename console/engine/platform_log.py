"""The platform's own lines in a function's log around what the function wrote. In the Text format: START, END,
REPORT (and XRAY for a sampled invocation). When the function's LoggingConfig's LogFormat is JSON, Lambda writes
`platform.initStart`, `platform.start`, `platform.runtimeDone` and `platform.report` records (the Telemetry API's
event shapes: `time`, `type`, `record`) in place of the START, END and REPORT lines, and keeps those at or above the
function's SystemLogLevel (AWS's "Configuring advanced logging controls for Lambda functions": runtimeDone is a
DEBUG event, the others INFO)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from console.engine.invocation import FunctionSpec, report_line

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARN": 30}
_EVENT_LEVELS = {
    "platform.initStart": "INFO",
    "platform.start": "INFO",
    "platform.runtimeDone": "DEBUG",
    "platform.report": "INFO",
}


def _trace_fields(header: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in header.split(";") if "=" in part)


def xray_line(header: str) -> str:
    """The line Lambda writes after REPORT for a sampled invocation (TracingConfig Active), in the Text format."""
    fields = _trace_fields(header)
    return f"XRAY TraceId: {fields.get('Root', '')}\tSegmentId: {fields.get('Parent', '')}\tSampled: true"


def _tracing(header: str) -> dict:
    """The `tracing` object of platform.start and platform.report for a sampled invocation."""
    return {"spanId": _trace_fields(header).get("Parent", ""), "type": "X-Amzn-Trace-Id", "value": header}


def _time(ago_ms: float = 0.0) -> str:
    moment = datetime.now(timezone.utc) - timedelta(milliseconds=ago_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _kept(spec: FunctionSpec, event_type: str) -> bool:
    return _LEVELS[_EVENT_LEVELS[event_type]] >= _LEVELS.get(spec.system_log_level, _LEVELS["INFO"])


def _record(spec: FunctionSpec, event_type: str, record: dict, ago_ms: float = 0.0) -> str:
    return json.dumps({"time": _time(ago_ms), "type": event_type, "record": record}, separators=(",", ":")) + "\n"


def json_log(
    spec: FunctionSpec,
    request_id: str,
    *,
    init_output: str,
    output: str,
    notice: str,
    platform_lines: list[str],
    cold: bool,
    duration_ms: float,
    billed_ms: int,
    init_ms: float | None,
    max_used_mb: int | None,
    status: str | None,
    error_type: str | None,
    produced_bytes: int,
    trace: str = "",
) -> str:
    """The invocation's whole log in the JSON format: init output, then the platform's records around the
    function's own output, filtered by the SystemLogLevel. `trace`: the X-Ray trace header of a sampled
    invocation, which platform.start and platform.report then carry."""
    lines = []
    if cold and _kept(spec, "platform.initStart"):
        init = {"initializationType": "on-demand", "phase": "init", "functionName": spec.name,
                "functionVersion": spec.version}
        lines.append(_record(spec, "platform.initStart", init, duration_ms + (init_ms or 0.0)))
    if init_output:
        lines.append(init_output)
    if _kept(spec, "platform.start"):
        start: dict = {"requestId": request_id, "version": spec.version}
        if trace:
            start["tracing"] = _tracing(trace)
        lines.append(_record(spec, "platform.start", start, duration_ms))
    if notice:
        lines.append(notice + "\n")
    if output:
        lines.append(output if output.endswith("\n") else output + "\n")
    lines.extend(line + "\n" for line in platform_lines)
    outcome = status or "success"
    if _kept(spec, "platform.runtimeDone"):
        done = {"requestId": request_id, "status": outcome,
                "metrics": {"durationMs": round(duration_ms, 3), "producedBytes": produced_bytes}}
        lines.append(_record(spec, "platform.runtimeDone", done))
    if _kept(spec, "platform.report"):
        metrics: dict = {"durationMs": round(duration_ms, 3), "billedDurationMs": billed_ms,
                         "memorySizeMB": spec.memory}
        if max_used_mb is not None:
            metrics["maxMemoryUsedMB"] = max_used_mb
        if init_ms is not None:
            metrics["initDurationMs"] = round(init_ms, 3)
        report: dict = {"requestId": request_id, "metrics": metrics, "status": outcome}
        if status and error_type:
            report["errorType"] = error_type
        if trace:
            report["tracing"] = _tracing(trace)
        lines.append(_record(spec, "platform.report", report))
    return "".join(lines)


def text_log(
    spec: FunctionSpec,
    request_id: str,
    *,
    init_output: str,
    output: str,
    notice: str,
    platform_lines: list[str],
    duration_ms: float,
    billed_ms: int,
    init_ms: float | None,
    max_used_mb: int | None,
    status: str | None,
    error_type: str | None,
    trace: str = "",
) -> str:
    """The invocation's whole log in Lambda's Text format: init output, START, the function's output, END, REPORT,
    and the XRAY line of a sampled invocation (`trace`, its trace header)."""
    lines = [init_output] if init_output else []
    lines.append(f"START RequestId: {request_id} Version: {spec.version}\n")
    if notice:
        lines.append(notice + "\n")
    if output:
        lines.append(output if output.endswith("\n") else output + "\n")
    lines.extend(line + "\n" for line in platform_lines)
    lines.append(f"END RequestId: {request_id}\n")
    lines.append(report_line(request_id, duration_ms, billed_ms, spec.memory, max_used_mb, init_ms, status,
                             error_type) + "\n")
    if trace:
        lines.append(xray_line(trace) + "\n")
    return "".join(lines)
