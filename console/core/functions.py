"""Functions: their configuration checked as Lambda checks it, `$LATEST`, and published versions.

A function names a stored package and a handler, with a runtime, timeout, memory, environment variables, a description
and the runtime client that runs it. `$LATEST` is the editable configuration; `publish()` snapshots it as version 1,
2, ... which never change afterwards. Every change gets a new `revision_id`, Lambda's RevisionId.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from dataclasses import dataclass, field

from console.core.clock import now_iso
from console.core.limits import (
    ENVIRONMENT_NAME,
    FUNCTION_NAME,
    HANDLER,
    MAX_DESCRIPTION,
    MAX_ENVIRONMENT_BYTES,
    MAX_FUNCTION_NAME,
    MAX_MEMORY,
    MAX_TIMEOUT,
    MIN_MEMORY,
    MIN_TIMEOUT,
)
from console.core.store import Store
from console.engine.invocation import LOCAL_RUNTIME, RUNTIME_CLIENTS

LATEST = "$LATEST"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The Python runtimes Lambda has offered; a function may name any of them and runs on the local interpreter.
RUNTIMES = tuple(f"python3.{minor}" for minor in range(6, 15))
# Variables Lambda sets itself and refuses in a function's configuration.
RESERVED_ENVIRONMENT = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
_CONFIG_FIELDS = ("handler", "runtime", "timeout", "memory", "environment", "description", "runtime_client")


class FunctionError(ValueError):
    """A configuration Lambda would refuse. `field` names the setting; the message says what to do."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class FunctionNotFound(KeyError):
    """No function of that name, or no such version of it: `name` and `version` say which."""

    def __init__(self, name: str, version: str = LATEST, message: str | None = None) -> None:
        self.name = name
        self.version = version
        super().__init__(message or (f"Function not found: {name}" if version == LATEST else
                                     f"Function not found: {name}:{version}"))

    def __str__(self) -> str:  # KeyError's own would show the repr of its argument
        return str(self.args[0])


class FunctionExists(FunctionError):
    pass


# -- checks -----------------------------------------------------------------------------------------------------


def check_name(name: object) -> str:
    if not isinstance(name, str) or not FUNCTION_NAME.fullmatch(name):
        raise FunctionError(
            f"Function name {name!r} is not valid: use 1 to {MAX_FUNCTION_NAME} letters, digits, hyphens (-) and "
            "underscores (_).",
            "name",
        )
    return name


def _refuse_lone_surrogate(text: str, what: str, field: str) -> None:
    """JSON can escape half of a surrogate pair ("\\udc80"); it has no UTF-8 form to store or pass to a process."""
    half = next((char for char in text if "\ud800" <= char <= "\udfff"), None)
    if half is not None:
        raise FunctionError(
            f"{what} holds U+{ord(half):04X}, half of a surrogate pair, which has no UTF-8 form: remove it, or write"
            " the whole character.",
            field,
        )


def check_handler(handler: object) -> str:
    if isinstance(handler, str):
        _refuse_lone_surrogate(handler, "Handler", "handler")
    # Control characters fit Lambda's pattern, but no module or function has them and a process cannot be given them.
    if not isinstance(handler, str) or not HANDLER.fullmatch(handler) or _CONTROL.search(handler):
        raise FunctionError(
            f"Handler {handler!r} is not valid: write file.function (like hello_python.my_handler), "
            "1 to 128 characters without spaces.",
            "handler",
        )
    return handler


def check_runtime(runtime: object) -> str:
    if runtime is None or runtime == "":
        return LOCAL_RUNTIME
    if runtime not in RUNTIMES:
        raise FunctionError(
            f"Runtime {runtime!r} is not a Python runtime of Lambda: use one of {', '.join(RUNTIMES)}.", "runtime"
        )
    return str(runtime)


def check_timeout(timeout: object) -> int:
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
        raise FunctionError(
            f"Timeout {timeout!r} is not valid: give a whole number of seconds from {MIN_TIMEOUT} to {MAX_TIMEOUT}.",
            "timeout",
        )
    return timeout


def check_memory(memory: object) -> int:
    if isinstance(memory, bool) or not isinstance(memory, int) or not MIN_MEMORY <= memory <= MAX_MEMORY:
        raise FunctionError(
            f"Memory {memory!r} is not valid: give a whole number of MB from {MIN_MEMORY} to {MAX_MEMORY}.", "memory"
        )
    return memory


