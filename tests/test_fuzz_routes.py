"""Random bytes, random JSON and hostile form fields against every route of the application: never a 500, never a
stack trace of the console's own, never a file written outside the data folder.

The routes are read from the application's URL map, so a route added later is covered without editing this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console import EXTENSION, create_app

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Strings JSON escapes but pages and headers cannot carry as they are: lone surrogates, control characters.
HOSTILE_TEXT = st.text(alphabet=st.sampled_from(["\udc80", "\ud83d", "\x00", "\r", "\n", "\x1b", "a"]), max_size=6)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | HOSTILE_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
# Values a path segment might be: real names, hostile ones, encoded ones.
SEGMENTS = st.one_of(
    st.sampled_from(["hello_python", "nope", "..", "%2e%2e", "a:1", "hello_python:$LATEST", "hello_python:99",
                     "arn:aws:lambda:us-east-1:123456789012:function:hello_python", "x" * 200, "ü", "1",
                     "99999999999999999999999", "hello_python:99999999999999999999999", "\u00b2"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), min_size=1,
            max_size=20),
)
# Text a form field may hold: JSON nested deeper than Python reads, escaped lone surrogates, control characters.
FIELD_TEXT = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=1, max_value=3000).map(lambda depth: "[" * depth + "]" * depth),
    HOSTILE_TEXT.map(json.dumps),
    # As a browser sends: control characters, no lone surrogates (drawn without them rather than filtered out).
    st.text(alphabet=st.sampled_from(["\x00", "\r", "\n", "\x1b", "a"]), max_size=6),
)
FIELDS = ("event_json", "name", "handler", "timeout", "memory", "environment", "description", "event", "event_name", "body",
          "runtime", "runtime_client", "package", "template", "new_name", "FunctionName", "Handler", "Runtime",
          "Timeout", "MemorySize", "Role", "Code", "Payload")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    app = create_app({"TESTING": True, "DATA_DIR": root / "data"})
    app.config["FUZZ_ROOT"] = root
    yield app
    app.extensions[EXTENSION].close()


def _routes(app) -> list[tuple[str, str, list[str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule, [arg for arg in rule.arguments]))
    return routes


def _fill(rule: str, values: list[str]) -> str:
    """The rule with its placeholders filled: numbers where it takes <int:...>, so the view is reached."""
    from urllib.parse import quote

    parts = iter(values)

    def value(match: re.Match) -> str:
        drawn = next(parts, "x")
        if match.group(0).startswith("<int:"):
            if drawn.isascii() and drawn.isdigit():
                return drawn  # as drawn: numbers beyond SQLite's integers too
            return str(sum(map(ord, drawn)) % 5)  # 0 to 4: recorded entries and missing ones
        return quote(drawn, safe="")

    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", value, rule)


def _assert_sane(app, response, where: str) -> None:
    assert response.status_code < 500, f"{where} answered {response.status_code}: {response.data[:300]!r}"
    assert b"Traceback (most recent call last)" not in response.data, where
    root: Path = app.config["FUZZ_ROOT"]
    outside = sorted(p.name for p in root.iterdir() if p.name != "data")
    assert outside == [], f"{where} wrote outside the data folder: {outside}"


def test_every_route_is_covered(app):
    routes = _routes(app)
    assert any(rule.startswith("/2015-03-31/") for _, rule, _ in routes)
    assert len(routes) >= 10


@FUZZ
@given(data=st.data())
def test_random_bodies_never_break_a_route(app, data):
    client = app.test_client()
    for method, rule, args in _routes(app):
        path = _fill(rule, [data.draw(SEGMENTS) for _ in args])
        kind = data.draw(st.sampled_from(["bytes", "json", "form", "empty"]))
        headers = {"Host": "127.0.0.1:8000"}
        if kind == "bytes":
            response = client.open(path, method=method, data=data.draw(st.binary(max_size=300)), headers=headers)
        elif kind == "json":
            body = json.dumps(data.draw(JSON_VALUES)).encode()
            response = client.open(path, method=method, data=body, headers={**headers, "Content-Type": "application/json"})
        elif kind == "form":
            form = {name: data.draw(FIELD_TEXT) for name in data.draw(st.lists(st.sampled_from(FIELDS),
                                                                                         max_size=5, unique=True))}
            response = client.open(path, method=method, data=form, headers=headers)
        else:
            response = client.open(path, method=method, headers=headers)
        _assert_sane(app, response, f"{method} {path} ({kind})")


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["Qualifier", "Marker", "MaxItems", "tab", "event", "template", "page",
                                              "FunctionVersion", "token"]),
                             st.text(max_size=20) | st.sampled_from(["9" * 23, "9" * 4400, "\u00b2", "\r\n"]),
                             max_size=4))
def test_random_query_strings_never_break_a_page(app, query):
    client = app.test_client()
    for method, rule, args in _routes(app):
        if method != "GET":
            continue
        response = client.get(_fill(rule, ["hello_python"] * len(args)), query_string=query,
                              headers={"Host": "127.0.0.1:8000"})
        _assert_sane(app, response, f"GET {rule}?{query}")
