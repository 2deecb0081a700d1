"""`lambda-console invoke --template`: one function of a SAM template, chosen and configured as `sam local invoke`
chooses and configures it (by logical id, with --parameter-overrides and an --env-vars file).

Imported only when --template or --env-vars is given: reading YAML is not part of every command's start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from console.cli_input import InputError
from console.core.sam import SamTemplate, TemplateError, TemplateFunction, read_template
from console.core.sam_local import EnvVars, EnvVarsError, OverrideError, parse_parameter_overrides, read_env_vars


@dataclass(frozen=True)
class ChosenFunction:
    """The template's function to run, its environment after --env-vars and --env, and what to tell the user."""

    function: TemplateFunction
    environment: dict[str, str]
    notes: tuple[str, ...]  # warnings, one line each, for stderr
    region: str  # AWS::Region and AWS::AccountId as the template saw them (overridable like parameters)
    account: str


def choose_function(template: str, logical_id: str | None, overrides: Sequence[str], env_vars: str | None,
                    extra_env: Mapping[str, str]) -> ChosenFunction:
    """The function `logical_id` of `template` (the only one when None), or an InputError that says what to do."""
    try:
        values = parse_parameter_overrides(overrides)
    except OverrideError as exc:
        raise InputError(str(exc)) from None
    try:
        parsed = read_template(Path(template), values)
        function = parsed.function(logical_id)
    except TemplateError as exc:
        raise InputError(str(exc)) from None
    notes = [f"Warning: {function.logical_id}: {warning}." for warning in function.warnings]
    notes += [f"Warning: {function.logical_id}: the layer {layer.arn} is not on this machine; the function runs "
              "without it (add its content as a LayerVersion with ContentUri in the template)."
              for layer in function.layers if layer.folder is None]
    environment = dict(function.environment)
    if env_vars is not None:
        file = env_vars_file(env_vars)
        names = [function.logical_id] + ([function.function_name] if function.function_name else [])
        environment, ignored = file.apply(names, environment)
        notes += _ignored_notes(file, function.logical_id, ignored)
        notes += [f"Warning: --env-vars {file.path}: the template has no function {name}; its entry is not used."
                  for name in file.unknown_functions([*parsed.names, *known_names(parsed)])]
    environment.update(extra_env)
    return ChosenFunction(function, _checked(environment), tuple(notes), str(parsed.parameters["AWS::Region"]),
                          str(parsed.parameters["AWS::AccountId"]))


def env_vars_file(path: str) -> EnvVars:
    try:
        return read_env_vars(Path(path))
    except EnvVarsError as exc:
        raise InputError(str(exc)) from None


def apply_env_vars(path: str, name: str, declared: Mapping[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """An --env-vars file applied to a function that is not in a template: the variables given with --env are its
    declared ones, as a template's Environment.Variables are."""
    file = env_vars_file(path)
    environment, ignored = file.apply(name, declared)
    return _checked(environment), _ignored_notes(file, name, ignored, where="--env")


def _checked(environment: dict[str, str]) -> dict[str, str]:
    from console.core.function_rules import FunctionError, check_environment

    try:
        return check_environment(environment)
    except FunctionError as exc:
        raise InputError(f"The function's environment variables: {exc}") from None


def _ignored_notes(file: EnvVars, name: str, ignored: tuple[str, ...],
                   where: str = "the template's Environment.Variables") -> tuple[str, ...]:
    if not ignored:
        return ()
    # SAM sets only the variables a function declares; say so, since the file's other names are silently lost there.
    note = (f"Warning: --env-vars {file.path} sets {', '.join(ignored)}, which {name} does not declare; as with "
            f"sam local, only declared variables are set: declare them in {where}.")
    return (note,)


def template_options(ctx: click.Context, template: str, logical_id: str | None, handler: str | None,
                     name: str | None, overrides: Sequence[str], env_vars: str | None,
                     extra_env: Mapping[str, str]) -> tuple[str, str, str, int, int, dict[str, str], tuple[Path, ...],
                                                            dict[str, Any]]:
    """`invoke`'s settings from the template: code path, handler, name, timeout, memory, environment, layers, and
    the FunctionSpec's other settings. An explicit --timeout or --memory wins over the template's; --env adds."""
    if handler is not None:
        raise InputError("--handler: the template names the function's handler; leave --handler out with --template.")
    if name is not None:
        raise InputError("--name: a template's function is named by its logical id; leave --name out with --template.")
    chosen = choose_function(template, logical_id, overrides, env_vars, extra_env)
    for note in chosen.notes:
        click.echo(note, err=True)
    function = chosen.function
    given = {key: ctx.get_parameter_source(key) is not ParameterSource.DEFAULT for key in ("timeout", "memory")}
    timeout = ctx.params["timeout"] if given["timeout"] else function.timeout
    memory = ctx.params["memory"] if given["memory"] else function.memory
    settings = {"runtime": function.runtime, "ephemeral_storage": function.ephemeral_storage,
                "region": chosen.region, "account": chosen.account}
    return (str(function.code_path), function.handler, function.logical_id, timeout, memory, chosen.environment,
            function.local_layers, settings)


def known_names(template: SamTemplate) -> list[str]:
    """The FunctionName properties of the template's functions: --env-vars entries may use them too."""
    return [function.function_name for function in template.functions if function.function_name]
