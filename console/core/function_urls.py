"""Function URLs: Lambda's FunctionUrlConfig, stored per function and qualifier, checked as Lambda checks it.

A URL names its function by an id of 32 lower-case letters and digits, as Lambda's `<url-id>.lambda-url.<region>.on.aws`
does; the console serves it as `http://<url-id>.lambda-url.<region>.localhost:<api port>/` (see console/http_front).
Settings follow botocore's service model: AuthType NONE or AWS_IAM; Cors with AllowOrigins, AllowMethods,
AllowHeaders, ExposeHeaders (lists), MaxAge (0-86400) and AllowCredentials; InvokeMode BUFFERED (RESPONSE_STREAM is
accepted and answered buffered).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
from dataclasses import dataclass

from console.core.clock import now_iso
from console.core.function_rules import LATEST
from console.core.store import Store

AUTH_TYPES = ("NONE", "AWS_IAM")
INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")
CORS_LISTS = {"AllowOrigins": (100, 253), "AllowMethods": (6, 6), "AllowHeaders": (100, 1024),
              "ExposeHeaders": (100, 1024)}
CORS_FIELDS = (*CORS_LISTS, "MaxAge", "AllowCredentials")
MAX_CORS_AGE = 86400
_ID_ALPHABET = string.ascii_lowercase + string.digits


class FunctionUrlError(ValueError):
    """A setting Lambda refuses: `field` names it, the message says what to do."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class FunctionUrlNotFound(KeyError):
    def __init__(self, function: str, qualifier: str = "") -> None:
        super().__init__(function, qualifier)
        self.function = function
        self.qualifier = qualifier

    def __str__(self) -> str:
        return f"The resource you requested does not exist: {self.function} has no function URL" + (
            f" for {self.qualifier}" if self.qualifier else "") + "."


class FunctionUrlExists(ValueError):
    def __init__(self, function: str, qualifier: str = "") -> None:
        super().__init__(f"Failed to create function url config for [functionArn = {function}"
                         f"{':' + qualifier if qualifier else ''}]. Error message:  FunctionUrlConfig exists "
                         "for this Lambda function")
        self.function = function
        self.qualifier = qualifier


@dataclass(frozen=True)
class FunctionUrl:
    """One function URL's settings. `version` is the function version its invocations run."""

    function: str
    qualifier: str  # "" for the function's own URL, or "$LATEST"
    url_id: str
    region: str
    auth_type: str
    cors: dict | None
    invoke_mode: str
    created_at: str
    last_modified: str

    @property
    def version(self) -> str:
        return LATEST

    def url(self, port: int | None) -> str:
        """The address browsers and curl use: `*.localhost` resolves to this machine's loopback by itself."""
        where = f":{port}" if port else ""
        return f"http://{self.url_id}.lambda-url.{self.region}.localhost{where}/"


def check_auth_type(value: object) -> str:
    if value not in AUTH_TYPES:
        raise FunctionUrlError(f"AuthType must be NONE or AWS_IAM, not {json.dumps(value)}.", "AuthType")
    return str(value)


def check_invoke_mode(value: object) -> str:
    if value not in INVOKE_MODES:
        raise FunctionUrlError(f"InvokeMode must be BUFFERED or RESPONSE_STREAM, not {json.dumps(value)}.",
                               "InvokeMode")
    return str(value)


def check_qualifier(value: str | None) -> str:
    """"" or `$LATEST`: the console has no aliases, so no other qualifier names anything."""
    if value in (None, ""):
        return ""
    if value != LATEST:
        raise FunctionUrlError(f"Qualifier {value!r}: this console has no aliases; a function URL is the function's "
                               "own (no Qualifier) or $LATEST's.", "Qualifier")
    return LATEST


