"""Event JSON: what Lambda's Invoke accepts as an event, read with the line and column of any mistake.

An event is one JSON value (an object, a list, a string, a number, true, false or null) of at most 6 MB of UTF-8.
NaN and Infinity, which Python's json reads, are not JSON and are refused. Nesting deeper than Python's reader can
follow is accepted (Lambda passes it on) and checked by console.core.deepjson. Event names are checked here too.
Also here: where each member of a JSON text is, so that a bundle's events keep their exact text.
"""

from __future__ import annotations

import json
import re
import sys

from console.core.deepjson import check_json, skip_whitespace, value_end
from console.core.limits import MAX_REQUEST_BYTES

MAX_EVENT_BYTES = MAX_REQUEST_BYTES  # an event is what a synchronous Invoke sends
MAX_NAME_LENGTH = 64
NAME_RULE = f"1 to {MAX_NAME_LENGTH} letters, digits, '-', '_' and '.' (but not '.' or '..' alone)"
_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+")  # ASCII only: \w and \d would let other scripts' letters through
_BOM = "\ufeff"
JSON_WHITESPACE = " \t\n\r"  # str.strip() alone would also take Unicode spaces, which JSON does not allow


class EventError(ValueError):
    """An event, a name or an import that cannot be accepted; the message says what, where and what to do.

    `line` and `column` (1-based) point into the JSON text when the problem has a place there; `field` is "name"
    when the event's name is what is wrong, "event" otherwise.
    """

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, field: str = "event"
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.field = field



class EventTooDeep(EventError):
    """JSON nested deeper than Python's reader can follow: valid or not, its value cannot be built here."""



# -- checks -----------------------------------------------------------------------------------------------------


def parse_event(text: str | bytes, source: str = "event") -> object:
    """The JSON value of an event's text, or EventError saying what is wrong and where (`source` starts the message).

    JSON nested deeper than Python can build is refused with EventTooDeep; `check_event` accepts it.
    """
    return parse_json(event_text(text, source), source)


def check_event(text: str | bytes, source: str = "event") -> None:
    """Refuse, with EventError, an event Lambda's Invoke would refuse; accept any other, however deeply nested.

    Lambda passes a payload of any depth on to the function's runtime, which then reports whether it could read it.
    """
    decoded = event_text(text, source)
    try:
        parse_json(decoded, source)
    except EventTooDeep:
        check_deep(decoded, source)


def _syntax_error(exc: json.JSONDecodeError, source: str) -> EventError:
    return EventError(
        f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {_EXPLAINED.get(exc.msg, exc.msg)}",
        line=exc.lineno,
        column=exc.colno,
    )


def check_deep(text: str, source: str) -> None:
    """EventError, with its place, unless the text is JSON; for text too deeply nested for Python's reader."""
    try:
        check_json(text)
    except json.JSONDecodeError as exc:
        raise _syntax_error(exc, source) from None


