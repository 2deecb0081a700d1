"""The conformance corpus through the real engine: our bootstrap must answer exactly as AWS's awslambdaric does.

Every case in tests/runtime/corpus runs on python3.11 and python3.12 (ensure_ascii differs) under each client.
Payloads must be byte-identical between the clients once the only legitimate difference is set aside: the file and
line of the runtime's own frame, in the rare traceback that shows one. Logs must match too, once timestamps, the
REPORT line and awslambdaric's "\\r" line separator for errors (Lambda's telemetry sink uses "\\n") are set aside.
Each case also states the expected payload literally, so the clients cannot pass by being equally wrong.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from console.engine import Engine, FunctionSpec
from console.engine.sandbox import SANDBOX_VARIABLE, TASK_ROOT, unsandboxed_reason
from tests.runtime.conftest import CASES, RUNTIMES, Case, load_case

HAS_AWSLAMBDARIC = importlib.util.find_spec("awslambdaric") is not None
CLIENTS = ("bootstrap", "awslambdaric")

# The runtime's own frame: awslambdaric's bootstrap.py or our loop.py, at whatever line.
_RUNTIME_FRAME = re.compile(r'File (\\?)"[^"\\]*/(?:awslambdaric/bootstrap|console/runtime/loop)\.py\1", line \d+')
_LOG_STREAM = re.compile(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z")


# Both ways workers run: inside bubblewrap (Lambda's /var/task layout) where it is installed, and without it.
MODES = ("sandbox", "no sandbox")


@pytest.fixture(scope="module", params=MODES)
def corpus_engine(request):
    """(an engine whose workers run in one mode, whether that mode is the sandbox)."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "sandbox":
            why = unsandboxed_reason()
            if why is not None:
                pytest.skip(f"no sandbox here: {why}")
        else:
            patch.setenv(SANDBOX_VARIABLE, "off")
        with Engine(max_environments=4, idle_timeout=60) as engine:
            yield engine, request.param == "sandbox"


@pytest.fixture(scope="module")
def outcomes(corpus_engine):
    """run(case, runtime, client) -> ([(payload, error_type, succeeded, log)], code folder as the handler saw it),
    each run once per test module and mode."""
    cache: dict[tuple, tuple[list, str]] = {}
    engine, sandboxed = corpus_engine

    def run(case: Case, runtime: str, client: str) -> tuple[list, str]:
        key = (case.name, runtime, client)
        if key not in cache:
            spec = FunctionSpec(
                name=case.name,
                code_dir=case.code_dir,
                handler=case.handler,
                runtime=runtime,
                runtime_client=client,
                timeout=10,
                layers=case.layers,
                environment=case.environment,
            )
            results = []
            for index, invocation in enumerate(case.invocations):
                request_id = f"{case.name[:20]}-{runtime}-{index}".replace(".", "")
                result = engine.invoke(
                    spec,
                    invocation.payload,
                    request_id=request_id,
                    client_context=invocation.client_context,
                    cognito_identity=invocation.cognito_identity,
                )
                assert result.request_id == request_id
                results.append((result.payload, result.error_type, result.succeeded, result.log))
            engine.retire(case.name)
            # The code folder as the handler saw it, for the expectations' {code}.
            cache[key] = (results, TASK_ROOT if sandboxed else str(case.code_dir))
        return cache[key]

    return run


def normalize_payload(payload: bytes) -> bytes:
    text = payload.decode("latin-1")  # any bytes, reversibly
    text = _RUNTIME_FRAME.sub(lambda m: f'File {m[1]}"<runtime>{m[1]}", line <n>', text)
    return _LOG_STREAM.sub("{log_stream}", text).encode("latin-1")


def normalize_log(log: str) -> str:
    lines = [line for line in log.replace("\r", "\n").split("\n") if not line.startswith("REPORT RequestId:")]
    text = _TIMESTAMP.sub("<time>", "\n".join(lines))
    return _RUNTIME_FRAME.sub('File "<runtime>", line <n>', text)


def fill(template: str, root: str, request_id: str) -> str:
    return template.replace("{code}", root).replace("{request_id}", request_id)


