"""Folder functions named in the data folder's config.json, created at start or brought up to date with it:

    {"functions": [{"name": "hello", "code": "/home/me/hello", "handler": "app.handler", "timeout": 10}]}

A relative `code` is relative to the data folder (where config.json is). The file is the source of these functions'
code and settings: a function of that name that exists already is given the folder and settings the file names.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from console.config import CONFIG_FILE, ConfigError
from console.core.function_rules import CHECKS, FunctionError

if TYPE_CHECKING:
    from console.core.console import Console

_SETTINGS = ("handler", "runtime", "timeout", "memory", "ephemeral_storage", "environment", "description")


def load_configured_functions(console: Console, entries: tuple) -> None:
    """Create or update each function the config file names; ConfigError naming the entry when one is refused."""
    where = console.config.data_dir / CONFIG_FILE
    for number, entry in enumerate(entries, 1):
        label = f"{where}: functions[{number - 1}]"
        unknown = sorted(set(entry) - {"name", "code", *_SETTINGS})
        if unknown:
            raise ConfigError(f"{label}: unknown setting {unknown[0]!r}. A function takes name, code, "
                              f"{', '.join(_SETTINGS)}.")
        if "name" not in entry or "code" not in entry or "handler" not in entry:
            raise ConfigError(f"{label}: give at least \"name\", \"code\" (the function's folder) and \"handler\".")
        code = entry["code"]
        if isinstance(code, str) and code.strip() and not Path(code).expanduser().is_absolute():
            code = str(console.config.data_dir / code)
        settings = {key: entry[key] for key in _SETTINGS if key in entry and key != "handler"}
        try:
            if not console.function_exists(str(entry["name"])):
                console.create_folder_function(entry["name"], code, entry["handler"], **settings)
                continue
            current = console.get_function(entry["name"])
            folder = console.sources.check_folder(code)
            if current.code_folder != str(folder):
                console.update_function_code_folder(current.name, folder)
            changes = {key: value for key, value in {**settings, "handler": entry["handler"]}.items()
                       if CHECKS[key](value) != getattr(current, key)}
            if changes:
                console.update_function_configuration(current.name, **changes)
        except FunctionError as exc:
            raise ConfigError(f"{label} ({entry.get('name')!r}): {exc}") from None
