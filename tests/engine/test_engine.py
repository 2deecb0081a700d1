"""The engine as a caller sees it: results, logs, reuse, limits and isolation, with real worker processes."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from console.engine import Engine, RequestTooLargeError, TooManyRequestsError
from tests.engine.conftest import SANDBOXED, body, task_root
from tests.processes import running, wait_until

HELLO = """
    def my_handler(event, context):
        message = 'Hello {} {}!'.format(event['first_name'], event['last_name'])
        return {'message': message}
"""


def test_seed_handler_returns_its_message(engine, make_function):
    spec = make_function(HELLO, "hello_python.my_handler", module="hello_python.py")
    result = engine.invoke(spec, b'{"first_name": "Ada", "last_name": "Lovelace"}')
    assert result.succeeded
    assert result.payload == b'{"message": "Hello Ada Lovelace!"}'
    assert result.error_type is None


def test_none_becomes_null(engine, make_function):
    result = engine.invoke(make_function("def handler(e, c):\n    return None\n"))
    assert result.payload == b"null"


def test_log_has_start_end_report_around_handler_output(engine, make_function):
    spec = make_function("""
        print("loading module")
        def handler(event, context):
            print("inside handler")
            return 1
    """)
    result = engine.invoke(spec)
    lines = result.log.splitlines()
    rid = result.request_id
    assert lines[0] == "loading module"  # the init phase's output comes before START
    assert lines[1] == f"START RequestId: {rid} Version: $LATEST"
    assert lines[2] == "inside handler"
    assert lines[3] == f"END RequestId: {rid}"
    report = lines[4]
    assert re.fullmatch(
        rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB"
        r"\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms",
        report,
    )
    billed = int(re.search(r"Billed Duration: (\d+)", report).group(1))
    assert billed >= result.duration_ms + result.init_duration_ms  # init is billed too, rounded up
    assert result.cold and result.init_duration_ms > 0


def test_warm_invocations_reuse_module_state_and_report_no_init(engine, make_function):
    spec = make_function("""
        count = 0
        def handler(event, context):
            global count
            count += 1
            return count
    """)
    results = [engine.invoke(spec) for _ in range(3)]
    assert [r.payload for r in results] == [b"1", b"2", b"3"]
    assert [r.cold for r in results] == [True, False, False]
    assert results[1].init_duration_ms is None
    assert "Init Duration" not in results[1].report_line


def test_exception_gives_lambda_error_payload_and_log(engine, make_function):
    spec = make_function("""
        def handler(event, context):
            raise ValueError("bad input")
    """)
    result = engine.invoke(spec)
    assert not result.succeeded
    assert result.error_type == "ValueError"
    payload = body(result)
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert payload["errorMessage"] == "bad input"
    assert payload["requestId"] == result.request_id
    assert payload["stackTrace"] == [
        '  File "/var/task/app.py", line 3, in handler\n    raise ValueError("bad input")\n'
    ]
    assert "[ERROR] ValueError: bad input" in result.log
    assert result.report_line.endswith("\tStatus: error\tError Type: ValueError")


def test_timeout_kills_the_environment_and_next_is_cold(engine, make_function):
    spec = make_function("""
        import time
        def handler(event, context):
            print("sleeping")
            time.sleep(event.get("seconds", 0))
            return "woke"
    """, timeout=1)
    result = engine.invoke(spec, b'{"seconds": 30}')
    assert not result.succeeded
    assert result.error_type == "Sandbox.Timedout"
    assert result.payload == (
        b'{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: '
        + result.request_id.encode()
        + b' Error: Task timed out after 1.00 seconds"}'
    )
    assert "sleeping" in result.log
    assert f"{result.request_id} Task timed out after 1.00 seconds" in result.log
    assert result.report_line.endswith("\tStatus: timeout")
    assert 1000 <= result.duration_ms < 30_000  # ended by the timeout, not by the handler's 30 s sleep
    again = engine.invoke(spec, b'{"seconds": 0}')
    assert again.payload == b'"woke"' and again.cold


def test_timeout_kills_child_processes(no_sandbox, engine, make_function, tmp_path):
    pidfile = tmp_path / "child.pid"
    spec = make_function(f"""
        import subprocess, time
        def handler(event, context):
            child = subprocess.Popen(["sleep", "60"])
            open({str(pidfile)!r}, "w").write(str(child.pid))
            time.sleep(30)
    """, timeout=1)
    result = engine.invoke(spec)
    assert result.error_type == "Sandbox.Timedout"
    child = int(pidfile.read_text())
    # SIGKILL takes effect when the child is next scheduled, a moment later on a busy machine; well before the
    # minute it would sleep if nothing killed it.
    wait_until(lambda: not running(child), "the handler's child to be killed", seconds=30)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("import sys\n    sys.exit(1)", "Runtime exited with error: exit status 1"),
        ("import os\n    os._exit(3)", "Runtime exited with error: exit status 3"),
        ("import ctypes\n    ctypes.string_at(0)", "Runtime exited with error: signal: segmentation fault"),
        ("import os\n    os._exit(0)", "Runtime exited without providing a reason"),
    ],
    ids=["sys.exit(1)", "os._exit(3)", "segfault", "clean exit"],
)
def test_worker_exit_is_runtime_exit_error(engine, make_function, code, reason):
    spec = make_function(f"def handler(event, context):\n    {code}\n")
    result = engine.invoke(spec)
    assert result.error_type == "Runtime.ExitError"
    assert result.payload == json.dumps(
        {"errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {result.request_id} Error: {reason}"},
        separators=(",", ":"),
    ).encode()
    assert result.report_line.endswith("\tStatus: error\tError Type: Runtime.ExitError")
    assert engine.invoke(replace(spec, handler="app.handler")).cold  # the environment was discarded


def test_memory_over_the_limit_is_out_of_memory(engine, make_function):
    spec = make_function("""
        hoard = []
        def handler(event, context):
            while True:
                hoard.append(bytearray(8 * 1024 * 1024))
    """, memory=128)
    result = engine.invoke(spec)
    assert result.error_type == "Runtime.OutOfMemory"
    assert result.payload == (
        b'{"errorType":"Runtime.OutOfMemory","errorMessage":"RequestId: '
        + result.request_id.encode()
        + b' Error: Runtime exited with error: signal: killed"}'
    )
    assert result.max_memory_used_mb == 128
    assert "Max Memory Used: 128 MB" in result.report_line


def test_max_memory_used_reflects_what_the_handler_holds(engine, make_function):
    spec = make_function("""
        kept = []
        def handler(event, context):
            kept.append(bytearray(event["mb"] * 1024 * 1024))
            return len(kept)
    """, memory=512)
    small = engine.invoke(spec, b'{"mb": 1}')
    large = engine.invoke(spec, b'{"mb": 200}')
    assert small.max_memory_used_mb < 100
    assert 200 <= large.max_memory_used_mb <= 512


def test_response_over_six_megabytes_is_refused(engine, make_function):
    spec = make_function("def handler(event, context):\n    return 'x' * 7_000_000\n")
    result = engine.invoke(spec)
    assert result.error_type == "Function.ResponseSizeTooLarge"
    assert result.payload == (
        b'{"errorType":"Function.ResponseSizeTooLarge","errorMessage":'
        b'"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}'
    )
    assert engine.invoke(spec).cold


def test_request_over_six_megabytes_is_refused_before_running(engine, make_function):
    spec = make_function("def handler(event, context):\n    return 1\n")
    with pytest.raises(RequestTooLargeError) as caught:
        engine.invoke(spec, b'"' + b"x" * 6_291_456 + b'"')
    assert str(caught.value) == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    assert engine.environments() == []


def test_concurrent_invocations_get_their_own_environments(no_sandbox, engine, make_function, tmp_path):
    # Each invocation signs in, then waits for all four to have signed in: only invocations that run at the same
    # time all see four. Run one after another, the first would give up waiting and see only itself.
    arrived = tmp_path / "arrived"
    arrived.mkdir()
    spec = make_function(f"""
        import os, time
        def handler(event, context):
            open(os.path.join({str(arrived)!r}, str(os.getpid())), "w").close()
            deadline = time.monotonic() + 20
            while len(os.listdir({str(arrived)!r})) < 4 and time.monotonic() < deadline:
                time.sleep(0.01)
            return {{"pid": os.getpid(), "seen": len(os.listdir({str(arrived)!r}))}}
    """, timeout=60)
    results = []
    threads = [threading.Thread(target=lambda: results.append(engine.invoke(spec))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = [body(r) for r in results]
    assert len({a["pid"] for a in answers}) == 4
    # All four ran at the same time: each saw all four started.
    assert [a["seen"] for a in answers] == [4, 4, 4, 4]
    assert len(engine.environments()) == 4


def test_cap_queues_then_throttles(no_sandbox, make_function, tmp_path):
    # An invocation given a gate holds its environment until the gate opens, however long the test takes.
    spec = make_function("""
        import os, time
        def handler(event, context):
            while event.get("gate") and not os.path.exists(event["gate"]):
                time.sleep(0.01)
            return event["s"]
    """, timeout=60)
    gate = tmp_path / "gate"
    with Engine(max_environments=1, max_queue=1) as engine:
        results: list = []
        errors: list = []

        def call(seconds, gated=False):
            event = {"s": seconds, "gate": str(gate) if gated else None}
            try:
                results.append(engine.invoke(spec, json.dumps(event).encode()))
            except TooManyRequestsError as exc:
                errors.append(exc)

        first = threading.Thread(target=call, args=(1.0, True))
        first.start()
        wait_until(lambda: len(engine.environments()) == 1, "the first invocation's environment")
        second = threading.Thread(target=call, args=(0,))  # waits in the queue
        second.start()
        wait_until(lambda: engine._waiting == 1, "the second invocation in the queue")
        call(0)  # the queue is full
        gate.touch()
        first.join()
        second.join()
        assert [str(e) for e in errors] == ["Rate Exceeded."]
        assert sorted(r.payload for r in results) == [b"0", b"1.0"], [r.log for r in results]
        assert len(engine.environments()) == 1
        # Having waited leaves no trace: the queue is free again for the next burst.
        assert engine._waiting == 0
        gate.unlink()
        again = threading.Thread(target=call, args=(0.5, True))
        again.start()
        wait_until(lambda: any(env.busy for env in engine.environments()), "the next burst's environment busy")
        queued = threading.Thread(target=call, args=(0,))
        queued.start()
        wait_until(lambda: engine._waiting == 1, "the next burst's second invocation in the queue")
        gate.touch()
        again.join()
        queued.join()
        assert len(errors) == 1 and len(results) == 4


def test_new_code_retires_old_environments(engine, make_function):
    spec = make_function("def handler(event, context):\n    return 'old'\n", name="reload")
    assert engine.invoke(spec).payload == b'"old"'
    old_pid = engine.environments()[0].pid
    (spec.code_dir / "app.py").write_text("def handler(event, context):\n    return 'new'\n")
    updated = replace(spec, revision="second upload")
    result = engine.invoke(updated)
    assert result.payload == b'"new"' and result.cold
    assert [env.pid for env in engine.environments()] != [old_pid]
    wait_until(lambda: not running(old_pid), "the old worker to end")


def test_new_configuration_retires_old_environments(engine, make_function):
    spec = make_function("import os\ndef handler(event, context):\n    return os.environ.get('MODE')\n")
    assert engine.invoke(replace(spec, environment={"MODE": "a"})).payload == b'"a"'
    assert engine.invoke(replace(spec, environment={"MODE": "b"})).payload == b'"b"'
    assert len(engine.environments()) == 1


def test_retire_discards_a_function_environments(engine, make_function):
    spec = make_function("def handler(event, context):\n    return 1\n")
    engine.invoke(spec)
    engine.retire(spec.name)
    assert engine.environments() == []
    assert engine.invoke(spec).cold


def test_idle_environments_are_reaped(make_function):
    spec = make_function("def handler(event, context):\n    return 1\n")
    with Engine(idle_timeout=0.3) as engine:
        engine.invoke(spec)
        pid = engine.environments()[0].pid
        wait_until(lambda: engine.environments() == [], "the idle environment to be reaped")
        # The reaper takes the environment off the list, then kills its worker.
        wait_until(lambda: not running(pid), "the reaped worker to end")


def test_full_cap_evicts_an_idle_environment_of_another_function(make_function):
    first = make_function("def handler(event, context):\n    return 1\n")
    second = make_function("def handler(event, context):\n    return 2\n")
    with Engine(max_environments=1) as engine:
        engine.invoke(first)
        assert engine.invoke(second).payload == b"2"
        assert [env.function for env in engine.environments()] == [second.name]


def test_cancel_stops_a_running_invocation(no_sandbox, engine, make_function, tmp_path):
    started = tmp_path / "started"
    spec = make_function(f"""
        import time
        def handler(event, context):
            open({str(started)!r}, "w").close()
            time.sleep(30)
    """, timeout=60)
    results = []
    thread = threading.Thread(target=lambda: results.append(engine.invoke(spec, request_id="cancel-me")))
    thread.start()
    wait_until(started.exists, "the handler to start")
    assert engine.cancel("cancel-me")
    thread.join(60)
    assert results[0].error_type == "Runtime.ExitError"
    assert "Invocation cancelled" in results[0].log


def test_close_kills_every_worker(make_function):
    spec = make_function("def handler(event, context):\n    return 1\n")
    engine = Engine()
    engine.invoke(spec)
    pid = engine.environments()[0].pid
    engine.close()
    wait_until(lambda: not running(pid), "the worker to end")


def test_handler_cannot_import_the_console_packages(engine, make_function):
    spec = make_function("""
        import importlib
        def handler(event, context):
            found = {}
            for name in ("flask", "click", "console", "boto3", "botocore", "json"):
                try:
                    importlib.import_module(name)
                    found[name] = True
                except ImportError:
                    found[name] = False
            return found
    """, timeout=60)  # importing boto3 takes seconds on a busy machine
    assert body(engine.invoke(spec)) == {
        "flask": False, "click": False, "console": False, "boto3": True, "botocore": True, "json": True,
    }


def test_importing_flask_at_module_level_is_an_import_module_error(engine, make_function):
    spec = make_function("import flask\ndef handler(event, context):\n    return 1\n")
    result = engine.invoke(spec)
    assert result.error_type == "Runtime.ImportModuleError"
    assert body(result)["errorMessage"] == "Unable to import module 'app': No module named 'flask'"


def test_handler_sees_lambda_environment_and_not_the_console_one(engine, make_function, monkeypatch):
    monkeypatch.setenv("CONSOLE_SECRET_TOKEN", "do-not-leak")
    spec = make_function("""
        import os
        def handler(event, context):
            return dict(os.environ)
    """, name="envcheck", environment={"GREETING": "hi"}, memory=256)
    env = body(engine.invoke(spec))
    assert "CONSOLE_SECRET_TOKEN" not in env
    assert env["GREETING"] == "hi"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "envcheck"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/envcheck"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == task_root(spec)
    assert env["AWS_EXECUTION_ENV"] == f"AWS_Lambda_{spec.runtime}"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert "AWS_SAM_LOCAL" not in env  # Lambda does not set it; Powertools' Tracer runs as on Lambda
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", env["_X_AMZN_TRACE_ID"])
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])  # plain host:port, as on Lambda


def test_working_directory_is_the_code_root(engine, make_function):
    spec = make_function("import os\ndef handler(event, context):\n    return os.getcwd()\n")
    assert body(engine.invoke(spec)) == task_root(spec)


def test_context_reports_the_invocation(engine, make_function):
    spec = make_function("""
        def handler(event, context):
            return {
                "request_id": context.aws_request_id,
                "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb,
                "remaining": context.get_remaining_time_in_millis(),
                "client": context.client_context.custom if context.client_context else None,
            }
    """, name="ctx", timeout=7)
    result = engine.invoke(spec, client_context='{"custom": {"tenant": "t1"}}')
    answer = body(result)
    assert answer["request_id"] == result.request_id
    assert answer["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx"
    assert answer["memory"] == "128"
    # More than the default 3 s allows: the function's own 7 s, less however long a busy machine took to hand it over.
    assert 3000 < answer["remaining"] <= 7000
    assert answer["client"] == {"tenant": "t1"}


def test_printing_a_lot_does_not_block_and_the_log_is_capped(make_function):
    spec = make_function("""
        def handler(event, context):
            for i in range(200_000):
                print("line", i)
            return "done"
    """, timeout=60)
    with Engine(log_limit=256 * 1024) as engine:
        result = engine.invoke(spec)
    assert result.payload == b'"done"'
    assert "log cut" in result.log
    assert "line 199999\n" in result.log  # the tail is kept: the end of a log is where the answer is
    assert len(result.log) < 400 * 1024


def test_output_lands_in_the_invocation_that_wrote_it(engine, make_function):
    spec = make_function("""
        def handler(event, context):
            print("event", event["n"])
            return event["n"]
    """)
    for n in range(20):
        result = engine.invoke(spec, json.dumps({"n": n}).encode())
        assert f"\nevent {n}\n" in result.log
        assert f"event {n - 1}\n" not in result.log


def test_runtime_dir_holds_no_console_packages(engine, make_function):
    spec = make_function("import os\ndef handler(event, context):\n    return sorted(os.listdir(os.environ['LAMBDA_RUNTIME_DIR']))\n")
    names = body(engine.invoke(spec))
    assert "boto3" in names and "botocore" in names
    assert not {"flask", "click", "werkzeug", "jinja2", "console"} & {n.lower() for n in names}


def test_worker_exits_when_the_runtime_api_goes_away(make_function):
    spec = make_function("def handler(event, context):\n    return 1\n")
    engine = Engine()
    engine.invoke(spec)
    env = engine._idle[spec.key][0]
    engine._server.close()  # as when the console dies: the worker's connection breaks
    env.process.wait(timeout=60)
    engine.close()
    assert env.process.returncode is not None


@pytest.mark.parametrize(
    "close",
    ["sys.stdout.close()", "os.close(1); os.close(2)"],
    ids=["sys.stdout.close", "close fds 1 and 2"],
)
def test_a_handler_that_closes_its_output_breaks_nothing(engine, make_function, close):
    spec = make_function(f"""
        import os, sys
        def handler(event, context):
            if event.get("close"):
                {close}
                print("into the void")
            return "still here"
    """)
    first = engine.invoke(spec, b'{"close": true}')
    # Its error cannot even be logged: the runtime goes down with it, as awslambdaric's does.
    assert first.error_type == "Runtime.ExitError"
    assert first.report_line.startswith(f"REPORT RequestId: {first.request_id}")
    again = engine.invoke(spec, b"{}")
    assert again.payload == b'"still here"' and again.cold


def test_a_hundred_megabytes_of_log_is_cut_not_kept(make_function):
    spec = make_function("""
        import sys
        def handler(event, context):
            line = "x" * 1023 + "\\n"
            for _ in range(100 * 1024):
                sys.stdout.write(line)
            print("the last line")
            return "done"
    """, timeout=120)
    with Engine() as engine:
        result = engine.invoke(spec)
        assert result.payload == b'"done"'
        assert "[log cut:" in result.log and "the last line" in result.log
        assert len(result.log) <= 2 * 1024 * 1024
        assert engine.invoke(spec, b"{}").payload == b'"done"'


def test_a_client_context_cannot_inject_runtime_api_headers(engine, make_function):
    spec = make_function("""
        def handler(event, context):
            return {"custom": context.client_context.custom, "request_id": context.aws_request_id}
    """)
    # JSON over several lines is still the same JSON.
    result = engine.invoke(spec, client_context='{"custom":\r\n {"a": 1}}')
    assert body(result) == {"custom": {"a": 1}, "request_id": result.request_id}
    # A smuggled header line stays part of the (now invalid) JSON: the runtime refuses it; nothing is forged.
    sneaky = '{"custom": {}}\r\nLambda-Runtime-Aws-Request-Id: forged\r\n'
    result = engine.invoke(spec, client_context=sneaky)
    assert result.error_type == "Runtime.LambdaContextUnmarshalError"
    assert body(result)["requestId"] == result.request_id != "forged"


def test_each_environment_has_its_own_temporary_folder_removed_when_it_retires(engine, make_function):
    spec = make_function("""
        import os, tempfile
        def handler(event, context):
            scratch = os.path.join(tempfile.gettempdir(), "scratch")
            found = os.path.exists(scratch)
            with open(scratch, "w") as file:
                file.write("x")
            return {"folder": tempfile.gettempdir(), "found": found}
    """)
    first = body(engine.invoke(spec))
    assert first["found"] is False
    assert body(engine.invoke(spec)) == {**first, "found": True}  # the same environment, the same folder
    engine.retire(spec.name)
    if SANDBOXED:
        assert first["folder"] == "/tmp"  # a tmpfs of its own, gone with the environment's namespace
    else:
        assert not Path(first["folder"]).exists()
    second = body(engine.invoke(spec))
    assert second["found"] is False
    assert SANDBOXED or second["folder"] != first["folder"]


@pytest.mark.parametrize("ending", ["cancel", "close"])
def test_cancel_and_shutdown_take_the_handlers_children(no_sandbox, make_function, tmp_path, ending):
    pidfile = tmp_path / "child.pid"
    spec = make_function(f"""
        import subprocess, time
        def handler(event, context):
            child = subprocess.Popen(["sleep", "60"])
            open({str(pidfile)!r}, "w").write(str(child.pid))
            time.sleep(60)
    """, timeout=120)
    engine = Engine()
    thread = threading.Thread(target=lambda: engine.invoke(spec, request_id="to-end"))
    thread.start()
    wait_until(lambda: pidfile.exists() and pidfile.read_text(), "the handler's child")
    if ending == "cancel":
        assert engine.cancel("to-end")
    else:
        engine.close()
    thread.join(60)
    engine.close()
    # Well before the minute the child would sleep if nothing killed it.
    wait_until(lambda: not running(int(pidfile.read_text())), "the handler's child to be killed", seconds=30)


def test_a_warm_worker_slow_to_take_its_event_is_not_timed_out(engine, make_function):
    """On a busy machine a warm worker may take its next event late; only the function's timeout may end it.

    The handler leaves a thread that, while the response is being posted, holds the interpreter in one long C call
    (a regular expression that backtracks for about half a second): the worker cannot ask for its next event until
    it ends, while the engine queues that event at once.
    """
    spec = make_function("""
        import re, threading, time
        def hold():
            time.sleep(0)
            re.match(r"(a+)+$", "a" * 23 + "b")
        def handler(event, context):
            if event.get("hold"):
                threading.Thread(target=hold).start()
            return "ok"
    """, timeout=3)
    engine.invoke(spec)
    engine._idle[spec.key][0]._spawned -= 60  # as if the environment had been warm for a minute
    assert engine.invoke(spec, b'{"hold": true}').payload == b'"ok"'
    result = engine.invoke(spec)  # queued while the worker is still held
    assert result.payload == b'"ok"' and not result.cold


def test_callers_in_two_regions_keep_their_own_warm_environments(engine, make_function):
    # The web console invokes in the default region, the REST API in the region a request was signed for.
    spec = make_function("def handler(event, context):\n    return context.invoked_function_arn\n")
    elsewhere = dataclasses.replace(spec, region="eu-west-1")
    first = [engine.invoke(spec), engine.invoke(elsewhere)]
    again = [engine.invoke(spec), engine.invoke(elsewhere), engine.invoke(spec)]
    assert [result.cold for result in first] == [True, True]
    assert [result.cold for result in again] == [False, False, False]
    assert ":eu-west-1:" in body(again[1]) and ":eu-west-1:" not in body(again[0])
