"""The SAM template reader on real SAM projects (tests/sam_projects), as `sam local invoke` would read them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from console.core.sam import TemplateError, TemplateSyntaxError, project_events, read_template
from console.core.sam_apis import ApiSettings, HttpCors, RestCors

PROJECTS = Path(__file__).resolve().parents[1] / "sam_projects"


def test_the_hello_world_api_project_as_sam_init_writes_it():
    template = read_template(PROJECTS / "hello_world_api" / "template.yaml")
    assert template.names == ("HelloWorldFunction",)
    assert template.not_runnable == ()
    function = template.function()  # the only function: the logical id may be left out
    assert function.logical_id == "HelloWorldFunction"
    assert function.code_path == PROJECTS / "hello_world_api" / "hello_world"
    assert (function.handler, function.runtime) == ("app.lambda_handler", "python3.12")
    assert (function.timeout, function.memory, function.ephemeral_storage) == (3, 128, 512)
    assert function.architectures == ("x86_64",)
    assert function.environment == {}
    assert function.warnings == ()
    [event] = function.events
    assert (event.name, event.kind, event.path, event.method, event.payload_version) == (
        "HelloWorld", "Api", "/hello", "GET", "1.0")
    events = project_events(template)
    assert [(e.name, e.path) for e in events["HelloWorldFunction"]] == [
        ("event", PROJECTS / "hello_world_api" / "events" / "event.json")]


def test_the_powertools_project_merges_globals_as_sam_does():
    function = read_template(PROJECTS / "powertools_api" / "template.yaml").function("HelloWorldFunction")
    # Scalars from Globals unless the resource has its own; the environment map merged, the resource's value winning.
    assert (function.runtime, function.timeout, function.memory) == ("python3.12", 5, 256)
    assert function.environment == {
        "POWERTOOLS_SERVICE_NAME": "hello",
        "POWERTOOLS_METRICS_NAMESPACE": "Powertools",
        "POWERTOOLS_LOG_LEVEL": "DEBUG",
    }
    assert function.logging_config == {"LogFormat": "JSON"}
    assert function.architectures == ("arm64",)
    assert function.description == "Hello World function"
    assert (function.code_path / "requirements.txt").read_text().startswith("aws-lambda-powertools")
    assert [(e.kind, e.path, e.method, e.payload_version) for e in function.events] == [
        ("HttpApi", "/hello", "GET", "2.0"), ("HttpApi", "/hello/{name}", "GET", "2.0")]


def test_the_powertools_project_has_shared_and_per_function_events():
    template = read_template(PROJECTS / "powertools_api" / "template.yaml")
    events = project_events(template)["HelloWorldFunction"]
    assert [event.name for event in events] == ["hello", "hello_name"]
    assert events[1].path == PROJECTS / "powertools_api" / "events" / "HelloWorldFunction" / "hello_name.json"


def test_the_layer_project_gives_the_layer_folder_and_keeps_the_arn():
    function = read_template(PROJECTS / "layer_app" / "template.yaml").function("GreeterFunction")
    assert function.local_layers == (PROJECTS / "layer_app" / "shared_layer",)
    assert (function.local_layers[0] / "python" / "greetings" / "__init__.py").is_file()
    local, remote = function.layers
    assert local.name == "SharedLayer"
    assert remote.folder is None
    assert remote.arn == "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"
    assert function.timeout == 10


def test_the_parameters_project_resolves_parameters_mappings_conditions_and_sub():
    template = read_template(PROJECTS / "params_app" / "template.yaml")
    assert template.names == ("GreetFunction", "ItemsFunction", "LegacyFunction")
    greet = template.function("GreetFunction")
    assert greet.description == "Greets visitors on dev in us-east-1"
    assert greet.timeout == 15  # !FindInMap [StageSettings, !Ref Stage, TimeoutSeconds]
    assert greet.memory == 512  # !If [IsProd, 1024, 512]
    assert greet.environment == {
        "STAGE": "dev",
        "GREETING": "Welcome",  # the resource's value over the global one
        "LOG_LEVEL": "INFO",
        "TABLE_NAME": "ItemsTable",  # !Ref of a resource: its logical id, as sam local gives it
        "PREFIX": "local-dev",  # ${AWS::StackName} is "local", as in sam local
        "FIRST_ORIGIN": "https://example.com",
        "ORIGINS": "https://example.com https://example.org",
        "ITEMS_ARN": "",
    }
    assert greet.warnings == (("Environment variable ITEMS_ARN: !GetAtt ItemsTable.Arn: an attribute of a deployed "
                              "resource, not known locally; it is empty here (give it a value with --env-vars)"),)
    assert [(e.path, e.method) for e in greet.events] == [("/greet/{name}", "GET"), ("$default", "ANY")]
    items = template.function("ItemsFunction")
    assert items.description == "Items of dev (ItemsTable)"  # the list form of !Sub
    assert (items.timeout, items.memory, items.handler) == (10, 256, "app.handler")
    assert [(e.kind, e.method, e.payload_version) for e in items.events] == [("Api", "ANY", "1.0")]
    # Globals apply to AWS::Serverless::Function only; AWS::Lambda::Function keeps Lambda's defaults.
    legacy = template.function("LegacyFunction")
    assert (legacy.resource_type, legacy.timeout, legacy.memory) == ("AWS::Lambda::Function", 3, 128)
    assert (legacy.code_path, legacy.runtime) == (PROJECTS / "params_app" / "legacy", "python3.11")
    assert legacy.environment == {"STAGE": "dev"}
    assert legacy.function_name == "legacy-dev"


@pytest.mark.parametrize("overrides", [
    {"Stage": "prod", "Greeting": "Hi", "AWS::Region": "eu-west-1"},
])
def test_parameter_overrides_change_what_the_template_gives(overrides):
    template = read_template(PROJECTS / "params_app" / "template.yaml", overrides)
    greet = template.function("GreetFunction")
    assert (greet.timeout, greet.memory) == (30, 1024)
    assert greet.description == "Greets visitors on prod in eu-west-1"
    assert greet.environment["PREFIX"] == "local-prod"
    assert template.function("ItemsFunction").environment["GREETING"] == "Hi"


def test_an_override_outside_allowed_values_or_of_no_parameter_is_refused():
    path = PROJECTS / "params_app" / "template.yaml"
    with pytest.raises(TemplateError) as refused:
        read_template(path, {"Stage": "qa"})
    assert str(refused.value) == ("--parameter-overrides Stage=qa: not one of the parameter's AllowedValues "
                                  "(dev, staging, prod).")
    with pytest.raises(TemplateError) as unknown:
        read_template(path, {"Stgae": "prod"})
    assert str(unknown.value) == ("--parameter-overrides Stgae: the template has no parameter Stgae (its parameters: "
                                  "Stage, Greeting, LogLevel, AllowedOrigins).")


def test_a_built_project_reads_from_the_build_folders(tmp_path):
    """`sam build` copies each function into .aws-sam/build/<LogicalId> and writes a template pointing there."""
    project = Path(shutil.copytree(PROJECTS / "layer_app", tmp_path / "layer_app"))
    build = project / ".aws-sam" / "build"
    shutil.copytree(project / "greeter", build / "GreeterFunction")
    shutil.copytree(project / "shared_layer", build / "SharedLayer")
    text = (project / "template.yaml").read_text()
    (build / "template.yaml").write_text(
        text.replace("CodeUri: greeter/", "CodeUri: GreeterFunction").replace("ContentUri: shared_layer/",
                                                                              "ContentUri: SharedLayer"))
    template = read_template(build / "template.yaml")
    function = template.function("GreeterFunction")
    assert function.code_path == build / "GreeterFunction"
    assert function.local_layers == (build / "SharedLayer",)
    # The events stay in the project's folder, where sam init put them.
    assert [e.path for e in project_events(template)["GreeterFunction"]] == [project / "events" / "event.json"]


# --- what cannot run here, and bad templates -------------------------------------------------------------------


def write(folder: Path, text: str, name: str = "template.yaml") -> Path:
    (folder / "src").mkdir(exist_ok=True)
    (folder / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    path = folder / name
    path.write_text(text)
    return path


FUNCTION = """
  {name}:
    Type: AWS::Serverless::Function
    Properties:
{properties}
"""


def template_of(**functions: str) -> str:
    body = "".join(FUNCTION.format(name=name, properties="\n".join("      " + line for line in props.splitlines()))
                   for name, props in functions.items())
    return "Transform: AWS::Serverless-2016-10-31\nParameters:\n  Bucket:\n    Type: String\nResources:" + body


def test_functions_that_cannot_run_are_listed_with_their_reasons(tmp_path):
    path = write(tmp_path, template_of(
        Runs="CodeUri: src/\nHandler: app.handler\nRuntime: python3.12",
        Image="PackageType: Image\nImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest",
        Node="InlineCode: \"exports.handler = async () => 1\"\nHandler: index.handler\nRuntime: nodejs20.x",
        Java="CodeUri: src/\nHandler: example.Handler::handleRequest\nRuntime: java21",
        InS3="CodeUri: s3://my-bucket/code.zip\nHandler: app.handler\nRuntime: python3.12",
        S3Map="CodeUri:\n  Bucket: my-bucket\n  Key: code.zip\nHandler: app.handler\nRuntime: python3.12",
        Attribute="CodeUri: !GetAtt Other.Path\nHandler: app.handler\nRuntime: python3.12",
        NoDefault="CodeUri: !Sub \"${Bucket}/src\"\nHandler: app.handler\nRuntime: python3.12",
        NoCode="Handler: app.handler\nRuntime: python3.12",
        Typo="CodeUri: src/\nHandler: app.handler\nRuntime: pyhton3.12",
        Missing="CodeUri: nowhere/\nHandler: app.handler\nRuntime: python3.12",
        TooLong="CodeUri: src/\nHandler: app.handler\nRuntime: python3.12\nTimeout: 901",
        Unknown="CodeUri: {Fn::Reverse: crs}\nHandler: app.handler\nRuntime: python3.12",
    ))
    template = read_template(path)
    assert template.names[0] == "Runs"
    reasons = {item.logical_id: item.reason for item in template.not_runnable}
    assert reasons == {
        "Image": "PackageType Image: a container image function; the console runs a folder of Python code "
                 "(PackageType Zip with CodeUri)",
        "Node": "Runtime nodejs20.x: not a Python runtime; the console runs Python functions only",
        "Java": "Runtime java21: not a Python runtime; the console runs Python functions only",
        "InS3": "CodeUri s3://my-bucket/code.zip: the code is in S3, not on this machine; point CodeUri at the local "
                "folder (or run sam build and pass .aws-sam/build/template.yaml)",
        "S3Map": "CodeUri is an S3 location: the code is not on this machine; point CodeUri at the local folder (or "
                 "run sam build and pass .aws-sam/build/template.yaml)",
        "Attribute": "CodeUri: !GetAtt Other.Path: an attribute of a deployed resource, not known locally",
        "NoDefault": "CodeUri: the parameter Bucket has no Default and no value given: pass "
                     "--parameter-overrides Bucket=VALUE",
        "NoCode": "no CodeUri: SAM needs CodeUri (the folder of the function's code, relative to the template; "
                  "CodeUri: . for the template's own folder) or InlineCode",
        "Typo": "Runtime 'pyhton3.12': not a runtime Lambda knows; name a Python runtime, python3.6 to python3.14",
        "Missing": f"CodeUri nowhere/: no such folder ({tmp_path / 'nowhere'}); CodeUri is the function's code folder, "
                   "relative to the template's folder",
        "TooLong": "Timeout 901: out of Lambda's range, 1 to 900 seconds",
        "Unknown": "CodeUri: Fn::Reverse: not an intrinsic function CloudFormation has",
    }
    with pytest.raises(TemplateError) as asked:
        template.function("Java")
    assert str(asked.value) == (f"Java in {path} cannot run locally: Runtime java21: not a Python runtime; the "
                                "console runs Python functions only.")
    # With a value for the parameter, that function runs.
    assert read_template(path, {"Bucket": "."}).function("NoDefault").code_path == tmp_path / "src"


def test_asking_for_a_function_the_template_lacks_lists_those_it_has(tmp_path):
    path = write(tmp_path, template_of(A="CodeUri: src/\nHandler: app.handler\nRuntime: python3.12",
                                       B="CodeUri: src/\nHandler: app.handler\nRuntime: python3.12"))
    template = read_template(path)
    with pytest.raises(TemplateError) as unknown:
        template.function("C")
    assert str(unknown.value) == f"{path} has no function C (its functions: A, B). Name a function by its logical id."
    with pytest.raises(TemplateError) as which:
        template.function()
    assert str(which.value) == f"{path} has 2 functions (A, B): name the one to run"


def test_python_inline_code_is_written_to_index_py(tmp_path):
    path = write(tmp_path, template_of(Inline=(
        "InlineCode: |\n  def handler(event, context):\n      return 'inline'\nHandler: index.handler\n"
        "Runtime: python3.12")))
    function = read_template(path, inline_dir=tmp_path / "inline").function("Inline")
    assert function.inline
    assert function.code_path.parent == tmp_path / "inline"
    assert (function.code_path / "index.py").read_text() == "def handler(event, context):\n    return 'inline'\n"
    # The same code again: the same folder, not a second copy.
    assert read_template(path, inline_dir=tmp_path / "inline").function("Inline").code_path == function.code_path
    assert len(list((tmp_path / "inline").iterdir())) == 1


def test_a_handler_whose_file_is_missing_warns_with_the_handlers_found(tmp_path):
    path = write(tmp_path, template_of(F="CodeUri: src/\nHandler: main.handler\nRuntime: python3.12"))
    function = read_template(path).function("F")
    assert function.warnings == ((f"Handler main.handler: there is no main.py in {tmp_path / 'src'}; the handlers "
                                 "found there: app.handler"),)


def test_a_yaml_syntax_error_says_where(tmp_path):
    path = write(tmp_path, "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: src/\n")
    with pytest.raises(TemplateSyntaxError) as error:
        read_template(path)
    assert (error.value.line, error.value.column) == (5, 1)
    assert str(error.value).startswith(f"{path}, line 5, column 1: not valid YAML: ")
    assert str(error.value).endswith("Fix the template (a SAM or CloudFormation template in YAML or JSON).")


def test_a_bad_indent_and_a_duplicate_key_say_their_lines(tmp_path):
    path = write(tmp_path, "Resources:\n  F:\n    Type: AWS::Serverless::Function\n   Properties: x\n")
    with pytest.raises(TemplateSyntaxError) as indent:
        read_template(path)
    assert indent.value.line == 4
    path = write(tmp_path, "Resources:\n  F:\n    Type: A\n  F:\n    Type: B\n")
    with pytest.raises(TemplateSyntaxError) as duplicate:
        read_template(path)
    assert str(duplicate.value).startswith(f"{path}, line 4, column 3: not valid YAML: the key 'F' appears twice")


def test_a_json_template_reads_and_its_errors_say_where(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    good = tmp_path / "template.json"
    good.write_text('{"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": '
                    '{"Code": "src", "Handler": "app.handler", "Runtime": "python3.13",'
                    ' "Environment": {"Variables": {"REGION": {"Fn::Sub": "${AWS::Region}"}}}}}}}')
    function = read_template(good).function("F")
    assert (function.code_path, function.environment) == (tmp_path / "src", {"REGION": "us-east-1"})
    bad = tmp_path / "bad.json"
    bad.write_text('{"Resources": {\n  "F": }\n}')
    with pytest.raises(TemplateSyntaxError) as error:
        read_template(bad)
    assert str(error.value).startswith(f"{bad}, line 2, column 8: not valid JSON: Expecting value.")


@pytest.mark.parametrize("text, message", [
    ("AWSTemplateFormatVersion: 2010-09-09\nDescription: nothing\n",
     ("no Resources section. A SAM template lists its functions under Resources, each with Type: "
     "AWS::Serverless::Function.")),
    ("Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n",
     ("no functions. A SAM template lists its functions under Resources with Type: AWS::Serverless::Function (or "
     "AWS::Lambda::Function).")),
    ("- just\n- a list\n", ("not a template (a mapping with a Resources section). Fix the template (a SAM or "
     "CloudFormation template in YAML or JSON).")),
])
def test_a_template_without_functions_says_so(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(TemplateError) as error:
        read_template(path)
    assert str(error.value) == f"{path}: {message}"


def test_an_unknown_tag_and_a_missing_file_are_clear(tmp_path):
    path = write(tmp_path, "Resources:\n  F:\n    Type: !Reff X\n")
    with pytest.raises(TemplateSyntaxError) as tag:
        read_template(path)
    assert "line 3, column 11" in str(tag.value) and "!Reff" in str(tag.value)
    with pytest.raises(TemplateSyntaxError) as missing:
        read_template(tmp_path / "nope.yaml")
    assert str(missing.value) == (f"{tmp_path / 'nope.yaml'}: no such template file. Fix the template (a SAM or "
                                  "CloudFormation template in YAML or JSON).")


def test_globals_lists_are_prepended_and_intrinsics_replace(tmp_path):
    path = write(tmp_path, """
