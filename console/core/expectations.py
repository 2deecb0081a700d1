"""Expectations: what a saved event's invocation must produce, so that a saved event is a regression test.

An expectation holds up to three checks, at least one:

- `response`: JSON matched as a subset of the response (console.core.json_match: Jest's `toMatchObject` rule), so
  `{"errorType": "KeyError"}` expects that failure whatever the stack trace says. Kept as the text written.
- `function_error`: True when the invocation must fail (Lambda's FunctionError), False when it must succeed, None when
  either will do.
- `max_duration_ms`: the longest the invocation may take (its Duration, as the REPORT line gives it).

Expectations are stored beside their saved event (one row per event, deleted with it, kept across a rename) and are
written to files as `<name>.expected.json` (console.core.event_transfer), in the form `expectation_file_text` writes::

    {"response": {"statusCode": 200}, "functionError": false, "maxDurationMs": 500}
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field
from typing import Protocol

from console.core.clock import now_iso
from console.core.event_json import (
    JSON_WHITESPACE,
    EventError,
    check_size,
    event_text,
    last_span,
    members_with_spans,
    parse_json,
)
from console.core.history import InvocationRecord
from console.core.json_match import Difference, differences
from console.core.store import Store

FILE_KEYS = ("response", "functionError", "maxDurationMs")
# The most a duration check may allow: Lambda's longest timeout, 15 minutes.
MAX_DURATION_MS = 900_000.0
# The members of a failure that "Save as expected" keeps: the stack trace and request id change on every run.
KEPT_ERROR_KEYS = ("errorType", "errorMessage")
# A diff lists this many differences at most (a 6 MB response can differ in a million places).
SHOWN_DIFFERENCES = 100


class ExpectationError(ValueError):
    """An expectation that cannot be accepted; `field` is "response", "outcome", "max_duration" or "event"."""

    def __init__(self, message: str, field: str = "response", *, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Expectation:
    """What a saved event's invocation must produce."""

    response: str | None = None  # JSON text of the expected subset, as written; None: the response is not checked
    function_error: bool | None = None  # True: must fail; False: must succeed; None: either
    max_duration_ms: float | None = None
    updated_at: str = ""

    @property
    def expected(self) -> object:
        """The expected response as a value (None also for `null`: see `response`)."""
        return None if self.response is None else json.loads(self.response)

    @property
    def outcome(self) -> str:
        """"failure", "success" or "any": the form's and the files' word for `function_error`."""
        return {True: "failure", False: "success", None: "any"}[self.function_error]

    @property
    def max_duration_text(self) -> str:
        """The maximum duration as a person types it (`250`, `12.5`), empty when there is none."""
        return "" if self.max_duration_ms is None else _number(self.max_duration_ms)

    def file_text(self) -> str:
        """The `<name>.expected.json` text: the response's own text kept as written."""
        parts = []
        if self.response is not None:
            parts.append(f'  "response": {self.response.strip(JSON_WHITESPACE)}')
        if self.function_error is not None:
            parts.append(f'  "functionError": {json.dumps(self.function_error)}')
        if self.max_duration_ms is not None:
            parts.append(f'  "maxDurationMs": {_number(self.max_duration_ms)}')
        return "{\n" + ",\n".join(parts) + "\n}\n"


@dataclass(frozen=True)
class Verdict:
    """An invocation checked against an expectation: what did not match, empty when it passed."""

    differences: tuple[Difference, ...] = ()
    problems: tuple[str, ...] = field(default=())  # outcome and duration, one sentence each

    @property
    def passed(self) -> bool:
        return not self.differences and not self.problems

    def diff_text(self) -> str:
        """The readable diff: the problems, then one line per difference (the first SHOWN_DIFFERENCES of them)."""
        lines = [difference.describe() for difference in self.differences[:SHOWN_DIFFERENCES]]
        if len(self.differences) > SHOWN_DIFFERENCES:
            lines.append(f"... and {len(self.differences) - SHOWN_DIFFERENCES} more differences")
        return "\n".join([*self.problems, *lines])


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# -- checks -----------------------------------------------------------------------------------------------------


