"""CloudFormation's intrinsic functions, resolved where they can be without a deployed stack.

What a template knows locally: its Parameters (a Default, or a value given with --parameter-overrides), the pseudo
parameters (AWS::Region and the like, with the values SAM's local commands use unless overridden), its Mappings and
Conditions, and its resources' logical ids. `!Ref` of a resource gives its logical id, as `sam local` does.
What it cannot know (an attribute of a deployed resource, another stack's export) raises Unresolved with the reason.
Behaviour follows the CloudFormation user guide's "Intrinsic function reference".
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

# The values `sam local` gives the pseudo parameters; each may be overridden like a parameter.
PSEUDO_PARAMETERS: dict[str, Any] = {
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::StackName": "local",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/local/00000000-0000-0000-0000-000000000000",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NotificationARNs": [],
}
NO_VALUE = "AWS::NoValue"
INTRINSICS = frozenset({
    "Ref", "Condition", "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::ImportValue",
    "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::Transform", "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And",
    "Fn::Or", "Fn::Length", "Fn::ToJsonString",
})
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Unresolved(Exception):
    """A value that cannot be known locally; the message says which function and why, and what to do if anything."""


class MissingParameter(Unresolved):
    """A parameter the template declares without a Default, given no value."""


class _Removed:
    """What `!Ref AWS::NoValue` leaves: the property (or list item) is dropped, as CloudFormation drops it."""


REMOVED = _Removed()


def is_intrinsic(value: Any) -> bool:
    """Whether `value` is one intrinsic function call in its long form ({"Fn::Sub": ...} or {"Ref": ...})."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSICS


MAX_SHOWN = 80  # characters of a value shown in a message
MAX_STEPS = 100_000  # values visited in one resolution: YAML aliases can make a small file a huge tree


class _Full(Exception):
    pass


def brief(value: Any) -> str:
    """`value` as JSON for a message, cut at MAX_SHOWN characters (without ever writing the whole of a huge value)."""
    out: list[str] = []
    size = 0

    def emit(text: str) -> None:
        nonlocal size
        out.append(text)
        size += len(text)
        if size > MAX_SHOWN:
            raise _Full

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            emit("{")
            for index, (key, inner) in enumerate(item.items()):
                emit(("", ", ")[index > 0] + json.dumps(str(key)) + ": ")
                walk(inner)
            emit("}")
        elif isinstance(item, list):
            emit("[")
            for index, inner in enumerate(item):
                emit(("", ", ")[index > 0])
                walk(inner)
            emit("]")
        else:
            emit(json.dumps(item, default=str))

    try:
        walk(value)
    except (_Full, RecursionError):
        return "".join(out)[:MAX_SHOWN] + "..."
    return "".join(out)


def short_form(value: Any) -> str:
    """An intrinsic as a person wrote it, for messages: `!GetAtt Table.Arn`, `!Ref Stage`."""
    if not is_intrinsic(value):
        return brief(value)
    name, argument = next(iter(value.items()))
    tag = "!" + name.removeprefix("Fn::")
    if name == "Fn::GetAtt" and isinstance(argument, list):
        return f"{tag} {'.'.join(map(str, argument))}"
    return f"{tag} {argument if isinstance(argument, str) else brief(argument)}"