def check_environment(environment: object) -> dict[str, str]:
    if environment is None:
        return {}
    if not isinstance(environment, dict):
        raise FunctionError("Environment variables must be a mapping of names to values.", "environment")
    for key, value in environment.items():
        if not isinstance(key, str) or not ENVIRONMENT_NAME.fullmatch(key):
            raise FunctionError(
                f"Environment variable name {key!r} is not valid: start with a letter, then at least one more "
                "letter, digit or underscore.",
                "environment",
            )
        if not isinstance(value, str):
            raise FunctionError(f"Environment variable {key} must have a text value.", "environment")
        _refuse_lone_surrogate(value, f"Environment variable {key}", "environment")
        if "\x00" in value:
            raise FunctionError(
                f"Environment variable {key} holds a NUL character, which no process environment can carry: "
                "remove it.",
                "environment",
            )
    reserved = sorted(RESERVED_ENVIRONMENT & environment.keys())
    if reserved:
        raise FunctionError(
            "Lambda sets these environment variables itself and does not let a function change them: "
            f"{', '.join(reserved)}. Choose other names.",
            "environment",
        )
    size = sum(len(k.encode()) + len(v.encode()) for k, v in environment.items())
    if size > MAX_ENVIRONMENT_BYTES:
        raise FunctionError(
            f"Environment variables take {size} bytes, more than Lambda's {MAX_ENVIRONMENT_BYTES}: "
            "shorten or remove some.",
            "environment",
        )
    return dict(environment)


def check_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise FunctionError(f"Description must be text of at most {MAX_DESCRIPTION} characters.", "description")
    _refuse_lone_surrogate(description, "Description", "description")
    return description


def check_runtime_client(client: object) -> str:
    if client is None or client == "":
        return "bootstrap"
    if client not in RUNTIME_CLIENTS:
        raise FunctionError(
            f"Runtime client {client!r} is not known: use {' or '.join(RUNTIME_CLIENTS)}.", "runtime_client"
        )
    return str(client)


_CHECKS = {
    "handler": check_handler,
    "runtime": check_runtime,
    "timeout": check_timeout,
    "memory": check_memory,
    "environment": check_environment,
    "description": check_description,
    "runtime_client": check_runtime_client,
    # The execution role's ARN: the REST API checks its form; the engine never uses it.
    "role": lambda role: role if isinstance(role, str) else "",
}


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
    description: str = ""
    runtime_client: str = "bootstrap"
    revision_id: str = ""
    created_at: str = ""
    last_modified: str = ""
    # The execution role's ARN when one was given (the REST API requires it; the engine does not use it).
    role: str = ""

    @property
    def on_local_interpreter(self) -> bool:
        """True when the runtime named is not the interpreter that actually runs the code."""
        return self.runtime != LOCAL_RUNTIME

    @property
    def runtime_note(self) -> str:
        return f"runs on the local {LOCAL_RUNTIME}" if self.on_local_interpreter else ""

    def configuration(self) -> dict:
        return {name: getattr(self, name) for name in _CONFIG_FIELDS}


def _from_row(row: sqlite3.Row, version: str) -> FunctionConfig:
    """A `functions` row ($LATEST) or a `versions` row (a published number)."""
    latest = version == LATEST
    return FunctionConfig(
        name=row["name"] if latest else row["function"],
        version=version,
        package_sha256=row["package_sha256"],
        handler=row["handler"],
        runtime=row["runtime"],
        timeout=row["timeout"],
        memory=row["memory"],
        environment=json.loads(row["environment"]),
        description=row["description"],
        runtime_client=row["runtime_client"],
        revision_id=row["revision_id"],
        created_at=row["created_at"],
        last_modified=row["last_modified"] if latest else row["created_at"],
        role=row["role"],
    )


