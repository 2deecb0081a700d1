"""A function version's layers: the LayerVersionArns of its Layers setting checked as Lambda checks them (up to 5,
each one published, no two versions of one layer, the unzipped code and layers within the limit), kept in order
with the package each one runs.

Deleting a layer version keeps it for the function versions that already use it, as on Lambda, and its package stays
in use while they do. Lambda's messages are the ones its API answers with (its InvalidParameterValueException texts,
and botocore's LayerVersionArn pattern for an ARN that does not fit it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from console.core.function_rules import LATEST, FunctionError
from console.core.layers import LAYER_VERSION_ARN, MAX_LAYER_NAME, MAX_VERSION, layer_arn, parse_version_arn
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION

MAX_LAYERS = 5  # layers one function may use
# botocore's LayerVersionArn pattern, as Lambda quotes it when a function's Layers has one that does not fit.
LAYER_VERSION_ARN_PATTERN = (
    r"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|"
    r"(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
)
Query = Callable[[str, tuple], list]


@dataclass(frozen=True)
class FunctionLayer:
    """A layer version as a function version uses it: kept with its package, even after the version is deleted."""

    name: str
    version: int
    package_sha256: str
    code_size: int
    unzipped_size: int

    def arn(self, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> str:
        return f"{layer_arn(self.name, region, account)}:{self.version}"


def conn_query(conn: sqlite3.Connection) -> Query:
    """A Query over a connection inside a transaction."""
    return lambda sql, params: conn.execute(sql, params).fetchall()


def function_layers(query: Query, function: str, version: str) -> tuple[FunctionLayer, ...]:
    """The layers of a function version, in order."""
    rows = query(
        "SELECT function_layers.*, packages.size, packages.unzipped_size FROM function_layers"
        " JOIN packages ON packages.sha256 = function_layers.package_sha256"
        " WHERE function = ? AND version = ? ORDER BY position",
        (function, version),
    )
    return tuple(FunctionLayer(row["layer"], row["layer_version"], row["package_sha256"], row["size"],
                               row["unzipped_size"]) for row in rows)


def resolve_layers(query: Query, arns: object, current: Sequence[FunctionLayer] = ()) -> tuple[FunctionLayer, ...]:
    """A function's Layers (LayerVersionArns) checked as Lambda checks them, each with the package it runs.

    A layer version the function already uses stays usable after it was deleted (Lambda keeps it for the functions
    that use it): `current` holds those.
    """
    if arns is None:
        return ()
    if not isinstance(arns, (list, tuple)) or not all(isinstance(arn, str) for arn in arns):
        raise FunctionError("Layers must be a list of layer version ARNs "
                            f"(arn:aws:lambda:<region>:{DEFAULT_ACCOUNT}:layer:<name>:<version>).", "layers")
    bad = [arn for arn in arns if not LAYER_VERSION_ARN.fullmatch(arn) or len(arn) > MAX_LAYER_NAME]
    if bad:
        raise FunctionError(
            f"1 validation error detected: Value '[{', '.join(arns)}]' at 'layers' failed to satisfy constraint: "
            "Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have "
            f"length greater than or equal to 1, Member must satisfy regular expression pattern: "
            f"{LAYER_VERSION_ARN_PATTERN}]. Give each layer as its LayerVersionArn, which ends with the version "
            "number.",
            "layers",
        )
    if len(arns) > MAX_LAYERS:
        raise FunctionError(f"Cannot reference more than {MAX_LAYERS} layers.", "layers")
    seen: dict[str, str] = {}
    kept = {(layer.name, layer.version): layer for layer in current}
    resolved = []
    for arn in arns:
        parsed = parse_version_arn(arn)
        if parsed is not None and parsed[0] in seen:
            raise FunctionError(
                "Two different versions of the same layer are not allowed to be referenced in the same function. "
                f"{seen[parsed[0]]} and {arn} are versions of the same layer.",
                "layers",
            )
        layer = None if parsed is None else kept.get(parsed) or _stored(query, *parsed)
        if layer is None:
            raise FunctionError(f"Layer version {arn} does not exist.", "layers")
        seen[layer.name] = arn
        resolved.append(layer)
    return tuple(resolved)


def _stored(query: Query, name: str, version: int) -> FunctionLayer | None:
    if not 0 < version <= MAX_VERSION:
        return None
    rows = query(
        "SELECT layer_versions.package_sha256, packages.size, packages.unzipped_size FROM layer_versions"
        " JOIN packages ON packages.sha256 = layer_versions.package_sha256 WHERE name = ? AND version = ?",
        (name, version),
    )
    if not rows:
        return None
    return FunctionLayer(name, version, rows[0]["package_sha256"], rows[0]["size"], rows[0]["unzipped_size"])


def check_total_size(query: Query, package_sha256: str | None, layers: Iterable[FunctionLayer], limit: int) -> None:
    """Lambda's quota on the unzipped code of a function and all its layers together."""
    layers = tuple(layers)
    if not layers:
        return  # the package alone was checked against the limit when it was stored
    rows = query("SELECT unzipped_size FROM packages WHERE sha256 = ?", (package_sha256,))
    total = (rows[0]["unzipped_size"] if rows else 0) + sum(layer.unzipped_size for layer in layers)
    if total > limit:
        raise FunctionError(
            f"Function code combined with layers exceeds the maximum allowed size of {limit} bytes. The actual size "
            f"is {total} bytes.",
            "layers",
        )


def save_function_layers(conn: sqlite3.Connection, function: str, version: str,
                         layers: Iterable[FunctionLayer]) -> None:
    """Replace a function version's layers (inside the caller's transaction)."""
    conn.execute("DELETE FROM function_layers WHERE function = ? AND version = ?", (function, version))
    conn.executemany(
        "INSERT INTO function_layers (function, version, position, layer, layer_version, package_sha256)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(function, version, position, layer.name, layer.version, layer.package_sha256)
         for position, layer in enumerate(layers)],
    )


def layer_version_users(query: Query) -> dict[tuple[str, int], list[str]]:
    """(layer, version) -> the function versions using it (`name`, or `name:version` for a published one)."""
    found: dict[tuple[str, int], list[str]] = {}
    rows = query("SELECT layer, layer_version, function, version FROM function_layers ORDER BY function, version", ())
    for row in rows:
        user = row["function"] if row["version"] == LATEST else f"{row['function']}:{row['version']}"
        found.setdefault((row["layer"], row["layer_version"]), []).append(user)
    return found


def layer_users(query: Query, sha256: str | None = None) -> dict[str, list[str]]:
    """Package -> the layer versions (`layer:<name>:<version>`) and the function versions using it as a layer."""
    where, params = ("WHERE package_sha256 = ?", (sha256,)) if sha256 else ("", ())
    found: dict[str, list[str]] = {}
    for row in query(f"SELECT package_sha256, name, version FROM layer_versions {where}", params):
        found.setdefault(row["package_sha256"], []).append(f"layer:{row['name']}:{row['version']}")
    for row in query(f"SELECT DISTINCT package_sha256, function, version FROM function_layers {where}", params):
        user = row["function"] if row["version"] == LATEST else f"{row['function']}:{row['version']}"
        found.setdefault(row["package_sha256"], []).append(user)
    return found