def check_event_name(name: str) -> str:
    """The name if it is a valid event name, else EventError stating the rule."""
    if not isinstance(name, str):
        raise EventError(f"Event name must be text, not {type(name).__name__}: use {NAME_RULE}.", field="name")
    if not name:
        raise EventError(f"Event name is empty: give it a name of {NAME_RULE}.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise EventError(f"Event name {name[:20]!r}... is {len(name)} characters long: use {NAME_RULE}.", field="name")
    if not _NAME_PATTERN.fullmatch(name):
        bad = next(char for char in name if not _NAME_PATTERN.fullmatch(char))
        raise EventError(f"Event name {name!r} contains {bad!r}, which is not allowed: use {NAME_RULE}.", field="name")
    if name in (".", ".."):
        raise EventError(f"Event name {name!r} is not allowed (it means a folder): use {NAME_RULE}.", field="name")
    return name


def event_text(text: str | bytes, source: str, *, bounded: bool = True) -> str:
    """The text of an event given as text or as bytes (UTF-8, a leading byte order mark dropped).

    Bounded, it is refused over MAX_EVENT_BYTES; a bundle is not bounded, each event in it is.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if bounded:
            check_size(len(data), source)
        decoded = _decode(data, source)
    elif isinstance(text, str):
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            line, column = line_column(text, exc.start)
            raise EventError(
                f"{source}: not UTF-8 at line {line}, column {column}: the character U+{ord(text[exc.start]):04X}"
                " (half of a surrogate pair) has no UTF-8 form. Write it as a \\u escape inside a string,"
                " or remove it.",
                line=line,
                column=column,
            ) from None
        if bounded:
            check_size(size, source)
        decoded = text
    else:
        raise TypeError(f"an event is str or bytes, not {type(text).__name__}")
    # Editors on Windows start UTF-8 files with a byte order mark; it is an encoding mark, not part of the JSON.
    return decoded[1:] if decoded.startswith(_BOM) else decoded


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        raise EventError(
            f"{source}: not UTF-8 at line {line}, column {column}: byte 0x{data[exc.start]:02x} cannot be decoded."
            " Save it as UTF-8 text.",
            line=line,
            column=column,
        ) from None


def check_size(size: int, source: str) -> None:
    if size > MAX_EVENT_BYTES:
        raise EventError(
            f"{source}: {size:,} bytes is too large: Lambda accepts an event of at most {MAX_EVENT_BYTES:,} bytes"
            " (6 MB)."
            " Make the event smaller."
        )


def line_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


# Python's messages that end in " at", expecting a position after them; ours gives the position before.
_EXPLAINED = {
    "Unterminated string starting at": "Unterminated string (its closing quote is missing)",
    "Invalid control character at": "Invalid control character in a string (write a tab as \\t, a new line as \\n)",
    "Invalid \\escape": "Invalid escape in a string (write a backslash as \\\\)",
    "Invalid \\uXXXX escape": "Invalid \\uXXXX escape (give four hexadecimal digits)",
}


class _NotJsonConstant(ValueError):
    pass


def _refuse_constant(name: str) -> object:
    raise _NotJsonConstant(name)


# Python's json reads NaN and Infinity, which are not JSON: Lambda's Invoke refuses an event holding them.
DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def parse_json(text: str, source: str) -> object:
    """The value of a JSON text (its size already checked), or EventError."""
    if not text.strip(JSON_WHITESPACE):
        raise EventError(f'{source}: empty: an event is one JSON value, such as {{}}, {{"key": "value"}}, [] or null.')
    try:
        return DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise _syntax_error(exc, source) from None
    except _NotJsonConstant as exc:
        line, column = line_column(text, _constant_position(text))
        raise EventError(
            f"{source}: not valid JSON at line {line}, column {column}: {exc.args[0]} is not a JSON value"
            " (Lambda refuses it). Write a number, null or a string instead.",
            line=line,
            column=column,
        ) from None
    except RecursionError:
        raise EventTooDeep(
            f"{source}: nested too deeply: the arrays and objects go deeper than Python's JSON reader can follow."
            " Flatten the event."
        ) from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python reads integers of at most 4300 digits; the runtime's json is the same
            raise EventError(
                f"{source}: a number has more digits than Python's JSON reader accepts ({sys.get_int_max_str_digits()}"
                "), so the handler could not receive it. Write it as a string."
            ) from None
        raise EventError(f"{source}: not a JSON value Python can read: {exc}.") from None


def _constant_position(text: str) -> int:
    """Where the first NaN/Infinity outside a string starts (the decoder read everything before it as JSON)."""
    in_string = escaped = False
    for pos, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "NI":  # outside strings, valid JSON has letters only in true, false and null
            return pos - 1 if char == "I" and pos and text[pos - 1] == "-" else pos
    return 0



# -- where values are in a JSON text (for bundles, whose events keep their exact text) ---------------------------

# Stands for a value nested deeper than Python's reader can build; its text is still found by its span.
_TOO_DEEP = object()


def value_at(text: str, pos: int) -> tuple[object, int]:
    """The valid JSON value at pos and where it ends; `_TOO_DEEP` for the value when it cannot be built."""
    try:
        return DECODER.raw_decode(text, pos)
    except RecursionError:
        return _TOO_DEEP, value_end(text, pos)


def is_object(text: str, pos: int) -> bool:
    pos = skip_whitespace(text, pos)
    return pos < len(text) and text[pos] == "{"


def _spans(text: str, pos: int, opener: str) -> list[tuple[object, int, int]]:
    """(key, start, end) of each member of the valid JSON object at or after pos (opener "{"), or (value, start,
    end) of each item of the array there (opener "[")."""
    closer = "}" if opener == "{" else "]"
    pos = skip_whitespace(text, pos)
    assert text[pos] == opener
    found: list[tuple[object, int, int]] = []
    pos = skip_whitespace(text, pos + 1)
    if text[pos] == closer:
        return found
    while True:
        value, end = value_at(text, pos)
        if opener == "{":  # that was the key: the member's value follows its ':'
            pos = skip_whitespace(text, skip_whitespace(text, end) + 1)
            _, end = value_at(text, pos)
        found.append((value, pos, end))
        pos = skip_whitespace(text, end)
        if text[pos] == closer:
            return found
        pos = skip_whitespace(text, pos + 1)  # the ','


def members_with_spans(text: str, pos: int = 0) -> list[tuple[str, int, int]]:
    """(key, start, end) of each member of the valid JSON object starting at or after pos."""
    return [(str(key), start, end) for key, start, end in _spans(text, pos, "{")]  # keys are strings in valid JSON


def items_with_spans(text: str, pos: int) -> list[tuple[object, int, int]]:
    """(value, start, end) of each item of the valid JSON array starting at pos."""
    return _spans(text, pos, "[")


def last_span(members: list[tuple[str, int, int]], key: str) -> tuple[int, int] | None:
    """Where the member's value is; the last one wins, as in the parsed object."""
    spans = [(start, end) for member, start, end in members if member == key]
    return spans[-1] if spans else None

