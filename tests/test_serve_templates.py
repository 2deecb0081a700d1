"""`lambda-console serve --template`: a SAM project's functions served as folder functions, through a real server
subprocess, boto3 and the pages, kept in step with the template file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.api.conftest import boto3_client
from tests.conftest import LiveServer

PROJECTS = Path(__file__).resolve().parent / "sam_projects"


@pytest.fixture
def project(tmp_path: Path):
    """project(name): a copy of tests/sam_projects/<name>, free to edit."""

    def copy(name: str) -> Path:
        return Path(shutil.copytree(PROJECTS / name, tmp_path / name))

    return copy


@pytest.fixture
def serve(tmp_path: Path):
    """serve(*args): `serve` over a fresh data folder with these arguments, stopped after the test."""
    servers: list[LiveServer] = []

    def start(*args: str | Path) -> LiveServer:
        server = LiveServer(tmp_path / "data", env={"TMPDIR": str(tmp_path)}, args=tuple(map(str, args)))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def page_json(server: LiveServer, path: str) -> dict:
    with urllib.request.urlopen(server.url + path, timeout=30) as response:
        return json.loads(response.read())


def page(server: LiveServer, path: str) -> str:
    with urllib.request.urlopen(server.url + path, timeout=30) as response:
        return response.read().decode()


def invoke(server: LiveServer, name: str, event: object) -> dict:
    client = boto3_client(server.url)
    try:
        answer = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
        body = json.loads(answer["Payload"].read())
        assert "FunctionError" not in answer, body
        return body
    finally:
        client.close()


def eventually(check, timeout: float = 20.0):
    """check() once it stops raising AssertionError (a saved template is read again in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def function_names(server: LiveServer) -> set[str]:
    return {row["name"] for row in page_json(server, "/index.json")["functions"]}


def test_the_hello_world_function_answers_its_saved_event(project, serve):
    folder = project("hello_world_api")
    server = serve("--template", folder / "template.yaml")
    function = page_json(server, "/functions/HelloWorldFunction.json")
    assert function["handler"] == "app.lambda_handler"
    assert function["runtime"] == "python3.12"
    [saved] = function["events"]
    assert saved["name"] == "event"
    answer = invoke(server, "HelloWorldFunction", json.loads(saved["event"]))
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"message": "hello world", "path": "/hello", "method": "GET",
                                          "function": "HelloWorldFunction"}


def test_a_saved_event_the_user_edited_is_kept_across_restarts(project, serve):
    folder = project("hello_world_api")
    server = serve("--template", folder / "template.yaml")
    server.stop()
    edited = folder.parent / "edited"
    edited.mkdir()
    (edited / "event.json").write_text('{"path": "/mine"}')
    proc = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(server.data_dir), "events", "import",
                           "HelloWorldFunction", str(edited), "--replace"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    server = serve("--template", folder / "template.yaml")
    [saved] = page_json(server, "/functions/HelloWorldFunction.json")["events"]
    assert json.loads(saved["event"]) == {"path": "/mine"}


def test_parameter_overrides_and_env_vars_change_the_answer(project, serve):
    folder = project("params_app")
    server = serve("--template", folder / "template.yaml")
    assert invoke(server, "GreetFunction", {"name": "Ann"})["message"] == "Welcome, Ann! (dev)"
    server.stop()
    server = serve("--template", folder / "template.yaml", "--parameter-overrides", "Stage=prod LogLevel=WARN",
                   "--env-vars", folder / "env.json")
    answer = invoke(server, "GreetFunction", {"name": "Ann"})
    assert answer["message"] == "Ahoy, Ann! (prod)"
    assert answer["log_level"] == "DEBUG"  # the file's Parameters entry wins over the parameter's value
    assert answer["table"] == "local-items"
    greet = page_json(server, "/functions/GreetFunction.json")
    assert greet["timeout"] == 30  # the prod row of the template's mapping
    assert greet["memory"] == 1024


def test_the_layer_projects_function_imports_the_layers_module(project, serve):
    folder = project("layer_app")
    server = serve("--template", folder / "template.yaml")
    assert invoke(server, "GreeterFunction", {"name": "Ann"}) == {
        "greeting": "Greetings, Ann, from the shared layer at /opt/python"}
    # The layer from a registry is said to be missing, on the function list.
    assert "AWSLambdaPowertoolsPythonV3-python312-x86_64:7 is not on this machine" in page(server, "/")
    server.stop()
    server = serve("--template", folder / "template.yaml")  # the same content: no second layer version
    layers = page_json(server, "/layers.json")
    versions = [layer for layer in layers["layer_versions"] if layer["name"] == "SharedLayer"]
    assert [layer["version"] for layer in versions] == [1], layers
    (folder / "shared_layer" / "python" / "greetings" / "__init__.py").write_text(
        "import os\n\ndef greet(name):\n    return f'Hi {name} from layer 2'\n")
    eventually(lambda: _assert_equal(invoke(server, "GreeterFunction", {"name": "Ann"}),
                                     {"greeting": "Hi Ann from layer 2"}))


