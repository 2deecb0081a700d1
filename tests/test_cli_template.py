"""`lambda-console invoke --template`, run as `sam local invoke` is run: a real process in a real SAM project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECTS = Path(__file__).resolve().parent / "sam_projects"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    # The temporary folder (where InlineCode is written) is the test's own.
    env = {**os.environ, "TMPDIR": str(cwd)}
    return subprocess.run([sys.executable, "-m", "console", *map(str, args)], input=b"", capture_output=True,
                          cwd=cwd, env=env, timeout=60, check=False)


@pytest.fixture
def project(tmp_path: Path):
    """project(name): a copy of tests/sam_projects/<name> to run in, as a user runs sam in the project's folder."""

    def copy(name: str) -> Path:
        return Path(shutil.copytree(PROJECTS / name, tmp_path / name))

    return copy


def test_the_hello_world_api_project(project):
    folder = project("hello_world_api")
    proc = run("invoke", "--template", "template.yaml", "HelloWorldFunction", "--event", "events/event.json",
               cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    answer = json.loads(proc.stdout)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"message": "hello world", "path": "/hello", "method": "GET",
                                          "function": "HelloWorldFunction"}
    log = proc.stderr.decode()
    assert log.startswith("START RequestId: ")
    assert "\tMemory Size: 128 MB\t" in log


def test_the_logical_id_may_be_left_out_when_the_template_has_one_function(project):
    folder = project("hello_world_api")
    proc = run("invoke", "-t", folder / "template.yaml", "--event", folder / "events" / "event.json", cwd=folder.parent)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(json.loads(proc.stdout)["body"])["function"] == "HelloWorldFunction"


