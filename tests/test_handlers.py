"""Every sample in handlers/ runs with every one of its events and gives what a user of the Lambda console would see.

Each sample is zipped as a user would zip it, unpacked, and invoked through the engine with each runtime client.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.engine import FunctionSpec, InvocationResult

HANDLERS = Path(__file__).resolve().parents[1] / "handlers"


@dataclass(frozen=True)
class Sample:
    """One sample: its package folder, its configuration (<name>.function.json) and its events (<name>.events/)."""

    name: str
    package: Path
    config: dict
    events: dict[str, bytes]

    def spec(self, code_dir: Path, runtime_client: str) -> FunctionSpec:
        return FunctionSpec(
            name=self.name,
            code_dir=code_dir,
            handler=self.config["Handler"],
            timeout=self.config.get("Timeout", 3),
            memory=self.config.get("MemorySize", 128),
            environment=self.config.get("Environment", {}).get("Variables", {}),
            runtime_client=runtime_client,
        )


def load_samples() -> dict[str, Sample]:
    samples = {}
    for config_file in sorted(HANDLERS.glob("*.function.json")):
        name = config_file.name.removesuffix(".function.json")
        events = {p.stem: p.read_bytes() for p in sorted((HANDLERS / f"{name}.events").glob("*.json"))}
        samples[name] = Sample(name, HANDLERS / name, json.loads(config_file.read_text()), events)
    return samples


SAMPLES = load_samples()
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@pytest.fixture
def deploy(make_zip: Callable[..., Path], tmp_path: Path) -> Callable[[Sample], Path]:
    """deploy(sample): zip the sample's folder as a user would, unpack it where the engine runs it from."""

    def unpack(sample: Sample) -> Path:
        code_dir = tmp_path / "code"
        with zipfile.ZipFile(make_zip(sample.package)) as archive:
            archive.extractall(code_dir)
        return code_dir

    return unpack


def invoke(engine, sample: Sample, code_dir: Path, event: str, runtime_client: str) -> InvocationResult:
    return engine.invoke(sample.spec(code_dir, runtime_client), sample.events[event])


def assert_platform_lines(result: InvocationResult) -> None:
    """START, END and REPORT for this request, in that order, as the Lambda console's log shows them."""
    lines = result.log.splitlines()
    start = f"START RequestId: {result.request_id} Version: $LATEST"
    end = f"END RequestId: {result.request_id}"
    assert start in lines and end in lines, result.log
    assert lines.index(start) < lines.index(end) == len(lines) - 2
    assert re.fullmatch(rf"REPORT RequestId: {result.request_id}\tDuration: \d+\.\d\d ms\t.*", lines[-1])


def error_payload(result: InvocationResult, error_type: str, message: str) -> list[str]:
    """Check a handler's error payload (keys in Lambda's order) and give back its stack trace."""
    assert not result.succeeded and result.error_type == error_type
    error = json.loads(result.payload)
    assert list(error) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert error["errorMessage"] == message and error["errorType"] == error_type
    assert error["requestId"] == result.request_id
    assert f"[ERROR] {error_type}: {message}" in result.log
    return error["stackTrace"]


# --- what each sample event shows -----------------------------------------------------------------------------


def greets_ada(result: InvocationResult) -> None:
    assert result.succeeded
    assert result.payload == b'{"message": "Hello Ada Lovelace!"}'


def answers_null(result: InvocationResult) -> None:
    assert result.succeeded and result.payload == b"null"
    assert "received 3 keys, returning nothing" in result.log.splitlines()


def accepts_the_order(result: InvocationResult) -> None:
    assert result.succeeded and json.loads(result.payload) == {"accepted": 3}


def refuses_zero(result: InvocationResult) -> None:
    trace = error_payload(result, "ValueError", "quantity must be positive, got 0")
    assert 'raise_error.py", line ' in trace[-1] and 'raise ValueError(f"quantity must be positive' in trace[-1]


def refuses_too_many(result: InvocationResult) -> None:
    trace = error_payload(result, "OrderRejected", "at most 10 items per order, got 12")
    assert "raise OrderRejected(" in trace[-1]


def reports_its_context(result: InvocationResult) -> None:
    assert result.succeeded
    context = json.loads(result.payload)
    assert context["request_id"] == result.request_id
    assert context["function_name"] == "context_info"
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:context_info"
    assert context["memory_limit_in_mb"] == "256"
    assert 0 < context["remaining_time_in_millis"] <= 3000
    assert context["log_group_name"] == "/aws/lambda/context_info"
    lines = result.log.splitlines()
    assert f"request id: {result.request_id}" in lines
    assert "function: context_info version $LATEST" in lines
    assert "memory limit: 256 MB" in lines
    assert f"time remaining: {context['remaining_time_in_millis']} ms" in lines


def sleeps_briefly(result: InvocationResult) -> None:
    assert result.succeeded and json.loads(result.payload) == {"slept": 0.2}


