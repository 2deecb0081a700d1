"""The command line's input: its options read and checked, the event and the package read, the data folder opened.

Every mistake is an InputError whose message is complete: where, what, and what to do.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from console.core.limits import MAX_MEMORY, MAX_TIMEOUT, MIN_MEMORY, MIN_TIMEOUT

if TYPE_CHECKING:
    from console.core.console import Console

PROG_NAME = "lambda-console"
PACKAGE_HINT = "Pass the deployment package (.zip) or the folder holding the handler's code."


class InputError(click.UsageError):
    """A mistake in what the user passed. The message is complete: where, what, and what to do."""


# --- parsing the options ---------------------------------------------------------------------------------------


def _whole_number(option: str, text: str, low: int, high: int, unit: str) -> int:
    todo = f"Pass a whole number of {unit} from {low} to {high}."
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{option} {text}: not a whole number. {todo}") from None
    if not low <= value <= high:
        raise InputError(f"{option} {text}: out of Lambda's range. {todo}")
    return value


def timeout_option(ctx: click.Context, param: click.Parameter, value: str) -> int:
    return _whole_number("--timeout", value, MIN_TIMEOUT, MAX_TIMEOUT, "seconds")


def memory_option(ctx: click.Context, param: click.Parameter, value: str) -> int:
    return _whole_number("--memory", value, MIN_MEMORY, MAX_MEMORY, "megabytes")


def parse_environment(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """KEY=VALUE strings -> a function's environment variables, checked as Lambda checks them. A later KEY wins."""
    from console.core.function_rules import FunctionError, check_environment

    env: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--env {item}: no '=' in it. Write KEY=VALUE, for example --env STAGE=dev.")
        env[key] = value
    try:
        return check_environment(env)
    except FunctionError as exc:
        raise InputError(f"--env: {exc}") from None


def env_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, str]:
    return parse_environment(value)


def handler_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Only what Lambda's API refuses outright; a handler that cannot be found is the function's error (exit 1).
    from console.core.function_rules import FunctionError, check_handler

    try:
        return None if value is None else check_handler(value)
    except FunctionError as exc:
        raise InputError(f"--handler: {exc}") from None


def name_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from console.core.function_rules import FunctionError, check_name

    try:
        return None if value is None else check_name(value)
    except FunctionError as exc:
        raise InputError(f"--name: {exc}") from None


def stdin() -> IO[bytes]:
    # Standard input as bytes (click.get_binary_stream is deprecated from Click 8.5 on).
    return sys.stdin.buffer


# --- reading the event and the package -------------------------------------------------------------------------


def read_event(source: str | None, stdin: IO[bytes]) -> bytes:
    """The event's bytes, unchanged, once they are known to be one JSON value. None means `{}`; `-` reads stdin."""
    from console.core.event_json import EventError, check_event

    if source is None:
        return b"{}"
    where = "stdin" if source == "-" else source
    todo = "Pass a JSON file, - to read standard input, or leave out --event to send {}."
    if source == "-":
        data = stdin.read()
    else:
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise InputError(f"{where}: no such event file. {todo}") from None
        except IsADirectoryError:
            raise InputError(f"{where}: a folder, not an event file. {todo}") from None
        except OSError as exc:
            raise InputError(f"{where}: cannot be read ({exc.strerror}). {todo}") from None
    try:
        check_event(data, where)
    except EventError as exc:
        message = str(exc)
        # A syntax error says where; say what to do as well.
        raise InputError(message if message.endswith(".") else f"{message}. Fix the event: it must be one JSON value.")
    return data


def check_package(path: str) -> Path:
    """The package as a Path, once it is known to be a folder, or a zip that passes the package store's checks.

    The checks that need only the zip's table of contents run here, before anything is unpacked: the same ones a
    package uploaded to the console gets (console.core.packages), with the same messages after the file's name.
    """
    from console.core.zipcheck import NotAZipFile, PackageError, check_zip

    package = Path(path)
    if package.is_dir():
        return package
    if not package.exists():
        raise InputError(f"{path}: no such file or folder. {PACKAGE_HINT}")
    try:
        check_zip(package)
    except NotAZipFile as exc:
        # Here a folder would do as well as a zip: say so rather than "upload a zip".
        raise InputError(f"{path}: {exc.problem}. {PACKAGE_HINT}") from None
    except PackageError as exc:
        raise InputError(f"{path}: {exc.problem}. {exc.todo}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}). {PACKAGE_HINT}") from None
    return package


