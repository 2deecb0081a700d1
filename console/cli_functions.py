"""`lambda-console functions add`: a folder function, created from the command line."""

from __future__ import annotations

import time

import click

from console.cli_input import (
    InputError,
    data_dir_option,
    env_option,
    handler_option,
    memory_option,
    open_console,
    timeout_option,
)
from console.core.limits import MAX_MEMORY, MAX_TIMEOUT, MIN_MEMORY, MIN_TIMEOUT


@click.command("add")
@data_dir_option
@click.argument("name")
@click.option("--code", "folder", required=True, metavar="FOLDER",
              help="The folder of the function's code, run where it is: a saved file reloads the function, and a "
                   "requirements.txt in it is installed.")
@click.option("--handler", required=True, callback=handler_option, help="file.function, like app.handler.")
@click.option("--runtime", metavar="python3.X", help="The runtime Lambda would run (default: this Python's).")
@click.option("--timeout", default="3", show_default=True, callback=timeout_option,
              help=f"Seconds, {MIN_TIMEOUT} to {MAX_TIMEOUT}.")
@click.option("--memory", default="128", show_default=True, callback=memory_option,
              help=f"MB, {MIN_MEMORY} to {MAX_MEMORY}.")
@click.option("--env", "environment", multiple=True, metavar="KEY=VALUE", callback=env_option,
              help="An environment variable (repeatable).")
@click.pass_context
def functions_add(ctx: click.Context, name: str, folder: str, handler: str, runtime: str | None, timeout: int,
                  memory: int, environment: dict[str, str]) -> None:
    """Add a function whose code is a folder on this machine, and wait for its requirements.txt to install."""
    from pathlib import Path

    from console.core.functions import FunctionError

    console = open_console(ctx)
    absolute = str(Path(folder).expanduser().absolute()) if folder.strip() else folder
    try:
        function = console.create_folder_function(name, absolute, handler, runtime=runtime, timeout=timeout,
                                                  memory=memory, environment=environment)
    except FunctionError as exc:
        option = {"code": "--code", "name": "NAME"}.get(exc.field, f"--{exc.field}")
        raise InputError(f"{option}: {exc}") from None
    state = console.function_state(function)
    if state.state == "Pending":
        click.echo("Installing the dependencies of requirements.txt...", err=True)
        while (state := console.function_state(function)).state == "Pending":
            time.sleep(0.2)
    if state.state == "Failed":
        log = state.install.log if state.install else ""
        click.echo(log, err=True, nl=False)
        raise InputError(f"{name} was added, but its dependencies failed to install: {state.reason}")
    click.echo(f"Added {name}: {function.handler} from {function.code_folder}")
