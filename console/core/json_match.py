"""Matching a response against an expected JSON value, and the differences a person reads when it does not match.

The rule is Jest's `toMatchObject`, as its documentation describes it: an expected object matches when every key it
names is present in the actual object with a matching value, recursively; keys the expectation does not name are
ignored. Arrays and scalars are compared whole: an array matches only an equal array (same length, equal items, and
objects inside it equal with no extra keys), a scalar only an equal scalar of the same JSON type (`true` is not `1`;
`1` is `1.0`).

Each difference names its place as a JSONPath (`$.body.items[2]["first name"]`) and is one of:

- `missing`: the expectation names a key or an array item the response does not have;
- `changed`: both have it, with different values (or different JSON types);
- `added`: the response has a key or an array item that a whole comparison (inside an array) does not expect.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

# A value shown in a difference is cut to this many characters: a diff is read, a payload can be 6 MB.
SHOWN_CHARS = 200
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_MISSING = object()


@dataclass(frozen=True)
class Difference:
    """One place where the response does not match the expectation."""

    kind: str  # "missing", "changed" or "added"
    path: str  # JSONPath: $, $.key, $["odd key"], $[0]
    expected: object = _MISSING
    actual: object = _MISSING

    def describe(self) -> str:
        """One line: `changed  $.statusCode: expected 200, got 500`."""
        if self.kind == "missing":
            return f"missing  {self.path}: expected {shown(self.expected)}, the response has none"
        if self.kind == "added":
            return f"added    {self.path}: {shown(self.actual)}, not expected"
        return f"changed  {self.path}: expected {shown(self.expected)}, got {shown(self.actual)}"


def shown(value: object) -> str:
    """A JSON value as a diff shows it: compact JSON, cut to SHOWN_CHARS."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True, separators=(", ", ": "))
    except (ValueError, TypeError, RecursionError):
        text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def differences(expected: object, actual: object, *, whole: bool = False, path: str = "$") -> list[Difference]:
    """Where `actual` does not match `expected`: empty when it matches. `whole` compares objects whole too (no keys
    but the expected ones), as inside arrays. RecursionError for values nested deeper than Python can follow."""
    found: list[Difference] = []
    _compare(expected, actual, whole, path, found)
    return found


def matches(expected: object, actual: object) -> bool:
    return not differences(expected, actual)


def _compare(expected: object, actual: object, whole: bool, path: str, found: list[Difference]) -> None:
    kind = json_type(expected)
    if kind != json_type(actual):
        found.append(Difference("changed", path, expected, actual))
        return
    if kind == "object":
        assert isinstance(expected, dict) and isinstance(actual, dict)
        for key, value in expected.items():
            if key in actual:
                _compare(value, actual[key], whole, key_path(path, key), found)
            else:
                found.append(Difference("missing", key_path(path, key), expected=value))
        if whole:
            found.extend(Difference("added", key_path(path, key), actual=value)
                         for key, value in actual.items() if key not in expected)
    elif kind == "array":
        assert isinstance(expected, list) and isinstance(actual, list)
        # Arrays are compared whole; the items are compared one by one only to say where they differ.
        for index, (left, right) in enumerate(zip(expected, actual)):
            _compare(left, right, True, f"{path}[{index}]", found)
        found.extend(Difference("missing", f"{path}[{index}]", expected=value)
                     for index, value in enumerate(expected) if index >= len(actual))
        found.extend(Difference("added", f"{path}[{index}]", actual=value)
                     for index, value in enumerate(actual) if index >= len(expected))
    elif not _same_scalar(expected, actual):
        found.append(Difference("changed", path, expected, actual))


def _same_scalar(expected: object, actual: object) -> bool:
    if isinstance(expected, float) and isinstance(actual, float) and math.isnan(expected) and math.isnan(actual):
        return True  # Python's reader takes NaN; a response holding one still matches itself
    return expected == actual