def _assert_equal(found: object, expected: object) -> None:
    assert found == expected


@pytest.fixture(scope="module")
def powertools_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """aws-lambda-powertools and its dependencies as wheels in a folder, fetched once; skipped when no package index
    can be reached."""
    folder = tmp_path_factory.mktemp("wheels")
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "-d",
                           str(folder), "aws-lambda-powertools>=3,<4"], capture_output=True, text=True, timeout=300,
                          check=False)
    if proc.returncode != 0:
        pytest.skip(f"aws-lambda-powertools cannot be fetched from a package index: {proc.stderr[-300:]}")
    return folder


def test_the_powertools_project_installs_its_requirements_and_answers(project, serve, powertools_wheels):
    folder = project("powertools_api")
    requirements = folder / "hello_world" / "requirements.txt"
    # The same requirement, from the wheels fetched once, so that the test needs no index itself.
    requirements.write_text(f"--no-index\n--find-links {powertools_wheels}\n{requirements.read_text()}")
    server = serve("--template", folder / "template.yaml")
    events = {e["name"]: json.loads(e["event"]) for e in page_json(server, "/functions/HelloWorldFunction.json")[
        "events"]}
    assert set(events) == {"hello", "hello_name"}

    client = boto3_client(server.url)

    def installed() -> None:
        configuration = client.get_function_configuration(FunctionName="HelloWorldFunction")
        assert configuration["State"] != "Pending"

    eventually(installed, timeout=240)
    client.close()
    assert boto3_client(server.url).get_function_configuration(FunctionName="HelloWorldFunction")["State"] == "Active"
    answer = invoke(server, "HelloWorldFunction", events["hello_name"])
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"message": "hello ada!"}
    # The HttpApi events, served on the API port as sam local start-api serves them (payload 2.0).
    with urllib.request.urlopen(f"{server.api_url}/hello/grace", timeout=60) as response:
        assert json.loads(response.read()) == {"message": "hello grace!"}
    with urllib.request.urlopen(f"{server.api_url}/hello", timeout=60) as response:
        assert response.status == 200


def test_editing_the_template_updates_the_function_list(project, serve):
    folder = project("params_app")
    template = folder / "template.yaml"
    server = serve("--template", template)
    before = function_names(server)
    assert {"GreetFunction", "ItemsFunction", "LegacyFunction"} <= before
    text = template.read_text()
    # A function added, an environment variable changed, a function removed.
    added = text.replace("  GreetFunction:\n", "  WelcomeFunction:\n    Type: AWS::Serverless::Function\n"
                         "    Properties:\n      CodeUri: greet/\n      Environment:\n        Variables:\n"
                         "          PREFIX: p\n\n  GreetFunction:\n", 1)
    added = added.replace("          GREETING: Welcome\n", "          GREETING: Bonjour\n", 1)
    template.write_text(re.sub(r"  LegacyFunction:\n(    .*\n|\s*\n)*", "", added))

    def updated() -> set[str]:
        names = function_names(server)
        assert "WelcomeFunction" in names and "LegacyFunction" not in names, names
        return names

    names = eventually(updated)
    assert names == (before | {"WelcomeFunction"}) - {"LegacyFunction"}
    assert invoke(server, "GreetFunction", {"name": "Ann"})["message"] == "Bonjour, Ann! (dev)"
    assert invoke(server, "WelcomeFunction", {"name": "Bo"})["message"] == "Hello, Bo! (dev)"

    # A template saved with a mistake leaves the functions as they were, and says why on the function list.
    template.write_text(template.read_text().replace("Resources:\n", "Resources:\n  - broken\n", 1))

    def refused() -> str:
        shown = page(server, "/")
        assert "The functions stay as they were until the template is fixed." in shown
        return shown

    assert str(template) in eventually(refused)
    assert function_names(server) == names
    assert invoke(server, "GreetFunction", {"name": "Ann"})["message"] == "Bonjour, Ann! (dev)"


