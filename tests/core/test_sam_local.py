"""SAM CLI's inputs besides the template: --parameter-overrides and the --env-vars file."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core.sam_local import EnvVarsError, OverrideError, parse_parameter_overrides, read_env_vars

PROJECTS = Path(__file__).resolve().parents[1] / "sam_projects"


def test_both_of_sams_override_forms_and_quoting():
    # An unquoted space ends a value, as in a shell: what follows is the next override.
    with pytest.raises(OverrideError) as unquoted:
        parse_parameter_overrides(["Stage=prod ParameterKey=Greeting,ParameterValue=Good morning"])
    assert str(unquoted.value).startswith("--parameter-overrides morning: no '=' in it.")
    assert parse_parameter_overrides([
        "Stage=prod 'ParameterKey=Greeting,ParameterValue=Good morning' Origins=a,b Empty=",
        'Stage="staging area"',
    ]) == {"Stage": "staging area", "Greeting": "Good morning", "Origins": "a,b", "Empty": ""}


@pytest.mark.parametrize("item, message", [
    ("Stage", ("--parameter-overrides Stage: no '=' in it. Write Key=Value or ParameterKey=Key,ParameterValue=Value, "
              "separated by spaces.")),
    ("=prod", ("--parameter-overrides =prod: no parameter name before '='. Write Key=Value or "
              "ParameterKey=Key,ParameterValue=Value, separated by spaces.")),
    ("Stage='prod", ("--parameter-overrides Stage='prod: No closing quotation. Write Key=Value or "
                    "ParameterKey=Key,ParameterValue=Value, separated by spaces.")),
])
def test_an_override_that_cannot_be_read_says_how_to_write_it(item, message):
    with pytest.raises(OverrideError) as error:
        parse_parameter_overrides([item])
    assert str(error.value) == message


def test_the_env_vars_file_sets_only_declared_variables_function_entries_first():
    env_vars = read_env_vars(PROJECTS / "params_app" / "env.json")
    declared = {"GREETING": "Welcome", "LOG_LEVEL": "INFO", "TABLE_NAME": "ItemsTable", "STAGE": "dev"}
    environment, ignored = env_vars.apply("GreetFunction", declared)
    assert environment == {"GREETING": "Ahoy", "LOG_LEVEL": "DEBUG", "TABLE_NAME": "local-items", "STAGE": "dev"}
    assert ignored == ("UNDECLARED",)
    # Another function gets only the shared "Parameters" entry.
    assert env_vars.apply("ItemsFunction", declared)[0] == {**declared, "LOG_LEVEL": "DEBUG"}
    assert env_vars.unknown_functions(["GreetFunction"]) == ()
    assert env_vars.unknown_functions(["ItemsFunction"]) == ("GreetFunction",)


def test_env_vars_values_are_written_as_strings(tmp_path):
    path = tmp_path / "env.json"
    path.write_text('{"F": {"ON": true, "OFF": false, "N": 3, "X": 1.5}}')
    environment, _ = read_env_vars(path).apply("F", {"ON": "", "OFF": "", "N": "", "X": "", "KEPT": "k"})
    assert environment == {"ON": "true", "OFF": "false", "N": "3", "X": "1.5", "KEPT": "k"}


HINT = ('Write it as SAM does: {"Parameters": {"NAME": "value"}, "LogicalId": {"NAME": "value"}}, with string, '
        "number or boolean values.")


@pytest.mark.parametrize("text, problem", [
    ('{"F": {"A": 1,}}', "line 1, column 15: not valid JSON: Expecting property name enclosed in double quotes"),
    ('["A=1"]', ": a JSON array, not an object"),
    ('{"Parameters": "A=1"}', ": the entry 'Parameters' is a JSON string, not an object of variables"),
    ('{"F": {"A": {"nested": 1}}}', ": F.A is a JSON object; an environment variable's value is a string"),
    ('{"F": {"A": null}}', ": F.A is a JSON null; an environment variable's value is a string"),
])
def test_a_malformed_env_vars_file_says_what_is_wrong(tmp_path, text, problem):
    path = tmp_path / "env.json"
    path.write_text(text)
    with pytest.raises(EnvVarsError) as error:
        read_env_vars(path)
    separator = ", " if problem.startswith("line") else ""
    assert str(error.value) == f"--env-vars {path}{separator}{problem}. {HINT}"


def test_a_missing_env_vars_file(tmp_path):
    with pytest.raises(EnvVarsError) as error:
        read_env_vars(tmp_path / "env.json")
    assert str(error.value) == f"--env-vars {tmp_path / 'env.json'}: no such file. {HINT}"


def test_an_entry_may_name_the_function_by_function_name_the_logical_id_winning(tmp_path):
    path = tmp_path / "env.json"
    path.write_text('{"Parameters": {"A": "shared", "B": "shared", "C": "shared"}, "my-function": {"B": "by name", '
                    '"C": "by name"}, "F": {"C": "by logical id"}}')
    environment, _ = read_env_vars(path).apply(["F", "my-function"], {"A": "", "B": "", "C": "", "D": "kept"})
    assert environment == {"A": "shared", "B": "by name", "C": "by logical id", "D": "kept"}