class Resolver:
    """Resolves intrinsic functions against one template's parameters, mappings, conditions and resources."""

    def __init__(self, parameters: Mapping[str, Any], missing: Mapping[str, str], resources: Mapping[str, Any],
                 mappings: Mapping[str, Any], conditions: Mapping[str, Any]) -> None:
        self.parameters = dict(parameters)  # name -> value, pseudo parameters included
        self.missing = dict(missing)  # declared parameters without a value -> the message saying so
        self.resources = resources
        self.mappings = mappings
        self.conditions = conditions
        self._condition_values: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self._steps = 0

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic replaced by what it gives; REMOVED for `!Ref AWS::NoValue`."""
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise Unresolved(f"the template's values are too large to resolve (over {MAX_STEPS:,} of them)")
        if is_intrinsic(value):
            name, argument = next(iter(value.items()))
            return self._call(name, argument)
        if isinstance(value, dict) and len(value) == 1 and str(next(iter(value))).startswith("Fn::"):
            raise Unresolved(f"{next(iter(value))}: not an intrinsic function CloudFormation has")
        if isinstance(value, dict):
            resolved = {key: self.resolve(item) for key, item in value.items()}
            return {key: item for key, item in resolved.items() if item is not REMOVED}
        if isinstance(value, list):
            return [item for item in map(self.resolve, value) if item is not REMOVED]
        return value

    def text(self, value: Any, where: str = "") -> str:
        """`value` resolved to a string, as CloudFormation turns numbers and booleans into strings. `where` names
        the place in messages (the caller names it otherwise)."""
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, (str, int, float)):
            return str(resolved)
        shown = brief(resolved)
        problem = f"{short_form(value)} gives {shown}, not a string" if is_intrinsic(value) else f"{shown} is not a string"
        raise Unresolved(f"{where}: {problem}" if where else problem)

    def condition(self, name: str) -> bool:
        if name in self._condition_values:
            return self._condition_values[name]
        if name not in self.conditions:
            raise Unresolved(f"no condition named {name} in the template's Conditions")
        if name in self._evaluating:
            raise Unresolved(f"the condition {name} depends on itself")
        self._evaluating.add(name)
        try:
            value = self._truth(self.conditions[name])
        finally:
            self._evaluating.discard(name)
        self._condition_values[name] = value
        return value

    # --- the functions ---------------------------------------------------------------------------------------

    def _call(self, name: str, argument: Any) -> Any:
        handler = getattr(self, "_fn_" + name.removeprefix("Fn::").lower(), None)
        if handler is None:
            raise Unresolved(f"{short_form({name: argument})}: {name} cannot be worked out without a deployed stack")
        return handler(argument)

    def _fn_ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise Unresolved(f"!Ref {brief(name)}: Ref takes a name")
        if name == NO_VALUE:
            return REMOVED
        if name in self.parameters:
            return self.parameters[name]
        if name in self.missing:
            raise MissingParameter(self.missing[name])
        if name in self.resources:
            return name  # a resource's physical id is not known locally; `sam local` uses the logical id
        raise Unresolved(f"!Ref {name}: no parameter or resource of that name in the template")

    def _fn_condition(self, name: Any) -> bool:
        return self.condition(str(name))

    def _fn_sub(self, argument: Any) -> str:
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            template, variables = argument
        elif isinstance(argument, str):
            template, variables = argument, {}
        else:
            raise Unresolved(f"!Sub {brief(argument)}: Sub takes a string, or [string, variables]")
        if not isinstance(template, str):
            raise Unresolved(f"!Sub {brief(argument)}: the first item must be a string")

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} writes ${Literal}
            if name in variables:
                return self.text(variables[name], f"!Sub ${{{name}}}")
            if "." in name and not name.startswith("AWS::"):
                raise Unresolved(f"!Sub ${{{name}}}: an attribute of a deployed resource, not known locally")
            return self.text({"Ref": name}, f"!Sub ${{{name}}}")

        return _SUB_VARIABLE.sub(substitute, template)

    def _fn_join(self, argument: Any) -> str:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(f"!Join {brief(argument)}: Join takes [delimiter, [values]]")
        delimiter = self.text(argument[0], "!Join")
        items = self.resolve(argument[1])
        if not isinstance(items, list):
            raise Unresolved(f"!Join: {short_form(argument[1])} is not a list")
        return delimiter.join(self.text(item, "!Join") for item in items)

    def _fn_select(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(f"!Select {brief(argument)}: Select takes [index, [values]]")
        items = self.resolve(argument[1])
        try:
            return items[int(self.text(argument[0], "!Select"))]
        except (ValueError, TypeError, IndexError, KeyError):
            raise Unresolved(f"!Select {brief(argument)}: no such item") from None

    def _fn_split(self, argument: Any) -> list[str]:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved(f"!Split {brief(argument)}: Split takes [delimiter, string]")
        return self.text(argument[1], "!Split").split(self.text(argument[0], "!Split"))

    def _fn_if(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
            raise Unresolved(f"!If {brief(argument)}: If takes [condition, if true, if false]")
        return self.resolve(argument[1] if self.condition(argument[0]) else argument[2])

    def _fn_findinmap(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) in (3, 4)):
            raise Unresolved(f"!FindInMap {brief(argument)}: FindInMap takes [map, key, key]")
        keys = [self.text(item, "!FindInMap") for item in argument[:3]]
        try:
            return self.resolve(self.mappings[keys[0]][keys[1]][keys[2]])
        except (KeyError, TypeError):
            if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
                return self.resolve(argument[3]["DefaultValue"])
            raise Unresolved(f"!FindInMap {'/'.join(keys)}: no such entry in the template's Mappings") from None

    def _fn_base64(self, argument: Any) -> str:
        return base64.b64encode(self.text(argument, "!Base64").encode()).decode()

    def _fn_getazs(self, argument: Any) -> list[str]:
        region = self.text(argument, "!GetAZs") or self.parameters["AWS::Region"]
        return [f"{region}{zone}" for zone in "abc"]

    def _fn_getatt(self, argument: Any) -> Any:
        raise Unresolved(f"{short_form({'Fn::GetAtt': argument})}: an attribute of a deployed resource, "
                         "not known locally")

    def _fn_importvalue(self, argument: Any) -> Any:
        raise Unresolved(f"{short_form({'Fn::ImportValue': argument})}: another stack's export, not known locally")

    def _fn_length(self, argument: Any) -> int:
        items = self.resolve(argument)
        if not isinstance(items, list):
            raise Unresolved(f"!Length {brief(argument)}: Length takes a list")
        return len(items)

    def _fn_tojsonstring(self, argument: Any) -> str:
        return json.dumps(self.resolve(argument), separators=(",", ":"))

    # --- conditions -------------------------------------------------------------------------------------------

    def _truth(self, value: Any) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            name, argument = next(iter(value.items()))
            if name == "Condition":
                return self.condition(str(argument))
            if name == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
                return self.text(argument[0], "!Equals") == self.text(argument[1], "!Equals")
            if name == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
                return not self._truth(argument[0])
            if name == "Fn::And" and isinstance(argument, list):
                return all(self._truth(item) for item in argument)
            if name == "Fn::Or" and isinstance(argument, list):
                return any(self._truth(item) for item in argument)
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return resolved
        if resolved in ("true", "false"):
            return resolved == "true"
        raise Unresolved(f"{short_form(value)}: not a condition (use !Equals, !Not, !And, !Or or !Condition)")