class FunctionStore:
    """Functions and their versions in the database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _package_exists(self, conn: sqlite3.Connection, sha256: str) -> None:
        if conn.execute("SELECT 1 FROM packages WHERE sha256 = ?", (sha256,)).fetchone() is None:
            raise FunctionError(f"No stored package has the SHA-256 {sha256}: upload the package first.", "package")

    def create(
        self,
        name: str,
        package_sha256: str,
        handler: str,
        *,
        runtime: str | None = None,
        timeout: int = 3,
        memory: int = 128,
        environment: dict[str, str] | None = None,
        description: str = "",
        runtime_client: str = "bootstrap",
        role: str = "",
        publish: bool = False,
    ) -> FunctionConfig:
        """The new function's `$LATEST`, or its version 1 with `publish`: all written in one transaction."""
        name, values = self.check_new(name, handler, runtime=runtime, timeout=timeout, memory=memory,
                                      environment=environment, description=description, runtime_client=runtime_client)
        stamp = now_iso()
        with self._store.write() as conn:
            self._package_exists(conn, package_sha256)
            if conn.execute("SELECT 1 FROM functions WHERE name = ?", (name,)).fetchone():
                raise FunctionExists(f"Function already exist: {name}", "name")
            conn.execute(
                "INSERT INTO functions (name, package_sha256, handler, runtime, timeout, memory, environment,"
                " description, runtime_client, revision_id, created_at, last_modified, role)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, package_sha256, values["handler"], values["runtime"], values["timeout"], values["memory"],
                 json.dumps(values["environment"]), values["description"], values["runtime_client"],
                 str(uuid.uuid4()), stamp, stamp, role),
            )
            if publish:
                return self._publish(conn, name, None)
        return self.get(name)

    def check_new(self, name: object, handler: object, **config: object) -> tuple[str, dict]:
        """The name and settings of a new function, checked (FunctionError) and with their defaults; FunctionExists
        when the name is taken."""
        name = check_name(name)
        settings = {"timeout": 3, "memory": 128, **config, "handler": handler}
        unknown = set(settings) - set(_CHECKS) - {"role"}
        if unknown:
            raise FunctionError(f"Unknown settings: {', '.join(sorted(unknown))}.", min(unknown))
        values = {key: _CHECKS[key](settings.get(key)) for key in _CONFIG_FIELDS}
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
        return _from_row(row, version if version == LATEST else str(row["version"]))

    def exists(self, name: str) -> bool:
        return self._store.query_one("SELECT 1 FROM functions WHERE name = ?", (name,)) is not None

    def all(self) -> list[FunctionConfig]:
        return [_from_row(row, LATEST) for row in self._store.query("SELECT * FROM functions ORDER BY name")]

    def update_code(self, name: str, package_sha256: str) -> FunctionConfig:
        with self._store.write() as conn:
            self._package_exists(conn, package_sha256)
            self._touch(conn, name, {"package_sha256": package_sha256})
        return self.get(name)

    def update_configuration(self, name: str, **changes: object) -> FunctionConfig:
        unknown = set(changes) - set(_CHECKS)
        if unknown:
            raise FunctionError(f"Unknown settings: {', '.join(sorted(unknown))}.", min(unknown))
        values = {key: _CHECKS[key](value) for key, value in changes.items()}
        if "environment" in values:
            values["environment"] = json.dumps(values["environment"])
        with self._store.write() as conn:
            self._touch(conn, name, values)
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

    def publish(self, name: str, description: str | None = None) -> FunctionConfig:
        """Snapshot `$LATEST` as the next version; when nothing changed since the last one, that one is returned."""
        with self._store.write() as conn:
            return self._publish(conn, name, description)

    def _publish(self, conn: sqlite3.Connection, name: str, description: str | None) -> FunctionConfig:
        latest = conn.execute("SELECT * FROM functions WHERE name = ?", (name,)).fetchone()
        if latest is None:
            raise FunctionNotFound(name)
        last = conn.execute("SELECT * FROM versions WHERE function = ? ORDER BY version DESC LIMIT 1", (name,)).fetchone()
        same = ("package_sha256", "handler", "runtime", "timeout", "memory", "environment", "runtime_client", "role")
        if last is not None and all(last[key] == latest[key] for key in same):
            return _from_row(last, str(last["version"]))
        number = 1 if last is None else last["version"] + 1
        conn.execute(
            "INSERT INTO versions (function, version, package_sha256, handler, runtime, timeout, memory,"
            " environment, description, runtime_client, revision_id, created_at, role)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, number, latest["package_sha256"], latest["handler"], latest["runtime"], latest["timeout"],
             latest["memory"], latest["environment"],
             check_description(description) if description is not None else latest["description"],
             latest["runtime_client"], str(uuid.uuid4()), now_iso(), latest["role"]),
        )
        row = conn.execute("SELECT * FROM versions WHERE function = ? AND version = ?", (name, number)).fetchone()
        return _from_row(row, str(number))

    def versions(self, name: str) -> list[FunctionConfig]:
        """`$LATEST` and then every published version, oldest first."""
        latest = self.get(name)
        rows = self._store.query("SELECT * FROM versions WHERE function = ? ORDER BY version", (name,))
        return [latest, *(_from_row(row, str(row["version"])) for row in rows)]


# Versions are numbered from 1 in an SQLite INTEGER column (64-bit signed): a larger number was never published.
MAX_VERSION = 2**63 - 1


def _version_number(name: str, version: str) -> int:
    text = str(version)
    # ASCII digits only: str.isdigit() also takes '²' and other scripts' digits, which int() may refuse.
    if not (text.isascii() and text.isdigit()):
        raise FunctionNotFound(name, text, f"Version {version!r} is not $LATEST or a published version number")
    # Beyond 19 digits it is above MAX_VERSION; not converting it also spares int() a number of thousands of digits.
    return int(text) if len(text.lstrip("0")) <= 19 else MAX_VERSION + 1
