"""Asynchronous invocation settings (Lambda's EventInvokeConfig) of a function or one of its qualifiers: how many
times the Event queue retries a failed invocation (MaximumRetryAttempts, 0 to 2; Lambda's default 2) and how old an
event may get before the queue discards it instead of trying it (MaximumEventAgeInSeconds, 60 to 21600; Lambda's
default 6 hours). DestinationConfig is kept as given; the console sends nothing to destinations."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from console.core.function_settings import ConstraintError
from console.core.functions import FunctionError
from console.core.store import Store

DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21_600
_UNSET = object()


class EventInvokeConfigNotFound(KeyError):
    """The function's qualifier has no asynchronous invocation settings."""

    def __init__(self, function: str, qualifier: str) -> None:
        super().__init__(function, qualifier)
        self.function = function
        self.qualifier = qualifier


@dataclass(frozen=True)
class EventInvokeConfig:
    function: str
    qualifier: str
    maximum_retry_attempts: int | None
    maximum_event_age: int | None
    destination: dict = field(default_factory=dict)
    last_modified: float = 0.0  # seconds since the epoch

    @property
    def retries(self) -> int:
        return DEFAULT_RETRIES if self.maximum_retry_attempts is None else self.maximum_retry_attempts

    @property
    def max_age(self) -> int:
        return DEFAULT_MAX_AGE if self.maximum_event_age is None else self.maximum_event_age


def _whole(value: object, path: str, least: int, most: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FunctionError(f"{path} must be a whole number from {least} to {most}, not {value!r}.", path)
    if value < least:
        raise ConstraintError(value, path, f"Member must have value greater than or equal to {least}")
    if value > most:
        raise ConstraintError(value, path, f"Member must have value less than or equal to {most}")
    return value


def _destination(value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - {"OnSuccess", "OnFailure"}:
        raise FunctionError('DestinationConfig must be {"OnSuccess": {"Destination": ARN}, "OnFailure": {...}}.',
                            "destinationConfig")
    return value


class EventInvokeConfigs:
    """The settings in the database, one row per function and qualifier; they go with their function."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def put(self, function: str, qualifier: str, *, retries: object = _UNSET, max_age: object = _UNSET,
            destination: object = _UNSET, replace: bool = True) -> EventInvokeConfig:
        """Set the settings: `replace` (Put) resets what is not given; otherwise (Update) only what is given changes."""
        with self._store.write() as conn:
            row = conn.execute("SELECT * FROM event_invoke_configs WHERE function = ? AND qualifier = ?",
                               (function, qualifier)).fetchone()
            current = _from_row(row) if row is not None and not replace else None

            def pick(given: object, old: object) -> object:
                return given if given is not _UNSET else old

            values = (
                _whole(pick(retries, current and current.maximum_retry_attempts), "maximumRetryAttempts", 0, 2),
                _whole(pick(max_age, current and current.maximum_event_age), "maximumEventAgeInSeconds", 60, 21_600),
                json.dumps(_destination(pick(destination, current.destination if current else None))),
                time.time(),
            )
            conn.execute(
                "INSERT OR REPLACE INTO event_invoke_configs (function, qualifier, maximum_retry_attempts,"
                " maximum_event_age, destination, last_modified) VALUES (?, ?, ?, ?, ?, ?)",
                (function, qualifier, *values),
            )
        return self.get(function, qualifier)

    def get(self, function: str, qualifier: str) -> EventInvokeConfig:
        row = self._store.query_one("SELECT * FROM event_invoke_configs WHERE function = ? AND qualifier = ?",
                                    (function, qualifier))
        if row is None:
            raise EventInvokeConfigNotFound(function, qualifier)
        return _from_row(row)

    def find(self, function: str, qualifier: str) -> EventInvokeConfig | None:
        try:
            return self.get(function, qualifier)
        except EventInvokeConfigNotFound:
            return None

    def all(self, function: str) -> list[EventInvokeConfig]:
        rows = self._store.query("SELECT * FROM event_invoke_configs WHERE function = ? ORDER BY qualifier",
                                 (function,))
        return [_from_row(row) for row in rows]

    def forget(self, function: str, qualifier: str) -> None:
        """Remove the settings of a qualifier that is gone (a deleted version or alias), if it had any."""
        with self._store.write() as conn:
            conn.execute("DELETE FROM event_invoke_configs WHERE function = ? AND qualifier = ?", (function, qualifier))

    def delete(self, function: str, qualifier: str) -> None:
        with self._store.write() as conn:
            if conn.execute("DELETE FROM event_invoke_configs WHERE function = ? AND qualifier = ?",
                            (function, qualifier)).rowcount == 0:
                raise EventInvokeConfigNotFound(function, qualifier)


def _from_row(row) -> EventInvokeConfig:
    return EventInvokeConfig(row["function"], row["qualifier"], row["maximum_retry_attempts"],
                             row["maximum_event_age"], json.loads(row["destination"]), row["last_modified"])
