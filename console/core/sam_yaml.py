"""Reading a SAM or CloudFormation template's text: YAML with CloudFormation's short-form tags, or JSON.

The short forms become the long forms CloudFormation defines for them (`!Ref X` is `{"Ref": "X"}`, `!GetAtt A.B` is
`{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` is `{"Fn::Sub": "s"}`...), so that the rest of the reader sees one shape
whichever form the author wrote. Syntax errors say where (line and column, counted from 1), as a person reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

# Every short-form tag of CloudFormation's intrinsic functions and condition functions ("Intrinsic function
# reference" in the CloudFormation user guide). `!Ref` and `!Condition` have no Fn:: prefix in their long form.
SHORT_FORMS = (
    "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub", "Transform",
    "If", "Equals", "Not", "And", "Or", "Length", "ToJsonString",
)
TEMPLATE_HINT = "Fix the template (a SAM or CloudFormation template in YAML or JSON)."


class TemplateError(ValueError):
    """A template that cannot be read at all. The message is complete: the file, what is wrong, what to do."""


class TemplateSyntaxError(TemplateError):
    """The template's text is not YAML or JSON: `line` and `column` (from 1) say where, when known."""

    def __init__(self, path: Path, problem: str, line: int | None = None, column: int | None = None) -> None:
        where = f"{path}, line {line}, column {column}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}. {TEMPLATE_HINT}")
        self.path, self.problem, self.line, self.column = path, problem, line, column


# libyaml's parser where PyYAML was built with it (its wheels are): several times faster than the pure-Python one,
# with the same safe constructors and the same error marks.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """YAML 1.1 as CloudFormation reads it, plus the short-form tags, and a duplicated key refused with its line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str) and key in seen:
                # PyYAML would keep the last silently; CloudFormation refuses the template.
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark
                )
            if isinstance(key, str):
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _long_form(name: str) -> Any:
    def construct(loader: _TemplateLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt":
                # `!GetAtt Resource.Attribute`: the attribute may itself hold dots (Outputs.Name).
                resource, _, attribute = str(value).partition(".")
                value = [resource, attribute]
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        return {key: value}

    return construct


for _name in (*SHORT_FORMS, "Ref", "Condition"):
    _TemplateLoader.add_constructor(f"!{_name}", _long_form(_name))
# A date-like value (AWSTemplateFormatVersion: 2010-09-09, an environment variable) stays the string it was written as.
def _as_written(loader: _TemplateLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_written)


def load_template_text(path: Path) -> Any:
    """The template at `path` as plain Python values (dicts, lists, strings, numbers, booleans, None)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TemplateSyntaxError(path, "no such template file") from None
    except IsADirectoryError:
        raise TemplateSyntaxError(path, "a folder, not a template file (pass the template.yaml inside it)") from None
    except OSError as exc:
        raise TemplateSyntaxError(path, f"cannot be read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateSyntaxError(path, f"not UTF-8 text (byte {exc.start})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise TemplateSyntaxError(path, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise TemplateSyntaxError(path, "nested too deeply to read") from None
    try:
        return yaml.load(text, Loader=_TemplateLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if mark is None:
            raise TemplateSyntaxError(path, f"not valid YAML: {problem}") from None
        raise TemplateSyntaxError(path, f"not valid YAML: {problem}", mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise TemplateSyntaxError(path, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise TemplateSyntaxError(path, "nested too deeply to read") from None
