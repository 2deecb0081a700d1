"""Functions: `$LATEST` and published versions in the database (their settings are checked by
console.core.function_rules).

A function names a stored package and a handler, with a runtime, timeout, memory, ephemeral storage (MB of /tmp),
environment variables, a description
and the runtime client that runs it. `$LATEST` is the editable configuration; `publish()` snapshots it as version 1,
2, ... which never change afterwards. Every change gets a new `revision_id`, Lambda's RevisionId.

Each version also keeps its layers, in order (console.core.layers checks them as Lambda does).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field, replace

from console.core.clock import now_iso
from console.core.function_layers import (
    FunctionLayer,
    Query,
    check_total_size,
    conn_query,
    function_layers,
    resolve_layers,
    save_function_layers,
)
from console.core.function_rules import (  # noqa: F401 - the checks and errors, where callers look for them
    CHECKS,
    CONFIG_FIELDS,
    LATEST,
    RUNTIMES,
    FunctionError,
    FunctionErrors,
    FunctionExists,
    FunctionNotFound,
    check_description,
    check_each,
    check_environment,
    check_ephemeral_storage,
    check_handler,
    check_memory,
    check_name,
    check_runtime,
    check_runtime_client,
    check_timeout,
    deprecated_since,
)
from console.core.function_settings import architecture, check_settings, effective_logging, notes
from console.core.limits import MAX_UNZIPPED_BYTES, MIN_EPHEMERAL_STORAGE
from console.core.store import Store

# -- the model --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionConfig:
    """One function at one version: `$LATEST` or a published number."""

    name: str
    version: str
    package_sha256: str
    handler: str
    runtime: str
    timeout: int
    memory: int
    environment: dict[str, str] = field(default_factory=dict)
    ephemeral_storage: int = MIN_EPHEMERAL_STORAGE  # MB of /tmp
    description: str = ""
    runtime_client: str = "bootstrap"
    revision_id: str = ""
    created_at: str = ""
    last_modified: str = ""
    # The execution role's ARN when one was given (the REST API requires it; the engine does not use it).
    role: str = ""
    # Its layers in Lambda's order (console.core.layers): each version keeps its own.
    layers: tuple[FunctionLayer, ...] = ()
    # A folder function's code: an absolute path on this machine ("" when the code is the stored package).
    code_folder: str = ""
    # Lambda's further settings as given, under Lambda's names (console.core.function_settings).
    settings: dict = field(default_factory=dict)

    @property
    def deprecated_since(self) -> str | None:
        """The day Lambda deprecated the function's runtime, or None while it is supported."""
        return deprecated_since(self.runtime)

    @property
    def setting_notes(self) -> list[str]:
        """What the console does not do of Lambda's further settings here (console.core.function_settings)."""
        return notes(self.settings)

    @property
    def architecture(self) -> str:
        return architecture(self.settings)

    @property
    def logging(self) -> dict:
        """LoggingConfig as applied: LogFormat, the two levels with JSON, LogGroup."""
        return effective_logging(self.settings, self.name)

    def configuration(self) -> dict:
        return {name: getattr(self, name) for name in CONFIG_FIELDS}


def _from_row(row: sqlite3.Row, version: str) -> FunctionConfig:
    """A `functions` row ($LATEST) or a `versions` row (a published number)."""
    latest = version == LATEST
    return FunctionConfig(
        name=row["name"] if latest else row["function"],
        version=version,
        package_sha256=row["package_sha256"] or "",
        handler=row["handler"],
        runtime=row["runtime"],
        timeout=row["timeout"],
        memory=row["memory"],
        ephemeral_storage=row["ephemeral_storage"],
        environment=json.loads(row["environment"]),
        description=row["description"],
        runtime_client=row["runtime_client"],
        revision_id=row["revision_id"],
        created_at=row["created_at"],
        last_modified=row["last_modified"] if latest else row["created_at"],
        role=row["role"],
        code_folder=(row["code_folder"] or "") if latest else "",  # a published version is always a stored package
        settings=json.loads(row["settings"]),
    )


