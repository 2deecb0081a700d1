"""The worker's JSON against the reference: awslambdaric's Encoder (simplejson) and simplejson.loads.

The worker writes and reads plain data with the standard library's C encoder and scanner, and everything else with
simplejson: together they must give simplejson's bytes, values and error messages. Literal tests state the key facts;
comparison tests (where awslambdaric is installed) run the same values, chosen and random, through both.
"""

from __future__ import annotations

import collections
import json
import math
import random
from decimal import Decimal

import pytest

Point = collections.namedtuple("Point", "x y")


class Tagged(str):
    def __str__(self):
        return "not used"


class Count(int):
    pass


class Ratio(float):
    def __repr__(self):
        return "not used"


class WithAsdict:
    def _asdict(self):
        return {"as": "dict"}


class AsdictNotADict:
    def _asdict(self):
        return ["no"]


class AsdictTypeError:
    def _asdict(self, required):
        return {}


class ListWithAsdict(list):
    def _asdict(self):
        return {"list": "as dict"}


CHOSEN = [
    None,
    True,
    0,
    -(2**80),
    1.5,
    -0.0,
    1e16,
    1e-7,
    float("nan"),
    float("inf"),
    -float("inf"),
    "",
    "plain",
    'quote " backslash \\ slash / tab \t newline \n nul \x00 del \x7f',
    "é ☃ 😀 \u2028 \u2029 \ufeff",
    "lone \ud800 surrogate",
    b"bytes \xc3\xa9",
    b"\xff invalid",
    [],
    (),
    {},
    [1, (2, [3, {"a": (4,)}])],
    {"nested": {"deeper": [{"deepest": None}]}},
    Point(1, 2),
    [Point(Point(1, 2), [Point(3, 4)])],
    {"p": Point("a", b"b")},
    Decimal("1.10"),
    Decimal("-0"),
    Decimal("1E+2"),
    Decimal("123456789012345678901234567890.123456789"),
    Decimal("NaN"),
    Decimal("-sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    [Decimal("0.1"), {"d": Decimal("2.50")}],
    {7: "int", None: "none", 2.5: "float", True: "t", False: "f", -float("inf"): "ninf", "s": "s", b"k\xc3\xa9": "b"},
    {Count(5): Count(6), Ratio(0.5): Ratio(0.25), Tagged("k"): Tagged("v")},
    {Decimal(1): "decimal key"},
    {(1, 2): "tuple key"},
    {frozenset(): "frozenset key"},
    {1, 2},
    frozenset(),
    object(),
    range(3),
    iter([1]),
    bytearray(b"x"),
    WithAsdict(),
    [WithAsdict()],
    AsdictNotADict(),
    AsdictTypeError(),
    ListWithAsdict([1]),
    collections.OrderedDict(b=1, a=2),
    collections.defaultdict(list, a=[1]),
    Tagged("str subclass"),
    Count(7),
    Ratio(2.5),
]


def _outcome(call):
    try:
        return "ok", call()
    except Exception as exc:  # noqa: BLE001 (the error's type and message are what is compared)
        return type(exc).__name__, str(exc)


def _circular():
    loop = {"name": "loop"}
    loop["self"] = [loop]
    return loop


@pytest.fixture(params=[True, False], ids=["ensure_ascii", "utf8"])
def ensure_ascii(request) -> bool:
    return request.param


@pytest.fixture
def reference_encode(monkeypatch, ensure_ascii):
    """awslambdaric's to_json, as configured by AWS_EXECUTION_ENV (3.11 escapes non-ASCII, 3.12 does not)."""
    pytest.importorskip("awslambdaric")
    from awslambdaric.lambda_runtime_marshaller import Encoder

    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_Lambda_python3.11" if ensure_ascii else "AWS_Lambda_python3.12")
    encoder = Encoder()
    return encoder.encode


# -- literal facts (LAMBDA_SPEC section 4) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ensure_ascii", "expected"),
    [
        (None, True, "null"),
        ("str", True, '"str"'),
        ((1, (2, 3)), True, "[1, [2, 3]]"),
        ({1: "a", None: "b", 1.5: "c", True: "d"}, True, '{"1": "d", "null": "b", "1.5": "c"}'),  # noqa: F601 (True is 1)
        ({False: 0, 2: 1}, True, '{"false": 0, "2": 1}'),
        (Decimal("1.10"), True, "1.10"),
        ([Decimal("NaN"), Decimal("-Infinity"), Decimal("2E+3")], True, "[NaN, -Infinity, 2E+3]"),
        ([float("nan"), float("inf"), -float("inf")], True, "[NaN, Infinity, -Infinity]"),
        (Point(1, [2]), True, '{"x": 1, "y": [2]}'),
        ({"b": b"caf\xc3\xa9", b"k": 1}, True, '{"b": "caf\\u00e9", "k": 1}'),
        ("é😀", True, '"\\u00e9\\ud83d\\ude00"'),
        ("é😀", False, '"é😀"'),
        ("\u2028\u2029", False, '"\u2028\u2029"'),
        ({"a": ["é"]}, False, '{"a": ["é"]}'),
    ],
)
def test_to_json_writes_what_lambda_returns(runtime, value, ensure_ascii, expected):
    assert runtime.payload.to_json(value, ensure_ascii) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, "Object of type set is not JSON serializable"),
        ({(1,): 1}, "keys must be str, int, float, bool or None, not tuple"),
        ({Decimal(1): 1}, "keys must be str, int, float, bool or None, not Decimal"),
        (_circular(), "Circular reference detected"),
        (AsdictNotADict(), "_asdict() must return a dict, not list"),
    ],
)
def test_to_json_refuses_what_simplejson_refuses(runtime, value, message):
    with pytest.raises((TypeError, ValueError)) as info:
        runtime.payload.to_json(value, True)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "Expecting value: line 1 column 1 (char 0)"),
        (b'{"a": 1} x', "Extra data: line 1 column 10 - line 1 column 11 (char 9 - 10)"),
        (b"[NaN]", "Expecting value: line 1 column 2 (char 1)"),
        (b'{"a": 1,}', "Illegal trailing comma before end of object: line 1 column 8 (char 7)"),
        (b"[", "Expecting value or ']': line 1 column 2 (char 1)"),
        (b"{", "Expecting property name enclosed in double quotes or '}': line 1 column 2 (char 1)"),
        (b'"\\x"', "Invalid \\X escape sequence 'x': line 1 column 3 (char 2)"),
        (b'"a\nb"', "Invalid control character '\\n' at: line 1 column 3 (char 2)"),
        (b"\xff", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
    ],
)
def test_loads_gives_simplejsons_messages(runtime, document, message):
    with pytest.raises(ValueError) as info:
        runtime.payload.loads_event(document)
    assert str(info.value) == message