def check_cors(value: object) -> dict | None:
    """Lambda's Cors object with only the fields it knows, each checked; None for no CORS."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FunctionUrlError("Cors must be an object with AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders, "
                               "MaxAge and AllowCredentials.", "Cors")
    unknown = sorted(set(value) - set(CORS_FIELDS))
    if unknown:
        raise FunctionUrlError(f"Cors has no field {unknown[0]}: it takes {', '.join(CORS_FIELDS)}.", "Cors")
    cors: dict = {}
    for name, (most, longest) in CORS_LISTS.items():
        items = value.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise FunctionUrlError(f"Cors.{name} must be a list of strings.", f"Cors.{name}")
        if len(items) > most:
            raise FunctionUrlError(f"Cors.{name} takes at most {most} entries.", f"Cors.{name}")
        too_long = next((item for item in items if len(item) > longest or (name == "AllowOrigins" and not item)), None)
        if too_long is not None:
            raise FunctionUrlError(f"Cors.{name}: {too_long!r} must be 1 to {longest} characters.", f"Cors.{name}")
        cors[name] = [item.upper() if name == "AllowMethods" else item for item in items]
    if value.get("MaxAge") is not None:
        age = value["MaxAge"]
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_CORS_AGE:
            raise FunctionUrlError(f"Cors.MaxAge must be a whole number of seconds from 0 to {MAX_CORS_AGE}.",
                                   "Cors.MaxAge")
        cors["MaxAge"] = age
    if value.get("AllowCredentials") is not None:
        if not isinstance(value["AllowCredentials"], bool):
            raise FunctionUrlError("Cors.AllowCredentials must be true or false.", "Cors.AllowCredentials")
        cors["AllowCredentials"] = value["AllowCredentials"]
    return cors


def _from_row(row: sqlite3.Row) -> FunctionUrl:
    return FunctionUrl(function=row["function"], qualifier=row["qualifier"], url_id=row["url_id"],
                       region=row["region"], auth_type=row["auth_type"],
                       cors=json.loads(row["cors"]) if row["cors"] else None, invoke_mode=row["invoke_mode"],
                       created_at=row["created_at"], last_modified=row["last_modified"])


class FunctionUrlStore:
    """The function_urls table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, function: str, qualifier: str, *, auth_type: str, cors: dict | None, invoke_mode: str,
               region: str) -> FunctionUrl:
        now = now_iso()
        url_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))
        with self._store.write() as conn:
            if conn.execute("SELECT 1 FROM function_urls WHERE function = ? AND qualifier = ?",
                            (function, qualifier)).fetchone():
                raise FunctionUrlExists(function, qualifier)
            conn.execute(
                "INSERT INTO function_urls (function, qualifier, url_id, region, auth_type, cors, invoke_mode, "
                "created_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (function, qualifier, url_id, region, auth_type, json.dumps(cors) if cors is not None else None,
                 invoke_mode, now, now),
            )
        return self.get(function, qualifier)

    def get(self, function: str, qualifier: str = "") -> FunctionUrl:
        row = self._store.query_one("SELECT * FROM function_urls WHERE function = ? AND qualifier = ?",
                                    (function, qualifier))
        if row is None:
            raise FunctionUrlNotFound(function, qualifier)
        return _from_row(row)

    def by_id(self, url_id: str) -> FunctionUrl | None:
        row = self._store.query_one("SELECT * FROM function_urls WHERE url_id = ?", (url_id,))
        return None if row is None else _from_row(row)

    def for_function(self, function: str) -> list[FunctionUrl]:
        rows = self._store.query("SELECT * FROM function_urls WHERE function = ? ORDER BY qualifier", (function,))
        return [_from_row(row) for row in rows]

    def update(self, function: str, qualifier: str, changes: dict[str, object]) -> FunctionUrl:
        """Change the given settings (auth_type, cors, invoke_mode) in one transaction."""
        columns = {"auth_type": "auth_type", "cors": "cors", "invoke_mode": "invoke_mode"}
        values = {columns[key]: (json.dumps(value) if key == "cors" and value is not None else value)
                  for key, value in changes.items()}
        with self._store.write() as conn:
            assignments = ", ".join(f"{column} = ?" for column in values)
            done = conn.execute(
                f"UPDATE function_urls SET {assignments}{', ' if values else ''}last_modified = ? "
                "WHERE function = ? AND qualifier = ?", (*values.values(), now_iso(), function, qualifier))
            if done.rowcount == 0:
                raise FunctionUrlNotFound(function, qualifier)
        return self.get(function, qualifier)

    def delete(self, function: str, qualifier: str) -> None:
        with self._store.write() as conn:
            if conn.execute("DELETE FROM function_urls WHERE function = ? AND qualifier = ?",
                            (function, qualifier)).rowcount == 0:
                raise FunctionUrlNotFound(function, qualifier)