class FunctionStore:
    """Functions and their versions in the database."""

    def __init__(self, store: Store, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> None:
        self._store = store
        self.max_unzipped_bytes = max_unzipped_bytes  # the code and all its layers, unzipped

    def _with_layers(self, function: FunctionConfig, query: Query | None = None) -> FunctionConfig:
        layers = function_layers(query or self._store.query, function.name, function.version)
        return replace(function, layers=layers) if layers else function

    def _package_exists(self, conn: sqlite3.Connection, sha256: str) -> None:
        if conn.execute("SELECT 1 FROM packages WHERE sha256 = ?", (sha256,)).fetchone() is None:
            raise FunctionError(f"No stored package has the SHA-256 {sha256}: upload the package first.", "package")

    def create(
        self,
        name: str,
        package_sha256: str | None,
        handler: str,
        *,
        runtime: str | None = None,
        timeout: int = 3,
        memory: int = 128,
        ephemeral_storage: int | None = None,
        environment: dict[str, str] | None = None,
        description: str = "",
        runtime_client: str = "bootstrap",
        role: str = "",
        publish: bool = False,
        layers: object = None,
        code_folder: str | None = None,
        settings: dict | None = None,
    ) -> FunctionConfig:
        """The new function's `$LATEST`, or its version 1 with `publish`: all written in one transaction. Its code is
        the stored package `package_sha256`, or the folder `code_folder` (then `package_sha256` is None, and `publish`
        needs the folder's snapshot as a stored package: see `publish`)."""
        name, values = self.check_new(name, handler, runtime=runtime, timeout=timeout, memory=memory,
                                      ephemeral_storage=ephemeral_storage, environment=environment,
                                      description=description, runtime_client=runtime_client)
        checked_settings = check_settings(settings)
        stamp = now_iso()
        with self._store.write() as conn:
            if code_folder is None:
                self._package_exists(conn, str(package_sha256))
            if conn.execute("SELECT 1 FROM functions WHERE name = ?", (name,)).fetchone():
                raise FunctionExists(f"Function already exist: {name}", "name")
            conn.execute(
                "INSERT INTO functions (name, package_sha256, handler, runtime, timeout, memory, ephemeral_storage,"
                " environment, description, runtime_client, revision_id, created_at, last_modified, role, code_folder,"
                " settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, None if code_folder is not None else package_sha256, values["handler"], values["runtime"],
                 values["timeout"], values["memory"], values["ephemeral_storage"], json.dumps(values["environment"]),
                 values["description"], values["runtime_client"], str(uuid.uuid4()), stamp, stamp, role, code_folder,
                 json.dumps(checked_settings)),
            )
            if layers:
                resolved = resolve_layers(conn_query(conn), layers)
                check_total_size(conn_query(conn), package_sha256, resolved, self.max_unzipped_bytes)
                save_function_layers(conn, name, LATEST, resolved)
            if publish:
                return self._publish(conn, name, None, package_sha256 if code_folder is not None else None)
        return self.get(name)

    def check_new(self, name: object, handler: object, **config: object) -> tuple[str, dict]:
        """The name and settings of a new function, checked (FunctionError) and with their defaults; FunctionExists
        when the name is taken."""
        name = check_name(name)
        settings = {"timeout": 3, "memory": 128, **config, "handler": handler}
        resolve_layers(self._store.query, settings.pop("layers", None))  # refused before anything is stored
        unknown = set(settings) - set(CHECKS) - {"role", "settings"}
        if unknown:
            raise FunctionError(f"Unknown settings: {', '.join(sorted(unknown))}.", min(unknown))
        values = {key: CHECKS[key](settings.get(key)) for key in CONFIG_FIELDS}
        values["settings"] = check_settings(settings.get("settings"))
        if self.exists(name):
            raise FunctionExists(f"Function already exist: {name}", "name")
        return name, values

    def get(self, name: str, version: str = LATEST) -> FunctionConfig:
        if version == LATEST:
            row = self._store.query_one("SELECT * FROM functions WHERE name = ?", (name,))
        elif (number := _version_number(name, version)) > MAX_VERSION:
            row = None  # more than SQLite holds, so no version was ever published with it
        else:
            row = self._store.query_one("SELECT * FROM versions WHERE function = ? AND version = ?", (name, number))
        if row is None:
            raise FunctionNotFound(name, version)
        return self._with_layers(_from_row(row, version if version == LATEST else str(row["version"])))

    def exists(self, name: str) -> bool:
        return self._store.query_one("SELECT 1 FROM functions WHERE name = ?", (name,)) is not None

    def all(self) -> list[FunctionConfig]:
        rows = self._store.query("SELECT * FROM functions ORDER BY name")
        return [self._with_layers(_from_row(row, LATEST)) for row in rows]

    def update_code(self, name: str, package_sha256: str) -> FunctionConfig:
        with self._store.write() as conn:
            self._package_exists(conn, package_sha256)
            layers = function_layers(conn_query(conn), name, LATEST)
            check_total_size(conn_query(conn), package_sha256, layers, self.max_unzipped_bytes)
            self._touch(conn, name, {"package_sha256": package_sha256, "code_folder": None})
        return self.get(name)

    def update_code_folder(self, name: str, folder: str) -> FunctionConfig:
        """Make the folder (checked by the caller) the function's code, in place of its package or other folder."""
        with self._store.write() as conn:
            self._touch(conn, name, {"package_sha256": None, "code_folder": folder})
        return self.get(name)

    def folders(self) -> dict[str, list[str]]:
        """Each folder that functions' `$LATEST` runs from -> those functions, by name."""
        found: dict[str, list[str]] = {}
        for row in self._store.query(
            "SELECT name, code_folder FROM functions WHERE code_folder IS NOT NULL ORDER BY name"
        ):
            found.setdefault(row["code_folder"], []).append(row["name"])
        return found

    def update_configuration(self, name: str, **changes: object) -> FunctionConfig:
        """Change `$LATEST`'s settings; `layers` (LayerVersionArns, in order) replaces its layers; `settings`
        (Lambda's further settings) changes only those it names."""
        arns = changes.pop("layers", None)
        unknown = set(changes) - set(CHECKS) - {"settings"}
        if unknown:
            raise FunctionError(f"Unknown settings: {', '.join(sorted(unknown))}.", min(unknown))
        values = check_each({key: value for key, value in changes.items() if key != "settings"})
        if "environment" in values:
            values["environment"] = json.dumps(values["environment"])
        with self._store.write() as conn:
            if "settings" in changes:  # merged over the stored ones inside the transaction, so no change is lost
                row = conn.execute("SELECT settings FROM functions WHERE name = ?", (name,)).fetchone()
                if row is None:
                    raise FunctionNotFound(name)
                values["settings"] = json.dumps(check_settings(changes["settings"], json.loads(row["settings"])))
            self._touch(conn, name, values)
            if arns is not None:
                current = function_layers(conn_query(conn), name, LATEST)
                layers = resolve_layers(conn_query(conn), arns, current)
                row = conn.execute("SELECT package_sha256 FROM functions WHERE name = ?", (name,)).fetchone()
                check_total_size(conn_query(conn), row["package_sha256"], layers, self.max_unzipped_bytes)
                save_function_layers(conn, name, LATEST, layers)
        return self.get(name)

    def _touch(self, conn: sqlite3.Connection, name: str, values: dict) -> None:
        values = {**values, "revision_id": str(uuid.uuid4()), "last_modified": now_iso()}
        assignments = ", ".join(f"{column} = ?" for column in values)
        cursor = conn.execute(f"UPDATE functions SET {assignments} WHERE name = ?", (*values.values(), name))
        if cursor.rowcount == 0:
            raise FunctionNotFound(name)

    def delete(self, name: str) -> None:
        """Delete the function, its versions, saved events and history (the database cascades)."""
        with self._store.write() as conn:
            if conn.execute("DELETE FROM functions WHERE name = ?", (name,)).rowcount == 0:
                raise FunctionNotFound(name)

    def publish(self, name: str, description: str | None = None, *, snapshot: str | None = None) -> FunctionConfig:
        """Snapshot `$LATEST` as the next version; when nothing changed since the last one, that one is returned.
        A folder function's version runs `snapshot`, the stored package of its folder's files (required for one)."""
        with self._store.write() as conn:
            return self._publish(conn, name, description, snapshot)

    def _publish(
        self, conn: sqlite3.Connection, name: str, description: str | None, snapshot: str | None = None
    ) -> FunctionConfig:
        row = conn.execute("SELECT * FROM functions WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise FunctionNotFound(name)
        latest = dict(row)
        if latest["code_folder"] is not None:
            if snapshot is None:
                raise FunctionError(f"{name} runs from a folder: publish it through the console, which stores the "
                                    "folder's files as the version's package.", "package")
            self._package_exists(conn, snapshot)
            latest["package_sha256"] = snapshot
        last = conn.execute("SELECT * FROM versions WHERE function = ? ORDER BY version DESC LIMIT 1", (name,)).fetchone()
        same = ("package_sha256", "handler", "runtime", "timeout", "memory", "ephemeral_storage", "environment",
                "runtime_client", "role", "settings")
        layers = function_layers(conn_query(conn), name, LATEST)
        if (last is not None and all(last[key] == latest[key] for key in same)
                and function_layers(conn_query(conn), name, str(last["version"])) == layers):
            return self._with_layers(_from_row(last, str(last["version"])), conn_query(conn))
        # Numbers are never reused, not even those of deleted versions (`versions_published` remembers them).
        number = max(0 if last is None else last["version"], latest["versions_published"]) + 1
        conn.execute("UPDATE functions SET versions_published = ? WHERE name = ?", (number, name))
        conn.execute(
            "INSERT INTO versions (function, version, package_sha256, handler, runtime, timeout, memory,"
            " ephemeral_storage, environment, description, runtime_client, revision_id, created_at, role, settings)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, number, latest["package_sha256"], latest["handler"], latest["runtime"], latest["timeout"],
             latest["memory"], latest["ephemeral_storage"], latest["environment"],
             check_description(description) if description is not None else latest["description"],
             latest["runtime_client"], str(uuid.uuid4()), now_iso(), latest["role"], latest["settings"]),
        )
        save_function_layers(conn, name, str(number), layers)  # a published version keeps its layers
        row = conn.execute("SELECT * FROM versions WHERE function = ? AND version = ?", (name, number)).fetchone()
        return self._with_layers(_from_row(row, str(number)), conn_query(conn))

    def delete_version(self, name: str, version: str) -> None:
        """Delete one published version (a number that names none is no error, as on Lambda)."""
        number = _version_number(name, version)
        with self._store.write() as conn:
            if conn.execute("SELECT 1 FROM functions WHERE name = ?", (name,)).fetchone() is None:
                raise FunctionNotFound(name)
            if number <= MAX_VERSION:
                conn.execute("DELETE FROM versions WHERE function = ? AND version = ?", (name, number))
                conn.execute("DELETE FROM function_layers WHERE function = ? AND version = ?", (name, str(number)))

    def versions(self, name: str) -> list[FunctionConfig]:
        """`$LATEST` and then every published version, oldest first."""
        latest = self.get(name)
        rows = self._store.query("SELECT * FROM versions WHERE function = ? ORDER BY version", (name,))
        return [latest, *(self._with_layers(_from_row(row, str(row["version"]))) for row in rows)]


# Versions are numbered from 1 in an SQLite INTEGER column (64-bit signed): a larger number was never published.
MAX_VERSION = 2**63 - 1


def _version_number(name: str, version: str) -> int:
    text = str(version)
    # ASCII digits only: str.isdigit() also takes '²' and other scripts' digits, which int() may refuse.
    if not (text.isascii() and text.isdigit()):
        raise FunctionNotFound(name, text, f"Version {version!r} is not $LATEST or a published version number")
    # Beyond 19 digits it is above MAX_VERSION; not converting it also spares int() a number of thousands of digits.
    return int(text) if len(text.lstrip("0")) <= 19 else MAX_VERSION + 1