Parameters:
  Size: {Type: Number, Default: 640}
Conditions:
  Always: !Equals [a, a]
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src/
    MemorySize: !Ref Size
    Layers: [!Ref First]
    Environment:
      Variables: {AA: global, BB: global}
Resources:
  First: {Type: AWS::Serverless::LayerVersion, Properties: {ContentUri: src/}}
  Second: {Type: AWS::Serverless::LayerVersion, Properties: {ContentUri: src/}}
  F:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 1536
      Layers: [!Ref Second]
      Environment:
        Variables: {BB: !If [Always, mine, theirs], CC: !Base64 hi, DD: !Join ["-", !Split [",", "x,y"]]}
  G:
    Type: AWS::Serverless::Function
    Condition: Always
""")
    template = read_template(path)
    f = template.function("F")
    assert [layer.name for layer in f.layers] == ["First", "Second"]  # the global entries first
    assert f.memory == 1536
    assert f.environment == {"AA": "global", "BB": "mine", "CC": "aGk=", "DD": "x-y"}
    assert template.function("G").memory == 640  # a Number parameter's Ref, as CloudFormation gives it


def test_a_false_condition_and_a_reserved_variable_are_reasons_too(tmp_path):
    path = write(tmp_path, """
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  OnlyInProd:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
  Reserved:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment: {Variables: {AWS_REGION: eu-west-1}}
