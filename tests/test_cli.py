"""`lambda-console invoke`, run as a user runs it: a real process, its stdout, stderr and exit status."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

HANDLERS = Path(__file__).resolve().parents[1] / "handlers"
SEED_EVENT = '{"first_name": "Ada", "last_name": "Lovelace"}'


def run(*args: str | Path, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m console ARGS`, with stdin given (never the terminal's), stdout and stderr captured as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "console", *map(str, args)],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def assert_one_error_line(proc: subprocess.CompletedProcess, expected: str) -> None:
    """A usage mistake: exit 2, nothing on stdout, exactly one line on stderr, the expected one."""
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert proc.stdout == b""
    assert err == f"Error: {expected}\n"


@pytest.fixture
def sample(tmp_path: Path) -> Callable[[str], Path]:
    """sample(name): a copy of handlers/<name>/ to run, so that running it leaves the repository untouched."""

    def copy(name: str) -> Path:
        return Path(shutil.copytree(HANDLERS / name, tmp_path / name))

    return copy


@pytest.fixture
def echo(tmp_path: Path) -> Path:
    """A package whose handler returns the event it was given, with the environment variables it asks for."""
    package = tmp_path / "echo"
    package.mkdir()
    (package / "echo.py").write_text(
        "import os\n\n\n"
        "def handler(event, context):\n"
        "    if isinstance(event, dict) and 'env' in event:\n"
        "        return {name: os.environ.get(name) for name in event['env']}\n"
        "    return event\n"
    )
    return package


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# --- the seed example and what a run prints ---------------------------------------------------------------------


def test_seed_example_from_a_zip(tmp_path: Path, sample, make_zip):
    package = make_zip(sample("hello_python"))
    event = write(tmp_path / "e.json", SEED_EVENT)
    proc = run("invoke", package, "--handler", "hello_python.my_handler", "--event", event)
    assert proc.returncode == 0, proc.stderr.decode()
    # The payload exactly as Lambda returns it, plus one newline.
    assert proc.stdout == b'{"message": "Hello Ada Lovelace!"}\n'
    log = proc.stderr.decode().splitlines()
    assert log[0].startswith("START RequestId: ") and log[0].endswith(" Version: $LATEST")
    request_id = log[0].split()[2]
    assert log[-2] == f"END RequestId: {request_id}"
    assert log[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tMemory Size: 128 MB\t" in log[-1] and "\tInit Duration: " in log[-1]


def test_a_folder_runs_like_its_zip(tmp_path: Path, sample, make_zip):
    folder = sample("hello_python")
    event = write(tmp_path / "e.json", SEED_EVENT)
    from_folder = run("invoke", folder, "--handler", "hello_python.my_handler", "--event", event)
    from_zip = run("invoke", make_zip(folder), "--handler", "hello_python.my_handler", "--event", event)
    assert from_folder.returncode == from_zip.returncode == 0
    assert from_folder.stdout == from_zip.stdout == b'{"message": "Hello Ada Lovelace!"}\n'


def test_python_m_console_is_lambda_console():
    script = Path(sys.executable).with_name("lambda-console")
    if not script.exists():
        pytest.skip("the lambda-console script is not installed beside this Python")
    for args in (["--help"], ["invoke", "--help"], ["invoke"]):
        module = run(*args)
        installed = subprocess.run([script, *args], capture_output=True, input=b"", timeout=60, check=False)
        assert (module.returncode, module.stdout, module.stderr) == (
            installed.returncode,
            installed.stdout,
            installed.stderr,
        )


def test_bare_command_shows_the_help():
    proc = run()
    assert proc.returncode == 0
    assert b"Usage: lambda-console [OPTIONS] COMMAND" in proc.stdout and b"invoke" in proc.stdout


# --- events, environment, configuration -------------------------------------------------------------------------


def test_default_event_is_an_empty_object(echo: Path):
    proc = run("invoke", echo, "--handler", "echo.handler")
    assert (proc.returncode, proc.stdout) == (0, b"{}\n")


def test_event_from_stdin(echo: Path):
    proc = run("invoke", echo, "--handler", "echo.handler", "--event", "-", stdin=b'{"a": [1, 2.5, null]}')
    assert (proc.returncode, proc.stdout) == (0, b'{"a": [1, 2.5, null]}\n')


def test_an_event_can_be_any_json_value(echo: Path):
    proc = run("invoke", echo, "--handler", "echo.handler", "--event", "-", stdin=b'"just a string"')
    assert (proc.returncode, proc.stdout) == (0, b'"just a string"\n')


def test_none_is_printed_as_null(sample):
    proc = run("invoke", sample("return_none"), "--handler", "return_none.handler")
    assert (proc.returncode, proc.stdout) == (0, b"null\n")
    assert "received 0 keys, returning nothing\n" in proc.stderr.decode()


def test_env_reaches_the_function(echo: Path):
    event = b'{"env": ["STAGE", "GREETING", "AWS_LAMBDA_FUNCTION_NAME"]}'
    proc = run(
        "invoke", echo, "--handler", "echo.handler", "--event", "-",
        "--env", "STAGE=dev", "--env", "GREETING=a=b c", "--env", "STAGE=prod",
        stdin=event,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    # A value may hold '='; a repeated name takes its last value; the function name comes from the folder.
    assert json.loads(proc.stdout) == {"STAGE": "prod", "GREETING": "a=b c", "AWS_LAMBDA_FUNCTION_NAME": "echo"}


def test_the_console_own_environment_stays_out(echo: Path):
    env = {**os.environ, "LAMBDA_CONSOLE_SECRET_TOKEN": "s3cr3t"}
    proc = subprocess.run(
        [sys.executable, "-m", "console", "invoke", echo, "--handler", "echo.handler", "--event", "-"],
        input=b'{"env": ["LAMBDA_CONSOLE_SECRET_TOKEN"]}',
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, b'{"LAMBDA_CONSOLE_SECRET_TOKEN": null}\n')


def test_memory_name_and_timeout_reach_the_function(sample):
    proc = run(
        "invoke", sample("context_info"), "--handler", "context_info.handler",
        "--memory", "512", "--timeout", "10", "--name", "my-function",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    context = json.loads(proc.stdout)
    assert context["memory_limit_in_mb"] == "512"
    assert context["function_name"] == "my-function"
    assert 0 < context["remaining_time_in_millis"] <= 10_000
    assert "\tMemory Size: 512 MB\t" in proc.stderr.decode().splitlines()[-1]


# --- function errors: exit status 1, the error payload on stdout ------------------------------------------------


def test_function_error_exits_1(sample):
    proc = run("invoke", sample("raise_error"), "--handler", "raise_error.handler", "--event", "-", stdin=b"{}")
    assert proc.returncode == 1
    error = json.loads(proc.stdout)
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "quantity must be positive, got 0")
    assert "[ERROR] ValueError: quantity must be positive, got 0" in proc.stderr.decode()


def test_timeout_exits_1(sample):
    proc = run(
        "invoke", sample("sleep_seconds"), "--handler", "sleep_seconds.handler",
        "--timeout", "1", "--event", "-", stdin=b'{"seconds": 10}',
    )  # fmt: skip
    assert proc.returncode == 1
    error = json.loads(proc.stdout)
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith(" Error: Task timed out after 1.00 seconds")
    assert proc.stderr.decode().splitlines()[-1].endswith("\tStatus: timeout")


def test_missing_handler_module_exits_1(echo: Path):
    proc = run("invoke", echo, "--handler", "nothere.handler")
    assert proc.returncode == 1
    error = json.loads(proc.stdout)
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"] == "Unable to import module 'nothere': No module named 'nothere'"


@pytest.mark.parametrize(
    ("folder_name", "error_message"),
    [
        # As on Lambda, `import hello_python` then finds the folder: a namespace package without the function.
        ("hello_python", "Handler 'my_handler' missing on module 'hello_python'"),
        ("package", "Unable to import module 'hello_python': No module named 'hello_python'"),
    ],
)
def test_a_zip_holding_the_folder_gets_a_hint(folder_name: str, error_message: str, tmp_path: Path, sample):
    package = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.write(sample("hello_python") / "hello_python.py", f"{folder_name}/hello_python.py")
    proc = run("invoke", package, "--handler", "hello_python.my_handler", "--event", "-", stdin=SEED_EVENT.encode())
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["errorMessage"] == error_message
    assert proc.stderr.decode().splitlines()[-1] == (
        f"Hint: {package} holds the folder {folder_name}/ with hello_python inside; zip the folder's contents, "
        f"not the folder (or pass --handler {folder_name}/hello_python.my_handler)."
    )


def test_the_unpacked_zip_is_removed_afterwards(tmp_path: Path, make_zip):
    package = tmp_path / "where"
    package.mkdir()
    write(package / "where.py", "import os\n\n\ndef handler(event, context):\n    return os.getcwd()\n")
    proc = run("invoke", make_zip(package), "--handler", "where.handler")
    assert proc.returncode == 0, proc.stderr.decode()
    code_dir = Path(json.loads(proc.stdout))
    assert code_dir != package and not code_dir.exists()


# --- usage mistakes: exit status 2, one line -----------------------------------------------------------------------

PACKAGE_HINT = "Pass the deployment package (.zip) or the folder holding the handler's code."


def test_missing_package(tmp_path: Path):
    proc = run("invoke", "nope.zip", "--handler", "a.b", cwd=tmp_path)
    assert_one_error_line(proc, f"nope.zip: no such file or folder. {PACKAGE_HINT}")


def test_package_that_is_not_a_zip(tmp_path: Path):
    write(tmp_path / "hello_python.py", "def handler(event, context):\n    return 1\n")
    proc = run("invoke", "hello_python.py", "--handler", "hello_python.handler", cwd=tmp_path)
    assert_one_error_line(proc, f"hello_python.py: not a zip file. {PACKAGE_HINT}")


def test_damaged_zip(tmp_path: Path):
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as archive:  # stored, so that the code is in the file as is
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    data = (tmp_path / "bad.zip").read_bytes()
    write(tmp_path / "bad.zip", data.replace(b"return 1", b"return 2"))
    proc = run("invoke", "bad.zip", "--handler", "app.handler", cwd=tmp_path)
    assert_one_error_line(proc, "bad.zip: damaged zip file (Bad CRC-32 for file 'app.py'). Create the zip again.")


def test_zip_with_an_entry_outside_the_package(tmp_path: Path):
    # The same checks as an upload to the console (console.core.packages), with the file's name first.
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
        archive.writestr("xx/evil.py", "print('owned')\n")
    write(tmp_path / "evil.zip", (tmp_path / "evil.zip").read_bytes().replace(b"xx/evil.py", b"../evil.py"))
    proc = run("invoke", "evil.zip", "--handler", "app.handler", cwd=tmp_path)
    assert_one_error_line(
        proc,
        "evil.zip: the zip's entry '../evil.py' points outside the package ('..'). "
        "Zip the package's files from inside its folder.",
    )


def test_event_that_is_not_json(tmp_path: Path, echo: Path):
    write(tmp_path / "event.json", '{\n  "first_name": "Ada",\n  "last_name" "Lovelace"\n}\n')
    proc = run("invoke", echo, "--handler", "echo.handler", "--event", "event.json", cwd=tmp_path)
    assert_one_error_line(
        proc,
        "event.json: not valid JSON at line 3, column 15: Expecting ':' delimiter. "
        "Fix the event: it must be one JSON value.",
    )


def test_stdin_event_that_is_not_json(echo: Path):
    proc = run("invoke", echo, "--handler", "echo.handler", "--event", "-", stdin=b'{"a": 1 "b": 2}')
    assert_one_error_line(
        proc,
        "stdin: not valid JSON at line 1, column 9: Expecting ',' delimiter. Fix the event: it must be one JSON value.",
    )


def test_empty_event(echo: Path):
    proc = run("invoke", echo, "--handler", "echo.handler", "--event", "-", stdin=b"\n")
    assert_one_error_line(proc, 'stdin: empty: an event is one JSON value, such as {}, {"key": "value"}, [] or null.')


def test_event_that_is_not_utf8(tmp_path: Path, echo: Path):
    write(tmp_path / "latin1.json", '{"name": "Zoë"}'.encode("latin-1"))
    proc = run("invoke", echo, "--handler", "echo.handler", "--event", "latin1.json", cwd=tmp_path)
    assert_one_error_line(
        proc, "latin1.json: not UTF-8 at line 1, column 13: byte 0xeb cannot be decoded. Save it as UTF-8 text."
    )


def test_missing_event_file(tmp_path: Path, echo: Path):
    proc = run("invoke", echo, "--handler", "echo.handler", "--event", "missing.json", cwd=tmp_path)
    assert_one_error_line(
        proc,
        "missing.json: no such event file. Pass a JSON file, - to read standard input, or leave out --event to send {}.",
    )


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--env", "STAGE"], "--env STAGE: no '=' in it. Write KEY=VALUE, for example --env STAGE=dev."),
        (
            ["--env", "1STAGE=dev"],
            (
                "--env: Environment variable name '1STAGE' is not valid: start with a letter, then at least one "
                "more letter, digit or underscore."
            ),
        ),
        (
            ["--env", "AWS_REGION=eu-west-1"],
            (
                "--env: Lambda sets these environment variables itself and does not let a function change them: "
                "AWS_REGION. Choose other names."
            ),
        ),
        (
            ["--env", "BIG=" + "x" * 4100],
            "--env: Environment variables take 4103 bytes, more than Lambda's 4096: shorten or remove some.",
        ),
        (["--timeout", "0"], "--timeout 0: out of Lambda's range. Pass a whole number of seconds from 1 to 900."),
        (["--timeout", "901"], "--timeout 901: out of Lambda's range. Pass a whole number of seconds from 1 to 900."),
        (["--timeout", "2.5"], "--timeout 2.5: not a whole number. Pass a whole number of seconds from 1 to 900."),
        (
            ["--memory", "64"],
            "--memory 64: out of Lambda's range. Pass a whole number of megabytes from 128 to 10240.",
        ),
        (
            ["--memory", "20000"],
            "--memory 20000: out of Lambda's range. Pass a whole number of megabytes from 128 to 10240.",
        ),
        (
            ["--name", "my.function"],
            (
                "--name: Function name 'my.function' is not valid: use 1 to 64 letters, digits, hyphens (-) "
                "and underscores (_)."
            ),
        ),
        (
            ["--runtime-client", "java"],
            (
                "Invalid value for '--runtime-client': 'java' is not one of 'bootstrap', 'awslambdaric'. "
                "See 'lambda-console invoke --help'."
            ),
        ),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else None,
)
def test_bad_option(option: list[str], expected: str, echo: Path):
    assert_one_error_line(run("invoke", echo, "--handler", "echo.handler", *option), expected)


def test_missing_handler_option(echo: Path):
    assert_one_error_line(run("invoke", echo), "Missing option '--handler'. See 'lambda-console invoke --help'.")


def test_handler_with_spaces(echo: Path):
    assert_one_error_line(
        run("invoke", echo, "--handler", "echo handler"),
        "--handler: Handler 'echo handler' is not valid: write file.function (like hello_python.my_handler), "
        "1 to 128 characters without spaces.",
    )


def test_unknown_command():
    proc = run("launch")
    assert_one_error_line(proc, "No such command 'launch'. See 'lambda-console --help'.")