def unpack(package: Path, into: Path) -> None:
    """Unzip a package checked by check_package into the empty folder `into`, counting what it really unzips to."""
    from console.core.unzip import unpack_zip
    from console.core.zipcheck import PackageError

    try:
        unpack_zip(package, into)
    except PackageError as exc:
        raise InputError(f"{package}: {exc.problem}. {exc.todo}") from None
    except OSError as exc:
        raise InputError(f"{package}: cannot be unpacked ({exc}). Create the zip again.") from None


def default_name(package: Path) -> str:
    """A function name Lambda accepts, from the package's file or folder name."""
    stem = package.resolve().stem if package.is_file() else package.resolve().name
    return re.sub(r"[^A-Za-z0-9_-]", "-", stem)[:64] or "function"


def layout_hint(package: Path, code_dir: Path, handler: str) -> str | None:
    """When the handler's module sits one folder down, the classic zip mistake: say what to do instead."""
    from console.core.discovery import wrapping_folder

    module = handler.rsplit(".", 1)[0].replace(".", "/")
    candidates = (f"{module}.py", f"{module}/__init__.py")
    folder = wrapping_folder(code_dir)
    if folder is not None and any((code_dir / folder / c).is_file() for c in candidates):
        if package.is_dir():
            return f"Hint: {module} is in {package / folder}; pass that folder instead."
        return (
            f"Hint: {package} holds the folder {folder}/ with {module} inside; zip the folder's contents, "
            f"not the folder (or pass --handler {folder}/{handler})."
        )
    return None



# --- the data folder and the Console ------------------------------------------------------------------



DATA_DIR_HELP = (
    "Where functions, packages, saved events and history are kept. Default: $LAMBDA_CONSOLE_DATA, else instance/ "
    "in a checkout, the user's data folder (~/.local/share/lambda-console on Linux) for an installed console."
)




def data_dir_after(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    # The group's callback has run by now (click parses a subcommand's options after it), so ctx.obj holds the
    # folder given before the subcommand, if any.
    if value is None:
        return
    before = ctx.obj.get("data_dir")
    if before is not None and Path(before).resolve() != value.resolve():
        raise InputError(f"--data-dir {before} and --data-dir {value}: two data folders. Give one of them.")
    ctx.obj["data_dir"] = value


# `lambda-console --data-dir D serve` and `lambda-console serve --data-dir D` are the same command.
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR", help=DATA_DIR_HELP,
    expose_value=False, is_eager=True, callback=data_dir_after,
)


PROFILE_HELP = (
    "An AWS profile whose credentials handlers get, as Lambda gives them the execution role's (resolved by "
    "botocore: keys, SSO, assume-role). Without it handlers get no AWS credentials."
)
profile_option = click.option("--profile", metavar="NAME", help=PROFILE_HELP)
assume_role_option = click.option(
    "--assume-role", is_flag=True,
    help="With --profile: hand each function its own Role's credentials, assumed through STS with the profile's, as "
         "Lambda does (a function without a Role gets the profile's own).",
)


def handed_credentials(profile: str | None) -> dict[str, str]:
    """The variables that hand a profile's credentials to a handler; none without a profile."""
    if not profile:
        return {}
    from console.core.credentials import CredentialsError, ProfileCredentials

    try:
        return ProfileCredentials(profile).current().environment()
    except CredentialsError as exc:
        raise InputError(str(exc)) from None


def credentials_hint(error_type: str | None) -> str | None:
    """What to do when a handler found no AWS credentials (nothing is imported for a success)."""
    if error_type is None:
        return None
    from console.core.credentials import credentials_hint as hint

    said = hint(error_type)
    return f"Hint: {said}" if said else None


def open_console(ctx: click.Context, *, profile: str | None = None, assume_role: bool = False) -> Console:
    """The Console over the data folder the command line names; closed when the command ends."""
    from console.config import ConfigError, credential_settings, load_config
    from console.core.console import Console
    from console.core.credentials import CredentialsError
    from console.core.store import StoreError

    try:
        # A command runs and ends: only a serving console watches folder functions' folders.
        given = {**(credential_settings(profile, assume_role) or {}), "watch_folders": False}
        console = Console(load_config(ctx.obj["data_dir"], given))
    except (ConfigError, StoreError, CredentialsError) as exc:
        raise InputError(str(exc)) from None
    ctx.call_on_close(console.close)
    return console


def function_error(name: str) -> InputError:
    return InputError(f"{name}: no such function. See '{PROG_NAME} functions' for the functions there are.")


def console_with(ctx: click.Context, function: str) -> Console:
    """The Console, once `function` is known to exist there."""
    console = open_console(ctx)
    if not console.function_exists(function):
        raise function_error(function)
    return console