def check_expectations(case: Case, runtime: str, client: str, outcome: tuple[list, str]) -> None:
    """`outcome`: the invocations' results and the code folder as the handler saw it."""
    results, code_root = outcome
    for index, (invocation, (payload, error_type, succeeded, log)) in enumerate(
        zip(case.invocations, results, strict=True)
    ):
        root = code_root if succeeded else TASK_ROOT  # a failure's traceback names /var/task, sandboxed or not
        expect = case.expectation(invocation, runtime)
        request_id = f"{case.name[:20]}-{runtime}-{index}".replace(".", "")
        where = f"{case.name} #{index} on {runtime} with {client}"
        assert error_type == expect.get("error_type"), f"{where}: {payload!r}\n{log}"
        assert succeeded == (expect.get("error_type") is None), where
        encoding = expect.get("payload_encoding", "utf-8")
        if "payload" in expect:
            assert normalize_payload(payload) == fill(expect["payload"], root, request_id).encode(encoding), where
        if "payload_hex" in expect:
            assert payload == bytes.fromhex(expect["payload_hex"]), where
        if encoding != "utf-8":
            payload.decode(encoding)  # strictly: a 3.11 payload is pure ASCII, a 3.12 init error Latin-1
        if {"error_message", "last_frame", "last_frame_contains", "first_frame_contains"} & set(expect):
            error = json.loads(payload.decode(encoding))
            assert list(error) == ["errorMessage", "errorType", "requestId", "stackTrace"], where
            if "error_message" in expect:
                assert error["errorMessage"] == expect["error_message"], where
            if "last_frame" in expect:
                assert error["stackTrace"][-1] == fill(expect["last_frame"], root, request_id), where
            if "last_frame_contains" in expect:
                assert expect["last_frame_contains"] in error["stackTrace"][-1], where
            if "first_frame_contains" in expect:
                assert expect["first_frame_contains"] in error["stackTrace"][0], where
        normalized = normalize_log(log)
        for fragment in expect.get("log", ()):
            assert fill(fragment, root, request_id) in normalized, f"{where}: log lacks {fragment!r}:\n{normalized}"
        for fragment in expect.get("log_absent", ()):
            assert fragment not in normalized, f"{where}: log has {fragment!r}"


def test_the_corpus_covers_what_lambda_spec_lists():
    error_types = set()
    for name in CASES:
        for invocation in load_case(name).invocations:
            for runtime in RUNTIMES:
                error_types.add(load_case(name).expectation(invocation, runtime).get("error_type"))
    assert len(CASES) >= 25
    assert {
        "Runtime.MalformedHandlerName",
        "Runtime.ImportModuleError",
        "Runtime.UserCodeSyntaxError",
        "Runtime.HandlerNotFound",
        "Runtime.BuiltInModuleConflict",
        "Runtime.MarshalError",
        "Runtime.UnmarshalError",
        "Runtime.LambdaContextUnmarshalError",
        "KeyError",
        "ValueError",
    } <= error_types


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("name", CASES)
def test_bootstrap_answers_as_lambda(outcomes, name: str, runtime: str):
    case = load_case(name)
    check_expectations(case, runtime, "bootstrap", outcomes(case, runtime, "bootstrap"))


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("name", CASES)
def test_awslambdaric_answers_as_the_corpus_says(outcomes, name: str, runtime: str):
    pytest.importorskip("awslambdaric")
    case = load_case(name)
    check_expectations(case, runtime, "awslambdaric", outcomes(case, runtime, "awslambdaric"))


@pytest.mark.parametrize("runtime", RUNTIMES)
@pytest.mark.parametrize("name", CASES)
def test_both_clients_answer_alike(outcomes, name: str, runtime: str):
    pytest.importorskip("awslambdaric")
    case = load_case(name)
    ours = outcomes(case, runtime, "bootstrap")[0]
    theirs = outcomes(case, runtime, "awslambdaric")[0]
    for index, (mine, aws) in enumerate(zip(ours, theirs, strict=True)):
        where = f"{name} #{index} on {runtime}"
        assert normalize_payload(mine[0]) == normalize_payload(aws[0]), where
        assert mine[1:3] == aws[1:3], where
        if case.compare_log:
            assert normalize_log(mine[3]) == normalize_log(aws[3]), where


def test_runtime_frame_normalization_only_touches_runtime_files():
    payload = (
        b'["  File \\"/var/runtime/awslambdaric/bootstrap.py\\", line 185, in handle_event_request\\n", '
        b'"  File \\"/srv/x/console/runtime/loop.py\\", line 1501, in handle_event_request\\n", '
        b'"  File \\"/var/task/app.py\\", line 2, in handler\\n"]'
    )
    assert normalize_payload(payload) == (
        b'["  File \\"<runtime>\\", line <n>, in handle_event_request\\n", '
        b'"  File \\"<runtime>\\", line <n>, in handle_event_request\\n", '
        b'"  File \\"/var/task/app.py\\", line 2, in handler\\n"]'
    )
