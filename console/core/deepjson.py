"""Checking JSON text nested deeper than Python's recursion limit lets `json.loads` follow.

Lambda's Invoke takes any JSON payload up to its size limit, however deeply nested; Python's reader recurses once per
level and gives up near 1,000. `check_json` reads the text with an explicit stack instead, so such an event can be
accepted (or refused with the place of its mistake) without building the value.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # public in CPython, absent from the stubs

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# RFC 8259's number; json.loads reads the same.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null")


def skip_whitespace(text: str, pos: int) -> int:
    """Where the JSON whitespace starting at `pos` ends."""
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def check_json(text: str) -> None:
    """Return if `text` is one JSON value, else raise json.JSONDecodeError with the message and place of the problem.

    The value itself is not built, so the depth of nesting does not matter.
    """
    end = skip_whitespace(text, value_end(text, skip_whitespace(text, 0)))
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)


def value_end(text: str, pos: int) -> int:
    """Where the JSON value starting at `pos` ends; json.JSONDecodeError if it is not valid JSON."""
    stack: list[str] = []  # "[" or "{" for each open array or object
    while True:
        # A value starts here.
        if pos >= len(text):
            raise json.JSONDecodeError("Expecting value", text, pos)
        char = text[pos]
        if char in "[{":
            stack.append(char)
            pos = skip_whitespace(text, pos + 1)
            closing = "]" if char == "[" else "}"
            if pos < len(text) and text[pos] == closing:
                stack.pop()
                pos += 1
            elif char == "{":
                pos = _key(text, pos)
                continue
            else:
                continue
        elif char == '"':
            _, pos = scanstring(text, pos + 1, True)
        else:
            number = _NUMBER.match(text, pos)
            if number:
                pos = number.end()
            else:
                literal = next((word for word in _LITERALS if text.startswith(word, pos)), None)
                if literal is None:
                    raise json.JSONDecodeError("Expecting value", text, pos)
                pos += len(literal)
        # After a value: close the arrays and objects it ends, or go on to the next member.
        while True:
            if not stack:
                return pos
            pos = skip_whitespace(text, pos)
            closing = "]" if stack[-1] == "[" else "}"
            if pos < len(text) and text[pos] == closing:
                stack.pop()
                pos += 1
                continue
            if pos < len(text) and text[pos] == ",":
                pos = skip_whitespace(text, pos + 1)
                if stack[-1] == "{":
                    pos = _key(text, pos)
                break
            expected = "','" if pos >= len(text) else f"',' or '{closing}'"
            raise json.JSONDecodeError(f"Expecting {expected} delimiter", text, pos)


def _key(text: str, pos: int) -> int:
    """Read an object's `"key":` at `pos`; where its value starts."""
    if pos >= len(text) or text[pos] != '"':
        raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
    _, pos = scanstring(text, pos + 1, True)
    pos = skip_whitespace(text, pos)
    if pos >= len(text) or text[pos] != ":":
        raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
    return skip_whitespace(text, pos + 1)
