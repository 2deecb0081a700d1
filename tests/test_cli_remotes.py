"""Remotes on the command line: `remotes add/list/remove`, and `test --all --remote` against another real
`lambda-console serve` reached with --endpoint-url, as any Lambda-compatible endpoint is."""

from __future__ import annotations

import io
import json
import os
import socket
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig

from tests.conftest import LiveServer
from tests.test_cli_store import run
from tests.test_cli_tests import write_events

# The remote server runs without --auth: any keys sign; botocore's chain finds these in the environment.
KEYS = {"AWS_ACCESS_KEY_ID": "AKIDREMOTETEST", "AWS_SECRET_ACCESS_KEY": "remote-test-secret"}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The command line's environment: keys for the endpoint, and no AWS config of the machine's."""
    (tmp_path / "aws-config").write_text("[profile someone]\nregion = eu-west-1\n")
    clean = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    return {**clean, **KEYS, "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials")}


@pytest.fixture
def remote_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "remote-data")
    yield server
    server.stop()


def remote_lambda(server: LiveServer):
    return boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
                        config=BotoConfig(retries={"mode": "standard"}))


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_remotes_are_added_listed_and_removed_and_bad_ones_refused(data, env) -> None:
    added = run(data, "remotes", "add", "prod", "--profile", "someone", "--region", "eu-west-1", env=env)
    assert added.returncode == 0, added.stderr.decode()
    assert "Added remote prod: profile someone, region eu-west-1." in added.stderr.decode()
    assert run(data, "remotes", "add", "local", "--endpoint-url", "http://127.0.0.1:8008/", env=env).returncode == 0
    lines = run(data, "remotes", "list", env=env).stdout.decode().splitlines()
    assert [line.split() for line in lines] == [["NAME", "REGION", "TARGET"],
                                                ["local", "us-east-1", "http://127.0.0.1:8008"],
                                                ["prod", "eu-west-1", "profile", "someone"]]

    refused = {
        ("prod", "--endpoint-url", "http://x:1"): "prod: there is a remote of that name already",
        ("two", "--profile", "someone", "--region", "eu-west-1", "--endpoint-url", "http://x:1"): "not both",
        ("two",): "Give either --profile",
        ("two", "--profile", "someone"): "--profile someone: give the --region",
        ("two", "--profile", "someone", "--region", "Europe"): "--region Europe: not an AWS region name",
        ("two", "--endpoint-url", "ftp://host"): "--endpoint-url ftp://host: not an http:// or https:// URL",
        ("bad name!", "--endpoint-url", "http://x:1"): "'bad name!': not a remote name",
    }
    for args, message in refused.items():
        proc = run(data, "remotes", "add", *args, env=env)
        assert proc.returncode == 2 and message in proc.stderr.decode(), (args, proc.stderr.decode())

    assert run(data, "remotes", "remove", "local", env=env).returncode == 0
    gone = run(data, "remotes", "remove", "local", env=env)
    assert gone.returncode == 2 and "local: no such remote (there are: prod)" in gone.stderr.decode()
    assert [line.split()[0] for line in run(data, "remotes", "list", env=env).stdout.decode().splitlines()] == [
        "NAME", "prod"]
    # Only where to go is stored: no key of the environment's ever reaches the data folder.
    for path in data.rglob("*"):
        if path.is_file():
            assert KEYS["AWS_SECRET_ACCESS_KEY"].encode() not in path.read_bytes(), path


def test_test_all_remote_runs_the_saved_events_on_the_remote_functions(data, env, tmp_path, remote_server) -> None:
    write_events(tmp_path / "hello", {
        "ada-lovelace.json": {"first_name": "Ada", "last_name": "Lovelace"},
        "ada-lovelace.expected.json": {"response": {"message": "Hello Ada Lovelace!"}, "functionError": False},
        "grace.json": {"first_name": "Grace", "last_name": "Hopper"},
        "grace.expected.json": {"response": {"message": "Hello Grace!"}},
    })
    write_events(tmp_path / "raise", {
        "zero-quantity.json": {"quantity": 0},
        "zero-quantity.expected.json": {"response": {"errorType": "ValueError"}, "functionError": True},
    })
    assert run(data, "events", "import", "hello_python", tmp_path / "hello", "--replace", env=env).returncode == 0
    assert run(data, "events", "import", "raise_error", tmp_path / "raise", "--replace", env=env).returncode == 0
    assert run(data, "remotes", "add", "other", "--endpoint-url", remote_server.url, env=env).returncode == 0
    client = remote_lambda(remote_server)

    report = tmp_path / "report.xml"
    proc = run(data, "test", "--all", "--remote", "other", "--junit", report, env=env)
    assert proc.returncode == 1, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [
        ["PASS", "hello_python/ada-lovelace"], ["FAIL", "hello_python/grace"], ["PASS", "raise_error/zero-quantity"]]
    assert lines[0].endswith(" ms")
    assert "--- hello_python/grace" in lines
    assert '    changed  $.message: expected "Hello Grace!", got "Hello Grace Hopper!"' in lines
    assert lines[-1] == "2 passed, 1 failed"
    root = ET.parse(report).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "0")
    assert {suite.get("name") for suite in root.findall("testsuite")} == {"hello_python", "raise_error"}
    failure = root.find("testsuite[@name='hello_python']/testcase[@name='grace']/failure")
    assert failure.get("message") == 'changed  $.message: expected "Hello Grace!", got "Hello Grace Hopper!"'

    # The remote's code is what answers: once the remote's hello_python says Hi, the diffs show the remote's
    # answers, while the local function still answers as before.
    client.update_function_code(FunctionName="hello_python", ZipFile=zip_of({
        "hello_python.py": "def my_handler(event, context):\n"
                           "    return {'message': f\"Hi {event['first_name']} {event['last_name']}!\"}\n"
    }))
    proc = run(data, "test", "--all", "--remote", "other", "hello_python", env=env)
    assert proc.returncode == 1, proc.stdout.decode() + proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert '    changed  $.message: expected "Hello Ada Lovelace!", got "Hi Ada Lovelace!"' in lines
    assert lines[-1] == "0 passed, 2 failed"
    local = run(data, "test", "--all", "hello_python", env=env)
    assert local.returncode == 1 and local.stdout.decode().splitlines()[-1] == "1 passed, 1 failed"

    # Only the named function, all passing: exit 0.
    proc = run(data, "test", "--all", "--remote", "other", "raise_error", env=env)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert proc.stdout.decode().splitlines()[-1] == "1 passed, 0 failed"

    # Throttled there (no concurrency reserved): retried as boto3's standard mode retries, then said plainly.
    client.put_function_concurrency(FunctionName="raise_error", ReservedConcurrentExecutions=0)
    proc = run(data, "test", "--all", "--remote", "other", "raise_error", env=env)
    assert proc.returncode == 1
    assert "Remote other refused: TooManyRequestsException (HTTP 429, after 2 retries)" in proc.stdout.decode()

    # A function not deployed there fails with the remote's own refusal.
    client.delete_function(FunctionName="raise_error")
    proc = run(data, "test", "--all", "--remote", "other", "raise_error", env=env)
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "FAIL  raise_error/zero-quantity" in out
    assert "Remote other refused: ResourceNotFoundException (HTTP 404)" in out
    assert out.splitlines()[-1] == "0 passed, 1 failed"


def test_an_unreachable_endpoint_a_missing_profile_and_an_unknown_remote_say_so(data, env, tmp_path) -> None:
    write_events(tmp_path / "raise", {
        "zero-quantity.json": {"quantity": 0},
        "zero-quantity.expected.json": {"functionError": True},
    })
    assert run(data, "events", "import", "raise_error", tmp_path / "raise", "--replace", env=env).returncode == 0
    url = f"http://127.0.0.1:{closed_port()}"
    assert run(data, "remotes", "add", "gone", "--endpoint-url", url, env=env).returncode == 0
    proc = run(data, "test", "--all", "--remote", "gone", env=env)
    assert proc.returncode == 1
    message = proc.stderr.decode()
    assert f"Remote gone: cannot reach {url}" in message and "Check that the endpoint is running" in message
    assert "Traceback" not in message

    assert run(data, "remotes", "add", "prod", "--profile", "nobody", "--region", "eu-west-1", env=env).returncode == 0
    proc = run(data, "test", "--all", "--remote", "prod", env=env)
    assert proc.returncode == 1
    assert "Remote prod: the AWS profile 'nobody' is not in ~/.aws/config" in proc.stderr.decode()

    proc = run(data, "test", "--all", "--remote", "nowhere", env=env)
    assert proc.returncode == 2 and "--remote nowhere: no such remote (there are: gone, prod)" in proc.stderr.decode()
    proc = run(data, "test", "raise_error", "--remote", "gone", env=env)
    assert proc.returncode == 2 and "--remote: only with --all" in proc.stderr.decode()


def test_an_endpoint_without_credentials_says_how_to_reach_a_local_one(data, env, tmp_path, remote_server) -> None:
    write_events(tmp_path / "hello", {"ada.json": {"first_name": "Ada", "last_name": "L"},
                                      "ada.expected.json": {"functionError": False}})
    assert run(data, "events", "import", "hello_python", tmp_path / "hello", env=env).returncode == 0
    assert run(data, "remotes", "add", "local", "--endpoint-url", remote_server.url, env=env).returncode == 0
    no_keys = {key: value for key, value in env.items() if key not in KEYS} | {"AWS_EC2_METADATA_DISABLED": "true"}
    proc = run(data, "test", "--all", "--remote", "local", env=no_keys)
    assert proc.returncode == 1
    message = proc.stderr.decode()
    assert "Remote local: no AWS credentials found in the environment (AWS_ACCESS_KEY_ID...)" in message
    assert "export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test" in message and "Traceback" not in message
    # With any keys, as the message says, the same run reaches the remote.
    keyed = no_keys | {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    assert run(data, "test", "--all", "--remote", "local", env=keyed).returncode == 0


ROLE = "arn:aws:iam::123456789012:role/lambda-basic-execution"


def test_deploy_creates_updates_and_publishes_a_function_on_the_remote(data, env, tmp_path, remote_server) -> None:
    from console.config import load_config
    from console.core.console import Console

    code = tmp_path / "greeter"
    code.mkdir()
    (code / "app.py").write_text("import os\n\ndef handler(event, context):\n"
                                 "    return {'greeting': os.environ['GREETING'] + ' ' + event['name']}\n")
    added = run(data, "functions", "add", "greeter", "--code", code, "--handler", "app.handler", "--timeout", "5",
                "--memory", "256", "--env", "GREETING=Hello", env=env)
    assert added.returncode == 0, added.stderr.decode()
    assert run(data, "remotes", "add", "other", "--endpoint-url", remote_server.url, env=env).returncode == 0
    client = remote_lambda(remote_server)

    # A new function needs a role, and a role's ARN.
    proc = run(data, "deploy", "greeter", "--remote", "other", env=env)
    assert proc.returncode == 2 and "greeter is not on remote other yet: a new function needs --role ARN" in \
        proc.stderr.decode()
    proc = run(data, "deploy", "greeter", "--remote", "other", "--role", "admin", env=env)
    assert proc.returncode == 2 and "--role admin: not an IAM role's ARN" in proc.stderr.decode()
    assert "greeter" not in [f["FunctionName"] for f in client.list_functions()["Functions"]]

    proc = run(data, "deploy", "greeter", "--remote", "other", "--role", ROLE, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    progress = proc.stderr.decode()
    assert "Creating greeter on other" in progress and "Waiting for State Active..." in progress
    assert proc.stdout.decode().startswith("Created arn:aws:lambda:")
    remote = client.get_function_configuration(FunctionName="greeter")
    assert (remote["Handler"], remote["Timeout"], remote["MemorySize"], remote["Role"], remote["State"]) == (
        "app.handler", 5, 256, ROLE, "Active")
    assert remote["Environment"]["Variables"] == {"GREETING": "Hello"}
    answer = client.invoke(FunctionName="greeter", Payload=b'{"name": "Ada"}')
    assert answer["Payload"].read() == b'{"greeting": "Hello Ada"}'

    # New code and settings locally, deployed again: the remote's function is updated, not made anew.
    (code / "app.py").write_text("import os\n\ndef handler(event, context):\n"
                                 "    return {'greeting': os.environ['GREETING'] + ', ' + event['name'] + '!'}\n")
    with Console(load_config(data, {"watch_folders": False})) as console:
        console.update_function_configuration("greeter", timeout=9, memory=512, environment={"GREETING": "Hi"},
                                              description="Greets")
    proc = run(data, "deploy", "greeter", "--remote", "other", env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    progress = proc.stderr.decode()
    assert "Updating the code of greeter" in progress and "Waiting for LastUpdateStatus Successful..." in progress
    assert "Updating the configuration of greeter" in progress
    assert proc.stdout.decode().startswith("Updated arn:aws:lambda:") and "published" not in proc.stdout.decode()
    remote = client.get_function_configuration(FunctionName="greeter")
    assert (remote["Timeout"], remote["MemorySize"], remote["Description"], remote["Role"]) == (9, 512, "Greets", ROLE)
    answer = client.invoke(FunctionName="greeter", Payload=b'{"name": "Ada"}')
    assert answer["Payload"].read() == b'{"greeting": "Hi, Ada!"}'

    # --publish: a version of what was deployed.
    proc = run(data, "deploy", "greeter", "--remote", "other", "--publish", env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "version 1 published" in proc.stdout.decode()
    versions = [v["Version"] for v in client.list_versions_by_function(FunctionName="greeter")["Versions"]]
    assert versions == ["$LATEST", "1"]
    answer = client.invoke(FunctionName="greeter", Qualifier="1", Payload=b'{"name": "Grace"}')
    assert answer["Payload"].read() == b'{"greeting": "Hi, Grace!"}'

    # A function whose code is a stored package (a sample) deploys its package's zip.
    client.update_function_code(FunctionName="hello_python", ZipFile=zip_of({
        "hello_python.py": "def my_handler(event, context):\n    return 'replaced'\n"}))
    proc = run(data, "deploy", "hello_python", "--remote", "other", env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    answer = client.invoke(FunctionName="hello_python", Payload=b'{"first_name": "Ada", "last_name": "Lovelace"}')
    assert json.loads(answer["Payload"].read()) == {"message": "Hello Ada Lovelace!"}

    # What cannot be deployed says so.
    proc = run(data, "deploy", "nothing", "--remote", "other", env=env)
    assert proc.returncode == 2 and "nothing: no such function" in proc.stderr.decode()
    proc = run(data, "deploy", "greeter", "--remote", "nowhere", env=env)
    assert proc.returncode == 2 and "--remote nowhere: no such remote" in proc.stderr.decode()
    url = f"http://127.0.0.1:{closed_port()}"
    assert run(data, "remotes", "add", "gone", "--endpoint-url", url, env=env).returncode == 0
    proc = run(data, "deploy", "greeter", "--remote", "gone", env=env)
    assert proc.returncode == 1 and f"Remote gone: cannot reach {url}" in proc.stderr.decode()


def test_a_remote_under_auth_is_reached_with_its_keys_and_refuses_others(data, env, tmp_path) -> None:
    server = LiveServer(tmp_path / "remote-data", args=("--auth",))
    try:
        write_events(tmp_path / "raise", {
            "zero-quantity.json": {"quantity": 0},
            "zero-quantity.expected.json": {"response": {"errorType": "ValueError"}, "functionError": True},
        })
        assert run(data, "events", "import", "raise_error", tmp_path / "raise", "--replace", env=env).returncode == 0
        assert run(data, "remotes", "add", "locked", "--endpoint-url", server.url, env=env).returncode == 0

        # Keys the remote does not know: its refusal, as it sent it.
        proc = run(data, "test", "--all", "--remote", "locked", env=env)
        assert proc.returncode == 1
        assert "Remote locked refused: UnrecognizedClientException (HTTP 403)" in proc.stdout.decode()

        # The remote's keys, from the environment (SigV4 signed by botocore): the test runs there and passes.
        keyed = {**env, "AWS_ACCESS_KEY_ID": server.access_key_id, "AWS_SECRET_ACCESS_KEY": server.secret_access_key}
        proc = run(data, "test", "--all", "--remote", "locked", env=keyed)
        assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
        assert proc.stdout.decode().splitlines()[-1] == "1 passed, 0 failed"

        # The same keys through a profile of the AWS config files: botocore's chain finds them.
        Path(env["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
            f"[remote-keys]\naws_access_key_id = {server.access_key_id}\n"
            f"aws_secret_access_key = {server.secret_access_key}\n")
        with_profile = {**env, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
        with_profile = {key: value for key, value in with_profile.items() if value}
        # A profile remote goes to AWS itself; here the profile's keys sign for the endpoint through the environment's
        # AWS_PROFILE, as botocore's chain reads it.
        proc = run(data, "test", "--all", "--remote", "locked", env={**with_profile, "AWS_PROFILE": "remote-keys"})
        assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    finally:
        server.stop()
