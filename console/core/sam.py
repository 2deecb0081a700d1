"""A SAM (or CloudFormation) template read into the functions it defines, as `sam local invoke` sees them.

read_template gives every `AWS::Serverless::Function` and `AWS::Lambda::Function` that can run on this machine
(a local code folder, a Python runtime), each named by its logical id, and lists every other one with the reason it
cannot run: never a crash, never silently left out. `.aws-sam/build/template.yaml` (what `sam build` writes) reads
the same way; its CodeUri are the built folders. project_events finds the project's saved events (`events/*.json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.core.sam_apis import ApiReader
from console.core.sam_functions import (
    LAMBDA_FUNCTION,
    SERVERLESS_FUNCTION,
    CannotRun,
    FunctionReader,
    HttpEvent,
    TemplateFunction,
    TemplateLayer,
)
from console.core.sam_globals import merge_globals
from console.core.sam_intrinsics import PSEUDO_PARAMETERS, Resolver, Unresolved
from console.core.sam_yaml import TEMPLATE_HINT, TemplateError, TemplateSyntaxError, load_template_text

__all__ = [
    "HttpEvent", "NotRunnable", "ProjectEvent", "SamTemplate", "TemplateError", "TemplateFunction", "TemplateLayer",
    "TemplateSyntaxError", "project_events", "read_template",
]
FUNCTION_TYPES = (SERVERLESS_FUNCTION, LAMBDA_FUNCTION)
LIST_TYPES = ("CommaDelimitedList", "List<")  # parameter types whose Ref gives a list
UNSUPPORTED_GLOBALS = ("Role", "Policies", "FunctionName", "Events")  # SAM's "Globals section", unsupported ones


@dataclass(frozen=True)
class NotRunnable:
    """A function of the template that cannot run here, and why."""

    logical_id: str
    reason: str


@dataclass(frozen=True)
class SamTemplate:
    """The functions of one template: those that run here, and those that cannot, each with its reason."""

    path: Path  # absolute
    functions: tuple[TemplateFunction, ...]
    not_runnable: tuple[NotRunnable, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)  # the values used, defaults and overrides

    @property
    def names(self) -> tuple[str, ...]:
        """Every function's logical id: those that run, then those that cannot."""
        return tuple(f.logical_id for f in self.functions) + tuple(n.logical_id for n in self.not_runnable)

    def function(self, logical_id: str | None = None) -> TemplateFunction:
        """The function named `logical_id`; without a name, the template's only function (as `sam local invoke`
        allows). A TemplateError says what is wrong otherwise: no such function, or why it cannot run."""
        if logical_id is None:
            if len(self.names) != 1:
                listed = ", ".join(self.names) or "none"
                raise TemplateError(f"{self.path} has {len(self.names)} functions ({listed}): name the one to run")
            logical_id = self.names[0]
        for function in self.functions:
            if function.logical_id == logical_id:
                return function
        for skipped in self.not_runnable:
            if skipped.logical_id == logical_id:
                raise TemplateError(f"{logical_id} in {self.path} cannot run locally: {skipped.reason}.")
        raise TemplateError(f"{self.path} has no function {logical_id} (its functions: "
                            f"{', '.join(self.names) or 'none'}). Name a function by its logical id.")


def read_template(path: Path | str, overrides: Mapping[str, str] | None = None,
                  inline_dir: Path | None = None) -> SamTemplate:
    """Read the template at `path`, with parameter `overrides` (`--parameter-overrides`).

    Raises TemplateError (TemplateSyntaxError for YAML or JSON syntax, with line and column) when the template as a
    whole cannot be read. Python InlineCode is written to index.py in a folder under `inline_dir` (a folder of the
    temporary directory by default) named by the code's hash.
    """
    path = Path(path).resolve()
    data = load_template_text(path)
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: not a template (a mapping with a Resources section). {TEMPLATE_HINT}")
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError(f"{path}: no Resources section. A SAM template lists its functions under Resources, "
                            f"each with Type: {SERVERLESS_FUNCTION}.")
    values, missing = _parameters(path, data.get("Parameters"), overrides or {})
    resolver = Resolver(values, missing, resources, _section(path, data, "Mappings"),
                        _section(path, data, "Conditions"))
    global_function = _global_function(path, data.get("Globals"))
    reader = FunctionReader(path.parent, resolver, resources, inline_dir,
                            ApiReader(resources, data.get("Globals"), resolver))
    functions, not_runnable = [], []
    for logical_id, resource in resources.items():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if kind not in FUNCTION_TYPES:
            continue
        try:
            if not _created(resolver, resource):
                raise CannotRun(f"its Condition {resource['Condition']} is false with these parameters, so the "
                                "stack would not create it")
            properties = resource.get("Properties") or {}
            if not isinstance(properties, dict):
                raise CannotRun("its Properties are not a mapping")
            if kind == SERVERLESS_FUNCTION:
                properties = merge_globals(global_function, properties)
            functions.append(reader.read(str(logical_id), kind, properties))
        except CannotRun as exc:
            not_runnable.append(NotRunnable(str(logical_id), str(exc).rstrip(".")))
        except RecursionError:
            not_runnable.append(NotRunnable(str(logical_id), "its properties are nested too deeply to read"))
    if not functions and not not_runnable:
        raise TemplateError(f"{path}: no functions. A SAM template lists its functions under Resources with Type: "
                            f"{SERVERLESS_FUNCTION} (or {LAMBDA_FUNCTION}).")
    return SamTemplate(path, tuple(functions), tuple(not_runnable), values)


