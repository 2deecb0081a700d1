"""Reading the console's HTML forms into the Console's arguments, refusing with the field to show the message beside."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.core.functions import FunctionError
from console.core.zipcheck import PackageError


def whole_number(form: Mapping[str, str], field: str, label: str, default: int | None = None) -> int | None:
    """A form field that must hold a whole number; FunctionError(field) saying so otherwise."""
    text = (form.get(field) or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise FunctionError(f"{label} {text!r} is not a whole number: type digits only, like 3.", field) from None


def environment(text: str) -> dict[str, str]:
    """Environment variables written one `KEY=value` per line (blank lines and `# comments` skipped)."""
    variables: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if not sep or not key.strip():
            raise FunctionError(
                f"Environment variables, line {number}: {stripped[:40]!r} is not KEY=value. "
                "Write one variable per line, like TABLE_NAME=orders.",
                "environment",
            )
        variables[key.strip()] = value
    return variables


def environment_text(variables: Mapping[str, str]) -> str:
    return "\n".join(f"{key}={value}" for key, value in variables.items())


def function_settings(form: Mapping[str, str], errors: dict[str, str] | None = None) -> dict[str, Any]:
    """Handler, timeout, memory, ephemeral storage, environment and description from a form; only the fields it
    holds. Given `errors`, a field that cannot be read is recorded there and left out instead of raising, so that the
    Console's own checks of the others can be shown beside it."""
    settings: dict[str, object] = {}
    if "handler" in form:
        settings["handler"] = form["handler"].strip()
    for key, label, default in (("timeout", "Timeout", 3), ("memory", "Memory", 128),
                                ("ephemeral_storage", "Ephemeral storage", 512)):
        if key in form:
            try:
                settings[key] = whole_number(form, key, label, default)
            except FunctionError as exc:
                if errors is None:
                    raise
                errors[exc.field] = str(exc)
    if "environment" in form:
        try:
            settings["environment"] = environment(form["environment"])
        except FunctionError as exc:
            if errors is None:
                raise
            errors[exc.field] = str(exc)
    if "description" in form:
        settings["description"] = form["description"].strip()
    return settings


def package_refusal(exc: PackageError, filename: str) -> str:
    """A refused upload's message with the file's name first, as the command line writes it."""
    return f"{filename}: {exc.problem}. {exc.todo}" if filename else str(exc)
