"""What `sam local` takes besides the template: `--parameter-overrides` and the `--env-vars` file, in SAM's formats.

- Parameter overrides, as SAM CLI's `--parameter-overrides` reads them: `Key=Value Key2=Value2`, or CloudFormation's
  `ParameterKey=Key,ParameterValue=Value`, separated by spaces, with shell quoting for values holding spaces.
- The environment variables file (`sam local invoke --env-vars env.json`): a JSON object whose `"Parameters"` entry
  applies to every function and whose entries named by a function's logical id (or its FunctionName) apply to that
  function, taking precedence over `"Parameters"`. As SAM documents it (serverless-sam-cli-using-invoke, "Environment variable file"),
  it overrides only the variables a function declares in the template's Environment.Variables; others are ignored.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_CLOUDFORMATION_FORM = re.compile(r"ParameterKey=([^,]*),ParameterValue=(.*)", re.DOTALL)
ENV_VARS_HINT = ('Write it as SAM does: {"Parameters": {"NAME": "value"}, "LogicalId": {"NAME": "value"}}, '
                 "with string, number or boolean values.")


class OverrideError(ValueError):
    """A --parameter-overrides item that cannot be read; the message says which, and how to write it."""


class EnvVarsError(ValueError):
    """An --env-vars file that cannot be used; the message names the file, what is wrong, and what to do."""


def parse_parameter_overrides(items: Sequence[str]) -> dict[str, str]:
    """`--parameter-overrides` values (each holding one or more overrides) -> {parameter: value}; a later one wins."""
    overrides: dict[str, str] = {}
    todo = "Write Key=Value or ParameterKey=Key,ParameterValue=Value, separated by spaces."
    for item in items:
        try:
            tokens = shlex.split(item)
        except ValueError as exc:
            raise OverrideError(f"--parameter-overrides {item}: {exc}. {todo}") from None
        for token in tokens:
            match = _CLOUDFORMATION_FORM.fullmatch(token)
            if match:
                key, value = match.groups()
            else:
                key, sep, value = token.partition("=")
                if not sep:
                    raise OverrideError(f"--parameter-overrides {token}: no '=' in it. {todo}")
            if not key:
                raise OverrideError(f"--parameter-overrides {token}: no parameter name before '='. {todo}")
            overrides[key] = value
    return overrides


@dataclass(frozen=True)
class EnvVars:
    """An --env-vars file's contents: variables for every function, and per logical id."""

    path: Path
    shared: Mapping[str, str] = field(default_factory=dict)  # the "Parameters" entry
    by_function: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def apply(self, name: str | Sequence[str], declared: Mapping[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
        """The function's variables with the file's values for those it declares, and the names the file set for it
        that it does not declare (ignored, as SAM ignores them). `name` may be several names of the function, the
        strongest first: SAM looks an entry up by logical id, then by the function's FunctionName."""
        names = [name] if isinstance(name, str) else list(name)
        given = dict(self.shared)
        for each in reversed(names):
            given.update(self.by_function.get(each, {}))
        environment = {key: given.get(key, value) for key, value in declared.items()}
        return environment, tuple(sorted(key for key in given if key not in declared))

    def unknown_functions(self, names: Sequence[str]) -> tuple[str, ...]:
        """Entries of the file that name no function among `names` (a misspelt logical id, most likely)."""
        return tuple(key for key in self.by_function if key not in names)


def read_env_vars(path: Path) -> EnvVars:
    """Read and check an --env-vars file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise EnvVarsError(f"--env-vars {path}: no such file. {ENV_VARS_HINT}") from None
    except IsADirectoryError:
        raise EnvVarsError(f"--env-vars {path}: a folder, not a JSON file. {ENV_VARS_HINT}") from None
    except OSError as exc:
        raise EnvVarsError(f"--env-vars {path}: cannot be read ({exc.strerror}).") from None
    except UnicodeDecodeError as exc:
        raise EnvVarsError(f"--env-vars {path}: not UTF-8 text (byte {exc.start}). {ENV_VARS_HINT}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EnvVarsError(f"--env-vars {path}, line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}. "
                           f"{ENV_VARS_HINT}") from None
    if not isinstance(data, dict):
        raise EnvVarsError(f"--env-vars {path}: a JSON {_kind(data)}, not an object. {ENV_VARS_HINT}")
    entries = {key: _variables(path, key, value) for key, value in data.items()}
    shared = entries.pop("Parameters", {})
    return EnvVars(path, shared, entries)


def _variables(path: Path, entry: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise EnvVarsError(f"--env-vars {path}: the entry {entry!r} is a JSON {_kind(value)}, not an object of "
                           f"variables. {ENV_VARS_HINT}")
    variables = {}
    for name, item in value.items():
        if isinstance(item, bool):
            variables[name] = "true" if item else "false"
        elif isinstance(item, (str, int, float)):
            variables[name] = str(item)
        else:
            raise EnvVarsError(f"--env-vars {path}: {entry}.{name} is a JSON {_kind(item)}; an environment "
                               f"variable's value is a string. {ENV_VARS_HINT}")
    return variables


def _kind(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")