def times_out(result: InvocationResult) -> None:
    assert not result.succeeded and result.error_type == "Sandbox.Timedout"
    assert result.payload == (
        b'{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: '
        + result.request_id.encode()
        + b' Error: Task timed out after 2.00 seconds"}'
    )
    assert "sleeping 5.0 s with " in result.log
    assert result.report_line.endswith("\tStatus: timeout")


def prints_and_logs(result: InvocationResult) -> None:
    assert result.succeeded and result.payload == b'{"logged": true}'
    lines = result.log.splitlines()
    start = lines.index(f"START RequestId: {result.request_id} Version: $LATEST")
    if result.cold:
        # Module-level output belongs to the init phase, before START.
        assert lines.index("module loaded: this line is part of the init phase, before START") < start
    handler_output = "\n".join(lines[start + 1 : -2])
    assert "print: hello Ada\n" in handler_output
    rid = re.escape(result.request_id)
    assert re.search(rf"^\[INFO\]\t{TIMESTAMP}\t{rid}\tlogging\.info: hello Ada$", handler_output, re.MULTILINE)
    assert re.search(
        rf"^\[WARNING\]\t{TIMESTAMP}\t{rid}\tlogging\.warning: 3 items left$", handler_output, re.MULTILINE
    )
    assert "logging.debug" not in result.log


def uses_its_vendored_package(result: InvocationResult) -> None:
    assert result.succeeded
    assert json.loads(result.payload) == {
        "slug": "ada-lovelace-notes-on-the-analytical-engine",
        "words": 7,
        "textkit": "1.0.0",
    }


def answers_with_an_html_page(result: InvocationResult) -> None:
    assert result.succeeded
    response = json.loads(result.payload)
    assert list(response) == ["statusCode", "headers", "body", "isBase64Encoded"]
    assert response["statusCode"] == 200
    assert response["headers"] == {"Content-Type": "text/html; charset=utf-8"}
    assert response["isBase64Encoded"] is False
    assert response["body"].startswith("<!doctype html>\n<html>")
    # The name from the query string arrives escaped, not as markup.
    assert "<h1>Hello Ada &lt;Lovelace&gt;!</h1>" in response["body"]


CHECKS: dict[tuple[str, str], Callable[[InvocationResult], None]] = {
    ("hello_python", "ada-lovelace"): greets_ada,
    ("return_none", "hello-world"): answers_null,
    ("raise_error", "valid-order"): accepts_the_order,
    ("raise_error", "zero-quantity"): refuses_zero,
    ("raise_error", "too-many"): refuses_too_many,
    ("context_info", "empty"): reports_its_context,
    ("sleep_seconds", "short"): sleeps_briefly,
    ("sleep_seconds", "too-long"): times_out,
    ("print_and_log", "ada"): prints_and_logs,
    ("with_dependency", "title"): uses_its_vendored_package,
    ("api_gateway_html", "get-hello"): answers_with_an_html_page,
}


# --- the tests --------------------------------------------------------------------------------------------------


def test_every_sample_event_has_its_check():
    on_disk = {(sample.name, event) for sample in SAMPLES.values() for event in sample.events}
    assert on_disk == set(CHECKS)


def test_handlers_folder_follows_its_convention():
    """<name>/ (only the code), <name>.function.json and <name>.events/, nothing else beside README.md."""
    expected = {"README.md"}
    for name, sample in SAMPLES.items():
        expected |= {name, f"{name}.function.json", f"{name}.events"}
        assert sample.events, f"{name}.events/ holds no event"
        module = sample.config["Handler"].rsplit(".", 1)[0]
        assert (sample.package / f"{module}.py").is_file()
        files = [p for p in sample.package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert all(p.suffix == ".py" for p in files), f"{name}/ must hold only code: {files}"
    assert {p.name for p in HANDLERS.iterdir() if p.name != "__pycache__"} == expected


@pytest.mark.parametrize("sample_event", sorted(CHECKS), ids="/".join)
def test_sample(sample_event: tuple[str, str], runtime_client: str, engine, deploy):
    name, event = sample_event
    sample = SAMPLES[name]
    result = invoke(engine, sample, deploy(sample), event, runtime_client)
    assert_platform_lines(result)
    assert result.cold and result.init_duration_ms is not None
    assert "\tInit Duration: " in result.report_line
    CHECKS[sample_event](result)


def test_init_output_appears_on_the_cold_start_only(runtime_client: str, engine, deploy):
    sample = SAMPLES["print_and_log"]
    code_dir = deploy(sample)
    cold = invoke(engine, sample, code_dir, "ada", runtime_client)
    warm = invoke(engine, sample, code_dir, "ada", runtime_client)
    assert cold.cold and not warm.cold
    assert "module loaded" in cold.log and "module loaded" not in warm.log
    assert warm.init_duration_ms is None and "Init Duration" not in warm.report_line
    prints_and_logs(warm)