""")
    reasons = {item.logical_id: item.reason for item in read_template(path).not_runnable}
    assert reasons == {
        "OnlyInProd": "its Condition IsProd is false with these parameters, so the stack would not create it",
        "Reserved": "Environment.Variables: Lambda sets these environment variables itself and does not let a "
                    "function change them: AWS_REGION. Choose other names",
    }
    assert read_template(path, {"Stage": "prod"}).function("OnlyInProd").handler == "app.handler"


# --- the project's events as a function's saved events ----------------------------------------------------------


@pytest.fixture
def console(tmp_path: Path):
    from console.config import load_config
    from console.core.console import Console

    with Console(load_config(tmp_path / "data", {"load_samples": False})) as console:
        yield console


def test_a_projects_events_become_a_functions_saved_events(console):
    from console.core.samples import zip_folder

    template = PROJECTS / "powertools_api" / "template.yaml"
    console.create_function("hello", zip_folder(PROJECTS / "powertools_api" / "hello_world"), "app.lambda_handler")
    saved = console.import_project_events("hello", template, "HelloWorldFunction")
    assert [event.name for event in saved] == ["hello", "hello_name"]
    stored = {event.name: json.loads(event.body) for event in console.list_events("hello")}
    assert stored["hello_name"]["pathParameters"] == {"name": "ada"}
    assert stored["hello"]["rawPath"] == "/hello"
    with pytest.raises(TemplateError) as unknown:
        console.import_project_events("hello", template, "Nope")
    assert "has no function Nope" in str(unknown.value)


def test_a_yaml_alias_bomb_is_refused_not_expanded(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 10)]
    path = write(tmp_path, "Metadata:\n" + "".join(f"  {line}\n" for line in lines) + """
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Description: !Join [",", *a9]
""")
    [skipped] = read_template(path).not_runnable
    assert skipped.reason == "Description: the template's values are too large to resolve (over 100,000 of them)"


def test_the_powertools_project_answers_its_events_with_powertools(monkeypatch):
    """The project is a working Powertools app (its requirements are installed in the test environment): its handler,
    loaded from the code folder the template names, routes both saved events."""
    import importlib.util
    from types import SimpleNamespace

    function = read_template(PROJECTS / "powertools_api" / "template.yaml").function("HelloWorldFunction")
    for name, value in function.environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("powertools_app", function.code_path / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    context = SimpleNamespace(function_name="HelloWorldFunction", memory_limit_in_mb=256, aws_request_id="r-1",
                              invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:HelloWorldFunction")
    answers = {event.name: module.lambda_handler(json.loads(event.path.read_text()), context)
               for event in project_events(read_template(PROJECTS / "powertools_api" / "template.yaml"))[
                   "HelloWorldFunction"]}
    assert {name: (answer["statusCode"], json.loads(answer["body"])) for name, answer in answers.items()} == {
        "hello": (200, {"message": "hello unknown!"}),
        "hello_name": (200, {"message": "hello ada!"}),
    }


def test_a_layer_without_a_python_folder_warns(tmp_path):
    path = write(tmp_path, template_of(F="CodeUri: src/\nHandler: app.handler\nRuntime: python3.12\n"
                                         "Layers: [!Ref Flat]") + """
  Flat:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: src/}
