"""The console's settings: defaults, then the data folder's `config.json`, then `LAMBDA_CONSOLE_*` variables, then
what the caller passes (command-line options, a test's config), each overriding the one before.

The data folder is `--data-dir`, else `LAMBDA_CONSOLE_DATA`, else the default of `console.resources`: `instance/` in a
checkout, the user's data folder (`~/.local/share/lambda-console` on Linux) for an installed console.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from console.core.limits import MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES
from console.resources import default_data_dir

ENV_PREFIX = "LAMBDA_CONSOLE_"
CONFIG_FILE = "config.json"


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it and says what it takes."""


@dataclass(frozen=True)
class Config:
    data_dir: Path
    # The engine: how many worker processes at once, how long an idle one lives, how many invocations may wait.
    max_environments: int = 10
    max_queue: int = 100
    idle_timeout: float = 600.0
    # Packages: Lambda's limits for a zip upload and for its unpacked code.
    max_zip_bytes: int = MAX_ZIP_BYTES
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
    # History: entries kept per function, and the log kept per entry.
    history_keep: int = 200
    history_log_bytes: int = 256 * 1024
    # Event (asynchronous) invocations that fail are retried twice, as Lambda does, after this many seconds and
    # then twice as many (Lambda waits one and two minutes; locally the wait is short).
    event_retry_delay: float = 1.0
    # Load the sample handlers as functions when the data folder is new.
    load_samples: bool = True
    # Off loopback (or with `serve --auth`) every request must authenticate: the web console with this token (given
    # once in the start URL, then a cookie), the REST API with SigV4 under this access key and secret. Empty: made
    # up at start and printed.
    token: str = field(default="", repr=False)
    access_key_id: str = ""
    secret_access_key: str = field(default="", repr=False)
    # A signed-in browser's session ends after this many seconds without a request (12 hours), or at Log out.
    session_idle_timeout: float = 12 * 3600.0
    # Host names the console answers to besides loopback ones (comma-separated), e.g. the machine's name.
    allowed_hosts: str = ""
    # The AWS profile whose credentials handlers get (botocore's chain for it: keys, SSO, assume-role...), as Lambda
    # gives them the execution role's. Empty: handlers get no AWS credentials.
    profile: str = ""
    # With a profile: hand each function its own Role's credentials, assumed through STS with the profile's, as
    # Lambda does; a function without a Role gets the profile's own.
    assume_role: bool = False
    # The Python that runs each runtime, where the one found on the PATH, in uv's or in pyenv's interpreters is not
    # the one wanted: {"python3.12": "/opt/python3.12/bin/python3.12"} in config.json, or
    # "python3.12=/path,python3.9=/path" in LAMBDA_CONSOLE_INTERPRETERS. Each is checked at start.
    interpreters: tuple[tuple[str, str], ...] = ()

    @property
    def interpreter_mapping(self) -> dict[str, str]:
        return dict(self.interpreters)
    # Folder functions' folders are watched, and a saved file reloads the function.
    watch_folders: bool = True
    # Folder functions the console creates (or brings up to date) at start, each an object like
    # {"name": "hello", "code": "/path/to/folder", "handler": "app.handler", "timeout": 3, "memory": 128,
    #  "runtime": "python3.12", "environment": {...}, "description": "..."}: only in the data folder's config.json.
    functions: tuple = ()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "lambda-console.sqlite3"

    @property
    def packages_dir(self) -> Path:
        return self.data_dir / "packages"

    @property
    def dependencies_dir(self) -> Path:
        """Folder functions' requirements.txt, installed: one folder per requirements file and Python version."""
        return self.data_dir / "dependencies"


_NAMES = {f.name: f for f in fields(Config)}


def _interpreters(value: object, where: str) -> tuple[tuple[str, str], ...]:
    from console.engine.interpreters import InterpreterError, check_mapping, parse_mapping

    try:
        mapping = parse_mapping(value)
        check_mapping(mapping)
    except InterpreterError as exc:
        raise ConfigError(f"{where}: interpreters: {exc}") from None
    return tuple(mapping.items())


def _coerce(name: str, value: object, where: str) -> object:
    kind = _NAMES[name].type
    if name == "interpreters":
        return _interpreters(value, where)
    try:
        if kind == "bool":
            if isinstance(value, str):
                if value.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                return value.lower() in ("1", "true", "yes", "on")
            return bool(value)
        if kind == "int":
            number = int(value)  # type: ignore[call-overload]
            if number < 1:
                raise ValueError(value)
            return number
        if kind == "float":
            number = float(value)  # type: ignore[arg-type]
            if number <= 0:
                raise ValueError(value)
            return number
        if kind == "Path":
            return Path(str(value)).expanduser()
        if kind == "str":
            return str(value)
        if kind == "tuple":
            if not isinstance(value, (list, tuple)) or not all(isinstance(item, dict) for item in value):
                raise ValueError(value)
            return tuple(value)
    except (TypeError, ValueError):
        expected = "a list of objects" if kind == "tuple" else f"a positive {kind}"
        raise ConfigError(f"{where}: {value!r} is not a valid {name} ({expected} is expected).") from None
    return value


def credential_settings(profile: str | None, assume_role: bool = False) -> dict[str, object] | None:
    """The settings the credential options override, if given."""
    given: dict[str, object] = {"profile": profile} if profile else {}
    if assume_role:
        given["assume_role"] = True
    return given or None


def load_config(
    data_dir: str | Path | None = None,
    overrides: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Build the settings; `data_dir` and `overrides` are the caller's (options, tests) and win over the rest."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    if data_dir is None:
        chosen = overrides.pop("data_dir", None) or environ.get(ENV_PREFIX + "DATA") or default_data_dir()
        data_dir = Path(str(chosen))
    else:
        overrides.pop("data_dir", None)
    config = Config(data_dir=Path(data_dir).expanduser().resolve())

    layers: list[tuple[str, Mapping[str, object]]] = []
    config_file = config.data_dir / CONFIG_FILE
    if config_file.is_file():
        try:
            from_file = json.loads(config_file.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{config_file}: not readable JSON ({exc}). Fix or remove the file.") from None
        if not isinstance(from_file, dict):
            raise ConfigError(f"{config_file}: must hold one JSON object of settings.")
        layers.append((str(config_file), from_file))
    from_env = {
        key[len(ENV_PREFIX):].lower(): value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX):].lower() in _NAMES and key != ENV_PREFIX + "DATA"
    }
    layers.append(("environment", from_env))
    layers.append(("options", overrides))

    for where, values in layers:
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if name not in _NAMES or name == "data_dir":
                if where != "environment":
                    raise ConfigError(f"{where}: unknown setting {name!r}. Known: {', '.join(sorted(_NAMES))}.")
                continue
            changes[name] = _coerce(name, value, where if where != "environment" else ENV_PREFIX + name.upper())
        config = replace(config, **changes)
    return config