def _global_function(path: Path, section: Any) -> Mapping[str, Any]:
    """Globals.Function, checked as SAM checks it: a mapping, without the properties SAM's "Globals section" page
    lists as unsupported there."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise TemplateError(f"{path}: the Globals section is not a mapping. {TEMPLATE_HINT}")
    function = section.get("Function") or {}
    if not isinstance(function, dict):
        raise TemplateError(f"{path}: Globals.Function is not a mapping of function properties. {TEMPLATE_HINT}")
    unsupported = [key for key in UNSUPPORTED_GLOBALS if key in function]
    if unsupported:
        raise TemplateError(f"{path}: Globals.Function.{unsupported[0]}: SAM does not allow {unsupported[0]} in "
                            "Globals; give it to each function instead.")
    return function


def _created(resolver: Resolver, resource: Mapping[str, Any]) -> bool:
    condition = resource.get("Condition")
    if condition is None:
        return True
    try:
        return resolver.condition(str(condition))
    except Unresolved as exc:
        raise CannotRun(f"its Condition {condition}: {exc}") from None


def _section(path: Path, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = data.get(name) or {}
    if not isinstance(section, dict):
        raise TemplateError(f"{path}: the {name} section is not a mapping. {TEMPLATE_HINT}")
    return section


def _parameters(path: Path, declared: Any, overrides: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The parameters' values (defaults, then overrides, pseudo parameters included), and those without a value."""
    declared = declared or {}
    if not isinstance(declared, dict):
        raise TemplateError(f"{path}: the Parameters section is not a mapping. {TEMPLATE_HINT}")
    unknown = [key for key in overrides if key not in declared and key not in PSEUDO_PARAMETERS]
    if unknown:
        listed = ", ".join(declared) or "none"
        raise TemplateError(f"--parameter-overrides {unknown[0]}: the template has no parameter {unknown[0]} (its "
                            f"parameters: {listed}).")
    values: dict[str, Any] = {**PSEUDO_PARAMETERS}
    values.update({key: value for key, value in overrides.items() if key in PSEUDO_PARAMETERS})
    missing: dict[str, str] = {}
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        value: Any
        if name in overrides:
            value = overrides[name]
            _check_override(name, value, spec)
        elif "Default" in spec:
            value = spec["Default"]
        else:
            missing[name] = (f"the parameter {name} has no Default and no value given: pass "
                             f"--parameter-overrides {name}=VALUE")
            continue
        kind = str(spec.get("Type", "String"))
        if kind.startswith(LIST_TYPES):
            value = value if isinstance(value, list) else [item.strip() for item in str(value).split(",")]
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif not isinstance(value, list):
            value = str(value)  # a Ref of a Number parameter gives a string, as CloudFormation's does
        values[name] = value
    return values, missing


def _check_override(name: str, value: str, spec: Mapping[str, Any]) -> None:
    """An override checked against the parameter's constraints, as CloudFormation checks a value given to a stack
    (the user guide's "Parameters" section: AllowedValues, AllowedPattern, a Number's value)."""
    where = f"--parameter-overrides {name}={value}"
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list) and value not in [str(item) for item in allowed]:
        raise TemplateError(f"{where}: not one of the parameter's AllowedValues ({', '.join(map(str, allowed))}).")
    pattern = spec.get("AllowedPattern")
    if isinstance(pattern, str):
        try:
            matches = re.fullmatch(pattern, value) is not None
        except re.error:
            matches = True  # a pattern Python cannot read is not the user's value's fault
        if not matches:
            raise TemplateError(f"{where}: does not match the parameter's AllowedPattern {pattern}.")
    if str(spec.get("Type")) == "Number":
        try:
            float(value)
        except ValueError:
            raise TemplateError(f"{where}: the parameter is a Number; give a number.") from None


# --- the project's saved events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectEvent:
    """A JSON event file of the project: its name (the file's name without .json) and where it is."""

    name: str
    path: Path


def project_folder(template_path: Path) -> Path:
    """The project's folder: the template's, or for `.aws-sam/build/template.yaml` the folder `sam build` ran in."""
    folder = Path(template_path).resolve().parent
    if folder.name == "build" and folder.parent.name == ".aws-sam":
        return folder.parent.parent
    return folder


def project_events(template: SamTemplate) -> dict[str, tuple[ProjectEvent, ...]]:
    """Each runnable function's events, by logical id: `events/*.json` of the project (SAM's habit, shared by every
    function), then `events/<LogicalId>/*.json` (that function's own), sorted by name within each."""
    events_dir = project_folder(template.path) / "events"
    shared = _json_files(events_dir)
    return {f.logical_id: shared + _json_files(events_dir / f.logical_id) for f in template.functions}


def _json_files(folder: Path) -> tuple[ProjectEvent, ...]:
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix == ".json" and p.is_file())
    except OSError:
        return ()
    return tuple(ProjectEvent(p.stem, p) for p in files)