""")
    function = read_template(path).function("F")
    assert function.local_layers == (tmp_path / "src",)
    assert function.warnings == ((f"Layer Flat: {tmp_path / 'src'} has no python/ folder, so nothing in it can be "
                                 "imported; put the layer's modules in python/ inside it"),)


@pytest.mark.parametrize("parameter, value, problem", [
    ("Size: {Type: Number, Default: 1}", "big", "the parameter is a Number; give a number."),
    ("Size: {Type: String, AllowedPattern: '[a-z]+'}", "ABC", "does not match the parameter's AllowedPattern [a-z]+."),
])
def test_an_override_is_checked_against_the_parameters_constraints(tmp_path, parameter, value, problem):
    path = write(tmp_path, f"Parameters:\n  {parameter}\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
                           "    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}\n")
    with pytest.raises(TemplateError) as error:
        read_template(path, {"Size": value})
    assert str(error.value) == f"--parameter-overrides Size={value}: {problem}"


def test_globals_that_sam_refuses(tmp_path):
    body = template_of(F="CodeUri: src/\nHandler: app.handler\nRuntime: python3.12")
    path = write(tmp_path, "Globals:\n  Function:\n    Events: {}\n" + body)
    with pytest.raises(TemplateError) as events:
        read_template(path)
    assert str(events.value) == (f"{path}: Globals.Function.Events: SAM does not allow Events in Globals; give it to "
                                 "each function instead.")
    path = write(tmp_path, "Globals:\n  Function: [Timeout]\n" + body)
    with pytest.raises(TemplateError) as shape:
        read_template(path)
    assert str(shape.value).startswith(f"{path}: Globals.Function is not a mapping of function properties.")


def test_a_logical_id_longer_than_a_function_name_warns(tmp_path):
    name = "Handler" * 10
    path = write(tmp_path, template_of(**{name: "CodeUri: src/\nHandler: app.handler\nRuntime: python3.12"}))
    assert read_template(path).function(name).warnings == (
        ("the logical id is longer than the 64 characters of a Lambda function name, so the console cannot store the "
        "function under it"),)


def test_the_items_project_keeps_payload_versions_and_refuses_an_unknown_one(tmp_path):
    template = read_template(PROJECTS / "items_api" / "template.yaml")
    items = template.function("ItemsFunction")
    assert [(e.kind, e.path, e.method, e.payload_version) for e in items.events] == [
        ("HttpApi", "/items/{id}", "GET", "2.0"), ("HttpApi", "/items", "POST", "2.0"),
        ("HttpApi", "/legacy/{id}", "GET", "1.0")]
    folder = Path(shutil.copytree(PROJECTS / "items_api", tmp_path / "items_api"))
    path = folder / "template.yaml"
    path.write_text(path.read_text().replace('PayloadFormatVersion: "1.0"', "PayloadFormatVersion: '3.0'"))
    items = read_template(path).function("ItemsFunction")
    assert [e.path for e in items.events] == ["/items/{id}", "/items"]
    assert ("Event LegacyItem: PayloadFormatVersion '3.0' is not 1.0 or 2.0; the event is left out"
            in items.warnings)
    path.write_text(path.read_text().replace("Path: /items\n", "Path: items\n"))
    items = read_template(path).function("ItemsFunction")
    assert [e.path for e in items.events] == ["/items/{id}"]
    assert "Event PostItem: Path 'items' must start with /; the event is left out" in items.warnings


def test_the_cors_project_gives_each_event_its_apis_stage_and_cors():
    template = read_template(PROJECTS / "cors_api" / "template.yaml", {"FrontendOrigin": "https://shop.example"})
    [orders, _] = template.function("OrdersFunction").events
    assert orders.api.stage == "dev"
    assert orders.api.cors == RestCors("https://shop.example", None, "Content-Type,X-Api-Key", "300", False)
    [status] = template.function("StatusFunction").events
    assert (status.api.stage, status.api.cors) == ("Prod", None)
    [cart, _] = template.function("CartFunction").events
    assert cart.api == ApiSettings("$default", HttpCors(("https://shop.example",), ("GET", "POST"), ("content-type",),
                                                        ("x-request-count",), 600, False))


def test_api_settings_that_cannot_be_read_warn_and_the_event_is_served_without_them(tmp_path):
    text = (template_of(F="Handler: app.handler\nRuntime: python3.12\nCodeUri: src/\nEvents:\n"
                          "  Missing:\n    Type: Api\n    Properties: {Path: /a, Method: GET, RestApiId: !Ref Nowhere}\n"
                          "  Unquoted:\n    Type: Api\n    Properties: {Path: /b, Method: GET, RestApiId: !Ref Open}\n"
                          "  Open:\n    Type: HttpApi\n    Properties: {Path: /c, Method: GET}\n")
            + "\n  Open:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: v1\n"
              "      Cors: https://shop.example\nGlobals:\n  HttpApi:\n    CorsConfiguration: true\n")
    function = read_template(write(tmp_path, text)).function("F")
    assert [event.path for event in function.events] == ["/a", "/b", "/c"]
    assert function.warnings == (
        ("Event Missing: RestApiId must be a !Ref of an AWS::Serverless::Api of this template; the event is served "
        "without its API's settings"),
        ("Event Unquoted: Cors.AllowOrigin: 'https://shop.example' must be quoted inside the string, as "
        "\"'https://shop.example'\"; the event is served without its API's settings"),
    )
    assert function.events[2].api.cors == HttpCors(("*",), ("*",), ("*",))
