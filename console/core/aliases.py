"""Aliases: named pointers to a function's version (`live` -> 3), optionally splitting invocations between that version
and one more by weight (RoutingConfig.AdditionalVersionWeights), as Lambda's weighted aliases do.

An alias name is what Lambda allows (letters, digits, `-` and `_`, 1 to 128 characters, not all digits), so a
qualifier is a version number, `$LATEST`, or an alias name, never ambiguous. A published version an alias points to
cannot be deleted: Lambda's ResourceConflictException says which aliases hold it.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import uuid
from dataclasses import dataclass, field

from console.core.function_rules import LATEST, FunctionError, FunctionNotFound
from console.core.store import Store

ALIAS_PATTERN = r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
_ALIAS = re.compile(ALIAS_PATTERN)
MAX_ALIAS_NAME = 128
MAX_ALIAS_DESCRIPTION = 256


class AliasNotFound(KeyError):
    def __init__(self, function: str, name: str) -> None:
        super().__init__(name)
        self.function, self.name = function, name


class AliasExists(FunctionError):
    def __init__(self, function: str, name: str) -> None:
        super().__init__(f"Alias already exists: {function}:{name}", "alias")
        self.function, self.name = function, name


class VersionInUse(FunctionError):
    """A published version that aliases point to: Lambda refuses to delete it."""

    def __init__(self, aliases: list[str]) -> None:
        super().__init__(
            f"Unable to delete version because the following aliases reference it: [{', '.join(aliases)}]", "version"
        )
        self.aliases = aliases


@dataclass(frozen=True)
class Alias:
    function: str
    name: str
    version: str
    description: str = ""
    weights: dict[str, float] = field(default_factory=dict)  # AdditionalVersionWeights: version -> share
    revision_id: str = ""


def is_alias_name(qualifier: str) -> bool:
    return qualifier != LATEST and bool(_ALIAS.fullmatch(qualifier)) and not qualifier.isdigit()


def check_alias_name(name: object) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_ALIAS_NAME or not is_alias_name(name):
        raise FunctionError(
            f"Alias name {name!r} must be 1 to {MAX_ALIAS_NAME} letters, digits, - or _, and not only digits.",
            "alias",
        )
    return name


def _row(row: sqlite3.Row) -> Alias:
    return Alias(row["function"], row["name"], row["version"], row["description"], json.loads(row["routing"]),
                 row["revision_id"])


class AliasStore:
    """The aliases of every function, in the database (deleted with their function)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _check_version(self, conn: sqlite3.Connection, function: str, version: object, *, weighted: bool) -> str:
        if not isinstance(version, str) or not version:
            raise FunctionError("FunctionVersion is required: a published version number or $LATEST.", "version")
        if version == LATEST:
            if weighted:
                raise FunctionError("An alias that splits traffic by weight points to published versions, not "
                                    "$LATEST: publish a version first.", "version")
            return version
        if not (version.isascii() and version.isdigit()) or conn.execute(
            "SELECT 1 FROM versions WHERE function = ? AND version = ?", (function, int(version[:19]))
        ).fetchone() is None:
            raise FunctionNotFound(function, version)
        return str(int(version))

    def _check_weights(self, conn: sqlite3.Connection, function: str, primary: str, weights: object) -> dict:
        if weights is None:
            return {}
        if not isinstance(weights, dict) or len(weights) > 1:
            raise FunctionError("AdditionalVersionWeights names at most one more version, with its share of the "
                                "invocations from 0.0 to 1.0.", "routing")
        checked = {}
        for version, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0.0 <= weight <= 1.0:
                raise FunctionError(f"The weight of version {version} must be from 0.0 to 1.0, not {weight!r}.",
                                    "routing")
            checked[self._check_version(conn, function, version, weighted=True)] = float(weight)
        if primary in checked:
            raise FunctionError(f"Version {primary} is the alias's own: the additional version must be another.",
                                "routing")
        return checked

    def _function_exists(self, conn: sqlite3.Connection, function: str) -> None:
        if conn.execute("SELECT 1 FROM functions WHERE name = ?", (function,)).fetchone() is None:
            raise FunctionNotFound(function)

    def create(self, function: str, name: str, version: str, description: str = "",
               weights: dict[str, float] | None = None) -> Alias:
        check_alias_name(name)
        description = _check_description(description)
        with self._store.write() as conn:
            self._function_exists(conn, function)
            if conn.execute("SELECT 1 FROM aliases WHERE function = ? AND name = ?", (function, name)).fetchone():
                raise AliasExists(function, name)
            weighted = bool(weights)
            version = self._check_version(conn, function, version, weighted=weighted)
            checked = self._check_weights(conn, function, version, weights)
            conn.execute(
                "INSERT INTO aliases (function, name, version, description, routing, revision_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (function, name, version, description, json.dumps(checked), str(uuid.uuid4())),
            )
        return self.get(function, name)

    def get(self, function: str, name: str) -> Alias:
        row = self._store.query_one("SELECT * FROM aliases WHERE function = ? AND name = ?", (function, name))
        if row is None:
            raise AliasNotFound(function, name)
        return _row(row)

    def all(self, function: str, version: str | None = None) -> list[Alias]:
        rows = self._store.query("SELECT * FROM aliases WHERE function = ? ORDER BY name", (function,))
        return [alias for alias in map(_row, rows) if version is None or alias.version == version]

    def update(self, function: str, name: str, *, version: str | None = None, description: str | None = None,
               weights: dict[str, float] | None = None, revision_id: str | None = None) -> Alias:
        with self._store.write() as conn:
            row = conn.execute("SELECT * FROM aliases WHERE function = ? AND name = ?", (function, name)).fetchone()
            if row is None:
                raise AliasNotFound(function, name)
            current = _row(row)
            if revision_id is not None and revision_id != current.revision_id:
                raise FunctionError("The Revision Id provided does not match the latest Revision Id. Call the "
                                    "GetAlias API to retrieve the latest Revision Id", "revision")
            new_weights = current.weights if weights is None else weights
            new_version = self._check_version(conn, function, version if version is not None else current.version,
                                              weighted=bool(new_weights))
            checked = self._check_weights(conn, function, new_version, new_weights)
            conn.execute(
                "UPDATE aliases SET version = ?, description = ?, routing = ?, revision_id = ?"
                " WHERE function = ? AND name = ?",
                (new_version, current.description if description is None else _check_description(description),
                 json.dumps(checked), str(uuid.uuid4()), function, name),
            )
        return self.get(function, name)

    def delete(self, function: str, name: str) -> None:
        with self._store.write() as conn:
            conn.execute("DELETE FROM aliases WHERE function = ? AND name = ?", (function, name))

    def holding(self, function: str, version: str) -> list[str]:
        """The aliases that point to `version`, as primary or additional version."""
        return [alias.name for alias in self.all(function) if alias.version == version or version in alias.weights]

    def resolve(self, function: str, qualifier: str, *, routed: bool = False) -> str:
        """The version a qualifier names: itself when it is a version; an alias's version (with `routed`, the one
        its weights pick for one invocation). AliasNotFound for an alias that does not exist."""
        if not is_alias_name(qualifier):
            return qualifier
        alias = self.get(function, qualifier)
        if routed:
            for version, weight in alias.weights.items():
                if random.random() < weight:  # traffic shifting, not security
                    return version
        return alias.version


def _check_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > MAX_ALIAS_DESCRIPTION:
        raise FunctionError(f"An alias's description is text of at most {MAX_ALIAS_DESCRIPTION} characters.",
                            "description")
    return description