def test_loads_reads_what_simplejson_reads(runtime):
    assert runtime.payload.loads_event(b'\xef\xbb\xbf {"a": [1, 2.5, "\\u00e9", null, true]}\n') == {
        "a": [1, 2.5, "é", None, True]
    }
    assert runtime.payload.loads_event(b"12345678901234567890") == 12345678901234567890


# -- against the reference ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", CHOSEN, ids=[f"{i}-{type(v).__name__}" for i, v in enumerate(CHOSEN)])
def test_to_json_matches_awslambdaric(runtime, reference_encode, ensure_ascii, value):
    assert _outcome(lambda: runtime.payload.to_json(value, ensure_ascii)) == _outcome(lambda: reference_encode(value))


def test_to_json_matches_awslambdaric_on_cycles_and_depth(runtime, reference_encode, ensure_ascii):
    deep = current = []
    for _ in range(50_000):
        current.append([])
        current = current[0]
    moderate = current = {}
    for _ in range(400):
        current["k"] = {}
        current = current["k"]
    for value in (_circular(), deep, moderate):
        assert _outcome(lambda v=value: runtime.payload.to_json(v, ensure_ascii)) == _outcome(
            lambda v=value: reference_encode(v)
        )


def _random_value(rng: random.Random, depth: int = 0):
    scalars = [
        lambda: None,
        lambda: rng.random() < 0.5,
        lambda: rng.randint(-(2**70), 2**70),
        lambda: rng.choice([0.0, -0.0, math.nan, math.inf, -math.inf, rng.uniform(-1e6, 1e6), rng.random() * 1e-300]),
        lambda: "".join(
            chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x10FFFF)])) for _ in range(rng.randint(0, 8))
        ),
        lambda: rng.choice([b"ascii", "é".encode(), b"\xff", b""]),
        lambda: Decimal(rng.choice(["1.10", "-0.000", "1E+5", "NaN", "-Infinity", str(rng.random())])),
    ]
    if depth > 3 or rng.random() < 0.4:
        return rng.choice(scalars)()
    kind = rng.randrange(5)
    items = [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == 0:
        return items
    if kind == 1:
        return tuple(items)
    if kind == 2 and len(items) >= 2:
        return Point(items[0], items[1])
    keys = [rng.choice(["k", "é", 1, 2.5, None, True, b"b", "x" * rng.randint(0, 3)]) for _ in items]
    if rng.random() < 0.05:
        keys.append((1,))
        items.append(1)
    return dict(zip(keys, items, strict=True))


def test_to_json_matches_awslambdaric_on_random_values(runtime, reference_encode, ensure_ascii):
    rng = random.Random(20261122)
    for _ in range(3000):
        value = _random_value(rng)
        assert _outcome(lambda v=value: runtime.payload.to_json(v, ensure_ascii)) == _outcome(
            lambda v=value: reference_encode(v)
        )


def _same(a, b) -> bool:
    """Equal as decoded JSON, NaN included."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


DOCUMENTS = [
    b'{"a": 1}',
    b'  [1, 2.5e3, -0, -0.0, 1E400, "x", {}, [], true, false, null]  \n',
    b'"\\ud834\\udd1e \\ud800 \\u00e9 \\/ \\b\\f\\n\\r\\t"',
    '{"dup": 1, "dup": 2, "é": "é"}'.encode(),
    b"\xef\xbb\xbf{}",
    "\ufeff\ufeff{}".encode(),
    "ï»¿{}".encode(),
    b"1" * 5000,
    b"[" * 50_000,
    b'{"a":' * 50_000,
    b"[" * 300 + b"]" * 300,
]


def test_loads_matches_simplejson(runtime):
    simplejson = pytest.importorskip("simplejson")
    rng = random.Random(7)
    documents = list(DOCUMENTS)
    alphabet = b' \t\n\r{}[],:"\\/-+.eE0123456789abfnrtuNIy\x00\x1f\xc3\xa9\xff'
    for _ in range(4000):
        base = bytearray(rng.choice(DOCUMENTS[:5] + [json.dumps(_json_safe(rng)).encode()]))
        for _ in range(rng.randint(1, 3)):
            position = rng.randint(0, len(base))
            if rng.random() < 0.5 and base:
                del base[min(position, len(base) - 1)]
            else:
                base.insert(position, rng.choice(alphabet))
        documents.append(bytes(base))
    for document in documents:
        mine = _outcome(lambda d=document: runtime.payload.loads_event(d))
        theirs = _outcome(lambda d=document: simplejson.loads(d))
        assert mine[0] == theirs[0], document
        assert _same(mine[1], theirs[1]) if mine[0] == "ok" else mine[1] == theirs[1], document


def _json_safe(rng: random.Random):
    value = _random_value(rng)
    return json.loads(json.dumps(value, default=str, skipkeys=True))


def test_loads_stdlib_matches_json_loads(runtime):
    texts = ['{"custom": {"a": 1}}', "[NaN, Infinity]", "{custom: 1}", "", "\ufeff{}", '{"a": 1} x', " 1 ", '"\\x"']
    for text in texts:
        mine = _outcome(lambda t=text: runtime.payload.loads_header(t))
        theirs = _outcome(lambda t=text: json.loads(t))
        assert mine[0] == theirs[0], text
        assert _same(mine[1], theirs[1]) if mine[0] == "ok" else mine[1] == theirs[1], text
