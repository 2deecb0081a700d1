"""The `lambda-console` command line (click, as Flask uses it).

`lambda-console invoke` runs one handler once, the way the Lambda console's Test button does: the response payload
goes to stdout, the function's log (START, handler output, END, REPORT) to stderr. Exit status: 0 when the function
succeeded, 1 when it failed (the payload is then Lambda's error payload), 2 when the command itself was wrong.

Every mistake in the input is reported as one line, `Error: <where>: <what>. <what to do>.`, never a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from console.cli_events import events
from console.cli_input import (
    DATA_DIR_HELP,
    PROG_NAME,
    InputError,
    assume_role_option,
    check_package,
    credentials_hint,
    data_dir_option,
    default_name,
    env_option,
    function_error,
    handed_credentials,
    handler_option,
    layout_hint,
    memory_option,
    name_option,
    open_console,
    profile_option,
    read_event,
    stdin,
    timeout_option,
    unpack,
)

# Lambda's limits are part of the options' help. The store and its domain modules are imported inside the commands
# that use them: `invoke` needs no database.
from console.core.limits import MAX_MEMORY, MAX_TIMEOUT, MIN_MEMORY, MIN_TIMEOUT
from console.engine.invocation import RUNTIME_CLIENTS, FunctionSpec, InvocationResult

if TYPE_CHECKING:
    from console.core.history import InvocationRecord

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lambda-console", prog_name=PROG_NAME)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR", help=DATA_DIR_HELP)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """A local AWS Lambda console for Python handlers."""
    ctx.obj = {"data_dir": data_dir}



@cli.command()
@click.argument("path", metavar="PATH")
@click.option(
    "--handler",
    required=True,
    callback=handler_option,
    metavar="MODULE.FUNCTION",
    help="The function to call, as Lambda names it: hello_python.my_handler.",
)
@click.option(
    "--event",
    "event_source",
    metavar="FILE|-",
    help="The event: a JSON file, or - to read standard input. Default: {}.",
)
@click.option(
    "--timeout",
    default="3",
    callback=timeout_option,
    metavar="SECONDS",
    show_default=True,
    help=f"Stop the function after this many seconds ({MIN_TIMEOUT}-{MAX_TIMEOUT}).",
)
@click.option(
    "--memory",
    default="128",
    callback=memory_option,
    metavar="MB",
    show_default=True,
    help=f"The function's memory size ({MIN_MEMORY}-{MAX_MEMORY}); a worker that uses more is stopped.",
)
@click.option(
    "--env",
    "environment",
    multiple=True,
    callback=env_option,
    metavar="KEY=VALUE",
    help="An environment variable of the function; repeat for more.",
)
@click.option(
    "--runtime-client",
    type=click.Choice(RUNTIME_CLIENTS),
    default="bootstrap",
    show_default=True,
    help="The runtime interface client in the worker: ours (stdlib only) or AWS's awslambdaric.",
)
@click.option(
    "--name",
    callback=name_option,
    metavar="NAME",
    help="The function's name, as the context reports it. Default: from PATH.",
)
@profile_option
def invoke(
    path: str,
    handler: str,
    event_source: str | None,
    timeout: int,
    memory: int,
    environment: dict[str, str],
    runtime_client: str,
    name: str | None,
    profile: str | None,
) -> int:
    """Invoke a handler once, as the Lambda console's Test button does.

    PATH is the deployment package: a .zip, or a folder holding the code. The response payload is printed on
    stdout exactly as Lambda returns it, followed by one newline; the function's log goes to stderr.
    Exit status: 0 if the function succeeded, 1 if it failed, 2 if the command was wrong.

    \b
    Example:
      lambda-console invoke hello_python.zip --handler hello_python.my_handler --event event.json
    """
    package = check_package(path)
    payload = read_event(event_source, stdin())
    credentials = handed_credentials(profile)
    if runtime_client == "awslambdaric" and importlib.util.find_spec("awslambdaric") is None:
        raise InputError(
            "--runtime-client awslambdaric: awslambdaric is not installed. Install it with "
            "pip install 'lambda-console[ric]' (Linux only), or use --runtime-client bootstrap."
        )
    with ExitStack() as cleanup:
        if threading.current_thread() is threading.main_thread():
            # A plain `kill` must still remove the unpacked package and stop the worker: exit through the cleanups.
            previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
            cleanup.callback(signal.signal, signal.SIGTERM, previous)
        if package.is_dir():
            code_dir = package
        else:
            code_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="lambda-console-")))
            unpack(package, code_dir)
        try:
            spec = FunctionSpec(
                name=name or default_name(package),
                code_dir=code_dir.resolve(),
                handler=handler,
                timeout=timeout,
                memory=memory,
                environment=environment,
                runtime_client=runtime_client,
                credentials=credentials,
            )
        except ValueError as exc:
            raise InputError(f"{exc}. See '{PROG_NAME} invoke --help'.") from None
        result = _run(spec, payload)
        # A zip of the folder makes `import hello_python` find the folder (a namespace package): either error follows.
        misplaced = result.error_type in ("Runtime.ImportModuleError", "Runtime.HandlerNotFound")
        hint = layout_hint(package, code_dir, handler) if misplaced else credentials_hint(result.error_type)
    _write_result(result, hint)
    return 0 if result.succeeded else 1


def _run(spec: FunctionSpec, payload: bytes) -> InvocationResult:
    # Imported here: the engine is the heavy part, and `--help` or a bad option should not wait for it.
    from console.engine import Engine

    with Engine() as engine:
        return engine.invoke(spec, payload)


def _write_result(result: InvocationResult | InvocationRecord, hint: str | None) -> None:
    err = sys.stderr
    log = result.log if result.log.endswith("\n") or not result.log else result.log + "\n"
    err.write(log)
    if hint:
        err.write(hint + "\n")
    err.flush()
    # The payload's bytes untouched, then one newline so that a shell prompt or the next line starts clean;
    # `$(...)` and JSON parsers drop it, and a byte-exact copy is the output minus its last byte.
    out = sys.stdout.buffer
    out.write(result.payload + b"\n")
    out.flush()


# --- serving the web console and the Lambda API --------------------------------------------------------------


@cli.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. 127.0.0.1 is reachable from this machine only. Any other address "
              "(0.0.0.0, a LAN address) lets other machines reach the console, which runs the code it is given, so "
              "it then requires authentication: a token for the browser, given in the printed URL, and SigV4 "
              "credentials for the API (LAMBDA_CONSOLE_ACCESS_KEY_ID and LAMBDA_CONSOLE_SECRET_ACCESS_KEY; made up "
              "and printed when not set).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="The port; 0 picks a free one.")
@click.option("--api-port", default=None, type=click.IntRange(0, 65535),
              help="The port of function URLs, a separate origin from the console's (so a handler's pages can never "
                   "act as the console). Default: the console's port + 1; 0 picks a free one.")
@click.option("--auth", "require_auth", is_flag=True,
              help="Require authentication on loopback too: on a machine shared with other users.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name the console answers to besides loopback names (without authentication, the Host "
              "header is checked against DNS rebinding).")
@click.option("--debug", is_flag=True, help="Flask's development server with its debugger (loopback only, no --auth).")
@profile_option
@assume_role_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, api_port: int | None, require_auth: bool,
          allowed_hosts: tuple[str, ...], debug: bool, profile: str | None, assume_role: bool) -> None:
    """Serve the web console and, on the same port, the AWS Lambda REST API; function URLs on --api-port.

    \b
    Point boto3 or the AWS CLI at the printed URL:
      aws lambda list-functions --endpoint-url http://127.0.0.1:8000 --region us-east-1
    """
    from console.serving import ServeError
    from console.serving import serve as run_server

    try:
        run_server(ctx.obj["data_dir"], host=host, port=port, require_auth=require_auth, allowed_hosts=allowed_hosts,
                   debug=debug, profile=profile, assume_role=assume_role, api_port=api_port)
    except ServeError as exc:
        raise InputError(str(exc)) from None


# --- the stored functions ---------------------------------------------------------------------------------------


@cli.command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def functions(ctx: click.Context, as_json: bool) -> None:
    """List the functions: name, handler, runtime, memory, timeout and last result."""
    rows = open_console(ctx).summary()
    if as_json:
        click.echo(json.dumps([
            {
                "name": row.function.name,
                "handler": row.function.handler,
                "runtime": row.function.runtime,
                "memory": row.function.memory,
                "timeout": row.function.timeout,
                "description": row.function.description,
                "last_result": row.last_status,
                "last_invoked": row.last_at,
            }
            for row in rows
        ], indent=2))
        return
    if not rows:
        click.echo("No functions yet.")
        return
    table = [("NAME", "HANDLER", "RUNTIME", "MEMORY", "TIMEOUT", "LAST RESULT")]
    for row in rows:
        function = row.function
        last = f"{row.last_status} {row.last_at}" if row.last_status else "never invoked"
        table.append((function.name, function.handler, function.runtime, f"{function.memory} MB",
                      f"{function.timeout} s", last))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1])


@cli.command()
@data_dir_option
@click.argument("name")
@click.option("--event", "event_name", metavar="NAME", help="A saved event of the function. Default: {}.")
@click.option("--event-file", metavar="FILE|-", help="The event from a JSON file, or - for standard input.")
@click.option("--version", "version", default="$LATEST", show_default=True, help="The version to run.")
@profile_option
@assume_role_option
@click.pass_context
def test(ctx: click.Context, name: str, event_name: str | None, event_file: str | None, version: str,
         profile: str | None, assume_role: bool) -> int:
    """Run a stored function as its Test button does, and record it in the function's history.

    The response payload is printed on stdout, the log on stderr; exit status 0 if the function succeeded, 1 if it
    failed, 2 if the command was wrong.
    """
    from console.core.events import EventNotFound
    from console.core.functions import FunctionNotFound

    if event_name and event_file:
        raise InputError("--event and --event-file: give one of them, not both.")
    console = open_console(ctx, profile=profile, assume_role=assume_role)
    try:
        console.get_function(name, version)
    except FunctionNotFound:
        raise function_error(name if version == "$LATEST" else f"{name}:{version}") from None
    payload = None if event_name else read_event(event_file, stdin())
    try:
        record = console.test(name, event_name, payload=payload, version=version, source="cli")
    except EventNotFound:
        saved = ", ".join(event.name for event in console.list_events(name)) or "none"
        raise InputError(f"--event {event_name}: {name} has no saved event of that name (it has: {saved}).") from None
    _write_result(record, (record.not_kept and f"Warning: {record.not_kept}") or credentials_hint(record.error_type))
    return 0 if record.succeeded else 1


cli.add_command(events)


# --- the entry point -------------------------------------------------------------------------------------------


def _command_path(args: list[str]) -> str:
    """`lambda-console events export` from the arguments: the commands only, never values a secret might be in."""
    words, group = [PROG_NAME], cli
    for arg in args:
        command = group.commands.get(arg)
        if command is not None:
            words.append(arg)
            if not isinstance(command, click.Group):
                break
            group = command
    return " ".join(words)


def main(argv: list[str] | None = None) -> NoReturn:
    """`lambda-console` and `python -m console`: run the command line, turn every usage error into one line."""
    no_args_is_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    try:
        code = cli.main(args=argv, prog_name=PROG_NAME, standalone_mode=False)
    except no_args_is_help as exc:
        # A bare `lambda-console` asks what the tool does: answer with the help, not as an error.
        click.echo(exc.ctx.get_help())
        code = 0
    except InputError as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else PROG_NAME
        click.echo(f"Error: {exc.format_message()} See '{command} --help'.", err=True)
        code = exc.exit_code
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except click.Abort:
        # Ctrl-C: the engine and the unpacked package were already cleaned up on the way out.
        click.echo("Interrupted.", err=True)
        code = 130
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        # The traceback goes to the console's log, never the terminal (imported here: logging is not free at start).
        from console.errorlog import log_command_failure

        logged = log_command_failure(exc, _command_path(sys.argv[1:] if argv is None else argv))
        where = f" (details in {logged})" if logged else ""
        click.echo(f"Error: the console could not run the function: {type(exc).__name__}: {exc}{where}", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