def check_expectation(response: str | None, outcome: str = "any", max_duration: str | float | None = None) -> \
        Expectation:
    """An expectation from what a person typed: response JSON (blank: not checked), "any"/"success"/"failure", and a
    maximum duration in milliseconds (blank: none). ExpectationError names the field and what to do."""
    text = None
    if response is not None and response.strip(" \t\r\n"):
        try:
            text = event_text(response, "Expected response")
            check_size(len(text.encode("utf-8", "surrogatepass")), "Expected response")
            parse_json(text, "Expected response")
        except EventError as exc:
            raise ExpectationError(str(exc), "response", line=exc.line, column=exc.column) from None
    if outcome not in ("any", "success", "failure"):
        raise ExpectationError(f"Outcome {outcome!r}: choose any, success or failure.", "outcome")
    function_error = {"any": None, "success": False, "failure": True}[outcome]
    duration = _duration(max_duration)
    if text is None and function_error is None and duration is None:
        raise ExpectationError("An expectation checks something: give the expected response, whether the invocation "
                               "must succeed or fail, or a maximum duration (or clear the expectation).", "response")
    return Expectation(text, function_error, duration)


def _duration(value: str | float | None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    todo = f"Give a number of milliseconds above 0 and at most {int(MAX_DURATION_MS)} (15 minutes), or leave it blank."
    if isinstance(value, bool):
        raise ExpectationError(f"Maximum duration {value!r} is not a number. {todo}", "max_duration")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ExpectationError(f"Maximum duration {str(value)[:40]!r} is not a number. {todo}",
                               "max_duration") from None
    if not math.isfinite(number) or not 0 < number <= MAX_DURATION_MS:
        raise ExpectationError(f"Maximum duration {_number(number) if math.isfinite(number) else value}: out of "
                               f"range. {todo}", "max_duration")
    return number


def read_expectation_file(text: str | bytes, source: str) -> Expectation:
    """An `<name>.expected.json` file's expectation; ExpectationError says what is wrong, starting with `source`."""
    try:
        body = event_text(text, source)
        value = parse_json(body, source)
    except EventError as exc:
        raise ExpectationError(str(exc), "response", line=exc.line, column=exc.column) from None
    if not isinstance(value, dict) or not value:
        raise ExpectationError(f'{source}: must be an object with "response", "functionError" and/or '
                               f'"maxDurationMs", like {{"response": {{"statusCode": 200}}}}.')
    unknown = sorted(set(value) - set(FILE_KEYS))
    if unknown:
        raise ExpectationError(f"{source}: unknown key {unknown[0]!r}: an expectation file holds only "
                               f"{', '.join(FILE_KEYS)}.")
    error = value.get("functionError")
    if error is not None and not isinstance(error, bool):
        raise ExpectationError(f'{source}: "functionError" must be true (the invocation must fail) or false (it '
                               "must succeed).", "outcome")
    # The response's own text is kept as written in the file, as an event's is.
    span = last_span(members_with_spans(body), "response")
    response = None if span is None else body[span[0] : span[1]]
    outcome = {None: "any", True: "failure", False: "success"}[error]
    try:
        return check_expectation(response, outcome, value.get("maxDurationMs"))
    except ExpectationError as exc:
        raise ExpectationError(f"{source}: {exc}", exc.field) from None


def expectation_from(record: InvocationRecord) -> Expectation:
    """"Save as expected": a success's whole response and that it must succeed; a failure's errorType and
    errorMessage (its stack trace and request id differ on every run) and that it must fail."""
    try:
        value = json.loads(record.payload)
    except (ValueError, RecursionError):
        raise ExpectationError("This response is not JSON that can be read back here, so it cannot be the expected "
                               "response: write the expectation by hand instead.") from None
    if not record.succeeded and isinstance(value, dict):
        value = {key: value[key] for key in KEPT_ERROR_KEYS if key in value}
    return Expectation(json.dumps(value, indent=2, ensure_ascii=False), function_error=not record.succeeded)


def same_json(left: str, right: str) -> bool:
    """Whether two JSON texts hold the same value (formatting aside); texts that cannot be read are compared as text."""
    try:
        return not differences(json.loads(left), json.loads(right), whole=True)
    except (ValueError, RecursionError):
        return left.strip() == right.strip()


class Invoked(Protocol):
    """What a check reads of an invocation: a local one's record, or a remote one's answer."""

    @property
    def succeeded(self) -> bool: ...

    @property
    def payload(self) -> bytes: ...

    @property
    def error_type(self) -> str | None: ...

    @property
    def duration_ms(self) -> float: ...


def verdict(expectation: Expectation, record: Invoked) -> Verdict:
    """Check one invocation against the expectation."""
    problems = []
    if expectation.function_error is True and record.succeeded:
        problems.append("outcome: expected the invocation to fail, it succeeded")
    elif expectation.function_error is False and not record.succeeded:
        problems.append(f"outcome: expected the invocation to succeed, it failed ({record.error_type or 'Unhandled'})")
    if expectation.max_duration_ms is not None and record.duration_ms > expectation.max_duration_ms:
        problems.append(f"duration: {record.duration_ms:.2f} ms, more than the {_number(expectation.max_duration_ms)}"
                        " ms allowed")
    found: tuple[Difference, ...] = ()
    if expectation.response is not None:
        try:
            actual = json.loads(record.payload)
        except (ValueError, RecursionError):
            actual = record.payload.decode("utf-8", "replace")
            problems.append("response: not JSON that can be read, compared as text")
        try:
            found = tuple(differences(expectation.expected, actual))
        except RecursionError:
            problems.append("response: nested too deeply to compare")
    return Verdict(found, tuple(problems))


# -- storage ----------------------------------------------------------------------------------------------------


def _from_row(row: sqlite3.Row) -> Expectation:
    error = row["function_error"]
    return Expectation(row["response"], None if error is None else bool(error), row["max_duration_ms"],
                       row["updated_at"])


class ExpectationStore:
    """The expectations of saved events, in the console's database (the `expectations` table)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, function: str, event: str) -> Expectation | None:
        row = self._store.query_one(
            "SELECT x.* FROM expectations x JOIN events e ON e.id = x.event_id WHERE e.function = ? AND e.name = ?",
            (function, event))
        return None if row is None else _from_row(row)

    def for_function(self, function: str) -> dict[str, Expectation]:
        """The function's expectations by event name."""
        rows = self._store.query(
            "SELECT e.name AS event, x.* FROM expectations x JOIN events e ON e.id = x.event_id WHERE e.function = ?",
            (function,))
        return {row["event"]: _from_row(row) for row in rows}

    def set(self, function: str, event: str, expectation: Expectation) -> Expectation:
        """Set (or replace) the event's expectation; ExpectationError when the function has no such event."""
        with self._store.write() as conn:
            set_in(conn, function, event, expectation)
        found = self.get(function, event)
        if found is None:
            raise ExpectationError(f"Function {function} has no saved event named {event!r}.", "event")
        return found

    def clear(self, function: str, event: str) -> bool:
        """Remove the event's expectation; False when it had none."""
        with self._store.write() as conn:
            cursor = conn.execute(
                "DELETE FROM expectations WHERE event_id = (SELECT id FROM events WHERE function = ? AND name = ?)",
                (function, event))
        return cursor.rowcount > 0


def set_in(conn: sqlite3.Connection, function: str, event: str, expectation: Expectation) -> None:
    """Write the expectation inside the caller's transaction (an import stores events and expectations together)."""
    error = None if expectation.function_error is None else int(expectation.function_error)
    conn.execute(
        "INSERT INTO expectations (event_id, response, function_error, max_duration_ms, updated_at)"
        " SELECT id, ?, ?, ?, ? FROM events WHERE function = ? AND name = ?"
        " ON CONFLICT (event_id) DO UPDATE SET response = excluded.response,"
        " function_error = excluded.function_error, max_duration_ms = excluded.max_duration_ms,"
        " updated_at = excluded.updated_at",
        (expectation.response, error, expectation.max_duration_ms, now_iso(), function, event))