def test_the_layer_project_imports_the_layers_module(project):
    folder = project("layer_app")
    proc = run("invoke", "--template", "template.yaml", "GreeterFunction", "--event", "events/event.json",
               cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    greeting = json.loads(proc.stdout)["greeting"]
    # Where the engine mounts layers at /opt the module is there; elsewhere it is the layer's own folder.
    assert greeting in ("Greetings, Ada, from the shared layer at /opt/python",
                        f"Greetings, Ada, from the shared layer at {folder / 'shared_layer' / 'python'}")
    assert ("Warning: GreeterFunction: the layer arn:aws:lambda:us-east-1:017000801446:layer:"
            "AWSLambdaPowertoolsPythonV3-python312-x86_64:7 is not on this machine") in proc.stderr.decode()
    assert "\tMemory Size: 128 MB\t" in proc.stderr.decode()


def test_the_parameters_project_with_its_defaults(project):
    folder = project("params_app")
    proc = run("invoke", "--template", "template.yaml", "GreetFunction", "--event", "events/event.json", cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == {"message": "Welcome, Ada! (dev)", "prefix": "local-dev", "log_level": "INFO",
                                       "table": "ItemsTable"}
    assert "\tMemory Size: 512 MB\t" in proc.stderr.decode()
    assert ("Warning: GreetFunction: Environment variable ITEMS_ARN: !GetAtt ItemsTable.Arn: an attribute of a "
            "deployed resource, not known locally") in proc.stderr.decode()


def test_parameter_overrides_and_env_vars_change_the_answer(project):
    folder = project("params_app")
    proc = run("invoke", "--template", "template.yaml", "GreetFunction", "--event", "events/event.json",
               "--parameter-overrides", "Stage=prod ParameterKey=LogLevel,ParameterValue=WARNING",
               "--env-vars", "env.json", cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    # Stage=prod: the IsProd condition gives 1024 MB; env.json: GREETING and TABLE_NAME for GreetFunction, and
    # LOG_LEVEL for every function (the file's "Parameters" wins over the template's value).
    assert json.loads(proc.stdout) == {"message": "Ahoy, Ada! (prod)", "prefix": "local-prod", "log_level": "DEBUG",
                                       "table": "local-items"}
    err = proc.stderr.decode()
    assert "\tMemory Size: 1024 MB\t" in err
    # An explicit --memory wins over the template's, and --env adds a variable the handler reads.
    proc = run("invoke", "--template", "template.yaml", "GreetFunction", "--event", "events/event.json",
               "--memory", "256", "--env", "PREFIX=mine", cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["prefix"] == "mine"
    assert "\tMemory Size: 256 MB\t" in proc.stderr.decode()
    assert ("Warning: --env-vars env.json sets UNDECLARED, which GreetFunction does not declare; as with sam local, "
            "only declared variables are set: declare them in the template's Environment.Variables.") in err
    # The same overrides reach another function of the template: an AWS::Lambda::Function without Globals.
    proc = run("invoke", "--template", "template.yaml", "LegacyFunction", "--parameter-overrides", "Stage=staging",
               cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == {"stage": "staging"}
    assert "\tMemory Size: 128 MB\t" in proc.stderr.decode()
    # An --env-vars entry may name the function by its FunctionName (here !Sub "legacy-${Stage}").
    (folder / "by-name.json").write_text('{"legacy-staging": {"STAGE": "named"}}')
    proc = run("invoke", "--template", "template.yaml", "LegacyFunction", "--parameter-overrides", "Stage=staging",
               "--env-vars", "by-name.json", cwd=folder)
    assert json.loads(proc.stdout) == {"stage": "named"}, proc.stderr.decode()
    assert "Warning" not in proc.stderr.decode()


def test_an_overridden_region_is_the_functions_region(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\n\ndef handler(event, context):\n"
        "    return [os.environ['AWS_REGION'], os.environ['BUCKET'], context.invoked_function_arn]\n")
    (tmp_path / "template.yaml").write_text("""
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          BUCKET: !Sub "data-${AWS::AccountId}-${AWS::Region}"
""")
    proc = run("invoke", "-t", "template.yaml", "--parameter-overrides", "AWS::Region=eu-west-1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == ["eu-west-1", "data-123456789012-eu-west-1",
                                       "arn:aws:lambda:eu-west-1:123456789012:function:F"]


def test_a_built_project_runs_from_aws_sam_build(project):
    folder = project("hello_world_api")
    build = folder / ".aws-sam" / "build"
    shutil.copytree(folder / "hello_world", build / "HelloWorldFunction")
    (build / "HelloWorldFunction" / "app.py").write_text(
        "def lambda_handler(event, context):\n    return {'built': True, 'path': event['path']}\n")
    (build / "template.yaml").write_text(
        (folder / "template.yaml").read_text().replace("CodeUri: hello_world/", "CodeUri: HelloWorldFunction"))
    proc = run("invoke", "-t", ".aws-sam/build/template.yaml", "--event", "events/event.json", cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == {"built": True, "path": "/hello"}


def error_of(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr.decode()
    assert proc.stdout == b""
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_mistakes_get_one_line_each(project):
    folder = project("params_app")
    template = folder / "template.yaml"
    assert error_of(run("invoke", "-t", "template.yaml", cwd=folder)) == (
        f"Error: {template} has 3 functions (GreetFunction, ItemsFunction, LegacyFunction): name the one to run")
    assert error_of(run("invoke", "-t", "template.yaml", "Greet", cwd=folder)) == (
        f"Error: {template} has no function Greet (its functions: GreetFunction, ItemsFunction, LegacyFunction). "
        "Name a function by its logical id.")
    assert error_of(run("invoke", "-t", "template.yaml", "GreetFunction", "--parameter-overrides", "Stage=qa",
                        cwd=folder)) == (
        "Error: --parameter-overrides Stage=qa: not one of the parameter's AllowedValues (dev, staging, prod).")
    assert error_of(run("invoke", "-t", "template.yaml", "GreetFunction", "--handler", "app.handler",
                        cwd=folder)) == (
        "Error: --handler: the template names the function's handler; leave --handler out with --template.")
    assert error_of(run("invoke", "-t", "missing.yaml", cwd=folder)) == (
        f"Error: {folder / 'missing.yaml'}: no such template file. Fix the template (a SAM or CloudFormation template "
        "in YAML or JSON).")
    (folder / "env.json").write_text('{"GreetFunction": {"GREETING": ["Ahoy"]}}')
    assert error_of(run("invoke", "-t", "template.yaml", "GreetFunction", "--env-vars", "env.json", cwd=folder)) == (
        "Error: --env-vars env.json: GreetFunction.GREETING is a JSON array; an environment variable's value is a "
        'string. Write it as SAM does: {"Parameters": {"NAME": "value"}, "LogicalId": {"NAME": "value"}}, with '
        "string, number or boolean values.")
    assert error_of(run("invoke", "GreetFunction", "--parameter-overrides", "Stage=prod", cwd=folder)) == (
        "Error: --parameter-overrides: parameters belong to a template; pass --template too.")


def test_a_yaml_error_and_a_function_that_cannot_run(project):
    folder = project("hello_world_api")
    template = folder / "template.yaml"
    template.write_text(template.read_text().replace("      Runtime: python3.12", "      Runtime: nodejs20.x"))
    assert error_of(run("invoke", "-t", "template.yaml", cwd=folder)) == (
        f"Error: HelloWorldFunction in {template} cannot run locally: Runtime nodejs20.x: not a Python runtime; the "
        "console runs Python functions only.")
    template.write_text(template.read_text().replace("    Properties:\n      CodeUri", "    Properties:\n     CodeUri"))
    # The parser finds the mistake on the next line, where the mapping no longer fits: it says so, there.
    message = error_of(run("invoke", "-t", "template.yaml", cwd=folder))
    # libyaml's wording ("... in this context") or PyYAML's own ("... here"), whichever parser PyYAML has.
    assert message.startswith(f"Error: {template}, line 19, column 14: not valid YAML: mapping values are not allowed")
    assert message.endswith(". Fix the template (a SAM or CloudFormation template in YAML or JSON).")


def test_a_missing_handler_file_warns_then_runs_into_lambdas_error(project):
    folder = project("hello_world_api")
    (folder / "hello_world" / "app.py").rename(folder / "hello_world" / "main.py")
    proc = run("invoke", "-t", "template.yaml", "--event", "events/event.json", cwd=folder)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["errorType"] == "Runtime.ImportModuleError"
    assert (f"Warning: HelloWorldFunction: Handler app.lambda_handler: there is no app.py in {folder / 'hello_world'}; "
            "the handlers found there: main.lambda_handler.") in proc.stderr.decode()


def test_env_vars_apply_to_a_folder_invoked_without_a_template(project, tmp_path):
    folder = project("params_app")
    env = tmp_path / "env.json"
    env.write_text('{"Parameters": {"STAGE": "from-file", "OTHER": "x"}}')
    proc = run("invoke", "legacy", "--handler", "index.handler", "--env", "STAGE=given", "--env-vars", env,
               cwd=folder)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == {"stage": "from-file"}
    assert "sets OTHER, which legacy does not declare" in proc.stderr.decode()


def test_inline_code_and_a_zipped_code_path_run_too(tmp_path):
    with zipfile.ZipFile(tmp_path / "code.zip", "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 'zipped ' + context.function_name\n")
    (tmp_path / "template.yaml").write_text("""
Resources:
  Zipped:
    Type: AWS::Lambda::Function
    Properties: {Code: code.zip, Handler: index.handler, Runtime: python3.13}
  Inline:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      InlineCode: |
        def handler(event, context):
            return 'inline ' + context.function_name
""")
    zipped = run("invoke", "-t", "template.yaml", "Zipped", cwd=tmp_path)
    assert (zipped.returncode, zipped.stdout) == (0, b'"zipped Zipped"\n'), zipped.stderr.decode()
    inline = run("invoke", "-t", "template.yaml", "Inline", cwd=tmp_path)
    assert (inline.returncode, inline.stdout) == (0, b'"inline Inline"\n'), inline.stderr.decode()
    [written] = tmp_path.glob("lambda-console-inline-*/*/index.py")
    assert written.read_text().startswith("def handler(event, context):")