def test_a_function_made_by_hand_is_never_touched(project, serve, tmp_path):
    folder = project("hello_world_api")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "app.py").write_text("def handler(event, context):\n    return 'mine'\n")
    proc = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(tmp_path / "data"), "functions", "add",
                           "HelloWorldFunction", "--code", str(mine), "--handler", "app.handler"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    server = serve("--template", folder / "template.yaml")
    assert invoke(server, "HelloWorldFunction", {}) == "mine"
    assert "HelloWorldFunction</strong>" in page(server, "/")
    assert "exists already and was not made from this template" in page(server, "/")


def test_a_function_that_cannot_run_is_listed_on_the_function_list(project, serve):
    folder = project("hello_world_api")
    template = folder / "template.yaml"
    template.write_text(template.read_text().replace("Resources:\n", "Resources:\n  NodeFunction:\n"
                                                     "    Type: AWS::Serverless::Function\n    Properties:\n"
                                                     "      CodeUri: hello_world/\n      Handler: app.handler\n"
                                                     "      Runtime: nodejs20.x\n", 1))
    server = serve("--template", template)
    shown = page(server, "/")
    assert "<strong>NodeFunction</strong>" in shown
    assert "Runtime nodejs20.x: not a Python runtime" in shown
    assert page_json(server, "/index.json")["template_notices"] == [{
        "template": str(template), "logical_id": "NodeFunction", "runs": False,
        "reason": "Runtime nodejs20.x: not a Python runtime; the console runs Python functions only"}]
    assert "NodeFunction" not in function_names(server)
    assert "HelloWorldFunction" in function_names(server)


def test_a_template_that_cannot_be_read_stops_serve_with_the_readers_message(project, tmp_path):
    folder = project("hello_world_api")
    template = folder / "template.yaml"
    template.write_text(template.read_text().replace("    Properties:\n      CodeUri", "    Properties:\n     CodeUri"))
    proc = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(tmp_path / "data"), "serve", "--port",
                           "0", "--template", str(template)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TMPDIR": str(tmp_path)}, check=False)
    assert proc.returncode == 2
    assert f"{template}, line 19, column 14: not valid YAML" in proc.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was stored


def test_a_built_project_is_served_from_aws_sam_build(project, serve):
    folder = project("hello_world_api")
    build = folder / ".aws-sam" / "build"
    shutil.copytree(folder / "hello_world", build / "HelloWorldFunction")
    (build / "HelloWorldFunction" / "app.py").write_text(
        "def lambda_handler(event, context):\n    return {'built': True, 'path': event['path']}\n")
    (build / "template.yaml").write_text(
        (folder / "template.yaml").read_text().replace("CodeUri: hello_world/", "CodeUri: HelloWorldFunction"))
    server = serve("--template", build / "template.yaml")
    [saved] = page_json(server, "/functions/HelloWorldFunction.json")["events"]  # the project's events/
    assert invoke(server, "HelloWorldFunction", json.loads(saved["event"])) == {"built": True, "path": "/hello"}


def test_template_options_without_a_template_and_unknown_parameters_are_refused(project, tmp_path):
    folder = project("params_app")

    def serve_error(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(tmp_path / "data"), "serve",
                               "--port", "0", *args], capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 2, proc.stderr
        return proc.stderr.strip()

    assert serve_error("--parameter-overrides", "Stage=prod") == (
        "Error: --parameter-overrides: parameters belong to a template; pass --template FILE too.")
    assert serve_error("--template", str(folder / "template.yaml"), "--parameter-overrides", "Stag=prod") == (
        "Error: --parameter-overrides Stag: the template has no parameter Stag (its parameters: Stage, Greeting, "
        "LogLevel, AllowedOrigins).")
    assert serve_error("--template", str(folder / "template.yaml"), "--env-vars", str(folder / "nope.json")).startswith(
        f"Error: --env-vars {folder / 'nope.json'}: no such file.")
    assert not (tmp_path / "data").exists()


def test_env_vars_set_the_variables_a_folder_function_declares(tmp_path, serve):
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("import os\n\ndef handler(event, context):\n"
                                 "    return [os.environ.get('GREETING'), os.environ.get('UNDECLARED')]\n")
    proc = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(tmp_path / "data"), "functions", "add",
                           "greeter", "--code", str(code), "--handler", "app.handler", "--env", "GREETING=hello"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"Parameters": {"UNDECLARED": "x"}, "greeter": {"GREETING": "from the file"}}))
    server = serve("--env-vars", env)
    assert invoke(server, "greeter", {}) == ["from the file", None]
    server.stop()
    server = serve()
    assert invoke(server, "greeter", {}) == ["hello", None]  # the stored variables were never changed
