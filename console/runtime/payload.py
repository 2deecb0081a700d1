"""Events in, results out: JSON as Lambda's Python runtime reads and writes it, with simplejson.

Lambda's runtime encodes results with simplejson (`allow_nan=True`; a `Decimal` written as its exact digits, a NaN
`Decimal` as `NaN`; `ensure_ascii` only before python3.12) and decodes events with `simplejson.loads`. simplejson
ships beside the runtime client in Lambda's `/var/runtime`, and so in the worker's runtime library folder.

Importing simplejson costs a cold start several milliseconds (it brings `re` and `decimal`), while almost every event
and result is plain data: dicts, lists, str, int, float, bool and None. For those the standard library's C encoder
and scanner (`_json`, built in, already loaded) give simplejson's very bytes and values, so simplejson is imported
the first time something is not plain: a Decimal, a namedtuple, bytes, a subclass, a cycle, or a document that does
not parse (its error message must be simplejson's).
"""

from __future__ import annotations

import _json

from .errors import MARSHAL_ERROR, UNMARSHAL_ERROR, RuntimeFault
from .process import getenv

# On these runtimes Lambda writes non-ASCII characters as they are; on older ones it escapes them.
NON_ASCII_RUNTIMES = frozenset(
    {"AWS_Lambda_python3.12", "AWS_Lambda_python3.13", "AWS_Lambda_python3.14", "AWS_Lambda_python3.15"}
)

_SCALARS = frozenset({str, int, float, bool, type(None)})
_CONTAINERS = frozenset({dict, list, tuple})
_PLAIN = _SCALARS | _CONTAINERS
_WHITESPACE = " \t\n\r"


def escapes_non_ascii() -> bool:
    """Whether this runtime escapes non-ASCII characters in JSON, from AWS_EXECUTION_ENV as it is now."""
    return getenv("AWS_EXECUTION_ENV") not in NON_ASCII_RUNTIMES


def _plain(value: object) -> bool:
    """True if value is made only of exact dicts, lists, tuples, str, int, float, bool and None (keys included).

    Each container is visited once, so a cycle ends the walk (the encoder then reports it)."""
    if type(value) in _SCALARS:
        return True
    if type(value) not in _CONTAINERS:
        return False
    pending: list = [value]
    visited = {id(value)}
    while pending:
        container = pending.pop()
        if type(container) is dict:
            if not _SCALARS.issuperset(map(type, container)):
                return False
            members = container.values()
        else:
            members = container
        kinds = set(map(type, members))
        if not _PLAIN.issuperset(kinds):
            return False
        if kinds & _CONTAINERS:
            for member in members:
                if type(member) in _CONTAINERS and id(member) not in visited:
                    visited.add(id(member))
                    pending.append(member)
    return True


def _no_default(value: object) -> object:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _simplejson():
    import simplejson  # type: ignore[import-untyped]

    return simplejson


def _decimal_or_refuse(value: object) -> object:
    """What simplejson writes for a value it has no rule of its own for: a Decimal's digits, exactly as they are."""
    import decimal

    if isinstance(value, decimal.Decimal):
        return float("nan") if value.is_nan() else _simplejson().RawJSON(str(value))
    return _no_default(value)


_encoders: dict = {}


def _simplejson_encoder(ensure_ascii: bool):
    encoder = _encoders.get(ensure_ascii)
    if encoder is None:
        encoder = _encoders[ensure_ascii] = _simplejson().JSONEncoder(
            ensure_ascii=ensure_ascii, allow_nan=True, use_decimal=False, default=_decimal_or_refuse
        )
    return encoder


def to_json(value: object, ensure_ascii: bool) -> str:
    """value as Lambda's runtime writes it."""
    quote = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    if type(value) is str:
        return quote(value)
    if _plain(value):
        # simplejson's separators and number forms; a new markers dict each time, to find cycles as simplejson does.
        encode = _json.make_encoder({}, _no_default, quote, None, ": ", ", ", False, False, True)
        return "".join(encode(value, 0))
    return _simplejson_encoder(ensure_ascii).encode(value)


class _ScanSettings:
    """The attributes `_json.make_scanner` reads from a decoder: strict, no hooks, plain int and float."""

    def __init__(self, parse_constant) -> None:
        self.strict = True
        self.object_hook = None
        self.object_pairs_hook = None
        self.parse_float = float
        self.parse_int = int
        self.parse_constant = parse_constant
        self.memo: dict = {}


class _NotPlain(Exception):
    """A constant (NaN, Infinity) simplejson refuses: the document goes to simplejson for its error."""


def _refuse_constant(name: str) -> object:
    raise _NotPlain(name)


_NAN_AND_INFINITIES = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
# make_scanner reads its settings from any object's attributes; typeshed expects its own decoder class.
_event_scanner = _json.make_scanner(_ScanSettings(_refuse_constant))  # type: ignore[arg-type]
_header_scanner = _json.make_scanner(_ScanSettings(_NAN_AND_INFINITIES.__getitem__))  # type: ignore[arg-type]


def _skip(text: str, index: int) -> int:
    end = len(text)
    while index < end and text[index] in _WHITESPACE:
        index += 1
    return index


def _scan_whole(scanner, text: str) -> tuple:
    """(True, value) if text is one JSON document the scanner reads, else (False, None)."""
    try:
        value, end = scanner(text, _skip(text, 0))
    except Exception:  # noqa: BLE001 (any refusal sends the document to the full decoder, for its message)
        return False, None
    return _skip(text, end) == len(text), value


def loads_event(data: bytes) -> object:
    """`simplejson.loads(data)`: an event as Lambda's runtime reads it (NaN and Infinity refused)."""
    try:
        text = str(data, "utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and text[0] not in "\ufeff\xef":  # byte order marks, and their misreadings, are simplejson's to handle
        ok, value = _scan_whole(_event_scanner, text)
        if ok:
            return value
    return _simplejson().loads(data)


def loads_header(text: str) -> object:
    """`json.loads(text)` of the standard library: how the runtime reads the client context and Cognito headers."""
    if not text.startswith("\ufeff"):
        ok, value = _scan_whole(_header_scanner, text)
        if ok:
            return value
    import json

    return json.loads(text)


class Marshaller:
    """Reads events and writes results, deciding non-ASCII escaping once, when the runtime starts."""

    def __init__(self) -> None:
        self.ensure_ascii = escapes_non_ascii()

    def read_event(self, body: bytes, content_type: str | None) -> object:
        """The handler's event: JSON decoded, anything else given as the bytes it is."""
        if content_type != "application/json":
            return body
        try:
            return loads_event(body)
        except Exception as e:  # noqa: BLE001 (whatever the decoder raises, Lambda reports an UnmarshalError)
            raise RuntimeFault(UNMARSHAL_ERROR, f"Unable to unmarshal input: {e}") from None

    def write_result(self, result: object) -> tuple:
        """(body, content type): bytes are passed through, anything else is written as JSON text."""
        if isinstance(result, bytes):
            return result, "application/unknown"
        try:
            return to_json(result, self.ensure_ascii), "application/json"
        except Exception as e:  # noqa: BLE001 (whatever the encoder raises, Lambda reports a MarshalError)
            raise RuntimeFault(MARSHAL_ERROR, f"Unable to marshal response: {e}") from None

