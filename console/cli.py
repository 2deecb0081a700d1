"""The `lambda-console` command line (click, as Flask uses it).

`lambda-console invoke` runs one handler once, the way the Lambda console's Test button does: the response payload
goes to stdout, the function's log (START, handler output, END, REPORT) to stderr. Exit status: 0 when the function
succeeded, 1 when it failed (the payload is then Lambda's error payload), 2 when the command itself was wrong.

Every mistake in the input is reported as one line, `Error: <where>: <what>. <what to do>.`, never a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from console.cli_events import events
from console.cli_functions import functions_add
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
from console.cli_layers import layers
from console.cli_remotes import deploy, remotes
from console.core.function_rules import RUNTIMES

# Lambda's limits are part of the options' help. The store and its domain modules are imported inside the commands
# that use them: `invoke` needs no database.
from console.core.limits import MAX_MEMORY, MAX_TIMEOUT, MIN_MEMORY, MIN_TIMEOUT
from console.engine.invocation import LOCAL_RUNTIME, RUNTIME_CLIENTS, FunctionSpec, InvocationResult

if TYPE_CHECKING:
    from console.core.history import InvocationRecord
    from console.core.sam_load import TemplateOptions
    from console.engine.interpreters import Choice

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lambda-console", prog_name=PROG_NAME)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR", help=DATA_DIR_HELP)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """A local AWS Lambda console for Python handlers."""
    ctx.obj = {"data_dir": data_dir}



@cli.command()
@click.argument("path", metavar="[PATH|LOGICAL_ID]", required=False)
@click.option(
    "--handler",
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
    "--runtime",
    type=click.Choice(RUNTIMES),
    default=None,
    metavar="python3.X",
    help="The function's runtime: it runs on that Python where one is installed (on the PATH, uv's or pyenv's, or "
    "named in LAMBDA_CONSOLE_INTERPRETERS as python3.12=/path), else on the console's own. Default: the console's.",
)
@click.option(
    "--name",
    callback=name_option,
    metavar="NAME",
    help="The function's name, as the context reports it. Default: from PATH.",
)
@profile_option
@click.option("--template", "-t", metavar="FILE",
              help="A SAM or CloudFormation template (template.yaml, or .aws-sam/build/template.yaml): run its function "
              "LOGICAL_ID, as sam local invoke does, with the template's handler, settings and layers.")
@click.option("--parameter-overrides", "parameter_overrides", multiple=True, metavar="KEY=VALUE ...",
              help="The template's parameters, as SAM takes them: 'Stage=prod Greeting=Hi' or "
              "'ParameterKey=Stage,ParameterValue=prod'.")
@click.option("--env-vars", metavar="FILE",
              help='SAM\'s environment variables file: {"Parameters": {...}, "LogicalId": {...}}. It sets only the '
              "variables the function declares.")
@click.pass_context
def invoke(
    ctx: click.Context,
    path: str | None,
    handler: str | None,
    event_source: str | None,
    timeout: int,
    memory: int,
    environment: dict[str, str],
    runtime_client: str,
    runtime: str | None,
    name: str | None,
    profile: str | None,
    template: str | None,
    parameter_overrides: tuple[str, ...],
    env_vars: str | None,
) -> int:
    """Invoke a handler once, as the Lambda console's Test button does.

    PATH is the deployment package: a .zip, or a folder holding the code. The response payload is printed on
    stdout exactly as Lambda returns it, followed by one newline; the function's log goes to stderr.
    Exit status: 0 if the function succeeded, 1 if it failed, 2 if the command was wrong.

    With --template, the function is the template's LOGICAL_ID (which may be left out when the template has only
    one), with its handler, settings, environment and layers; --timeout and --memory, when given, win over the
    template's, and --env adds variables.

    \b
    Examples:
      lambda-console invoke hello_python.zip --handler hello_python.my_handler --event event.json
      lambda-console invoke --template template.yaml HelloWorldFunction --event events/event.json
    """
    layers: tuple[Path, ...] = ()
    settings: dict[str, Any] = {}  # the FunctionSpec's other settings, from a template
    if template is not None:
        from console.cli_template import template_options

        path, handler, name, timeout, memory, environment, layers, settings = template_options(
            ctx, template, path, handler, name, parameter_overrides, env_vars, environment)
    else:
        if parameter_overrides:
            raise InputError("--parameter-overrides: parameters belong to a template; pass --template too.")
        if path is None or handler is None:
            missing = "argument 'PATH'" if path is None else "option '--handler'"
            raise click.UsageError(f"Missing {missing}.", ctx)
        if env_vars is not None:
            from console.cli_template import apply_env_vars

            environment, notes = apply_env_vars(env_vars, name or default_name(Path(path)), environment)
            for note in notes:
                click.echo(note, err=True)
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
        # --runtime, else the template's, else the console's own.
        choice = _interpreter(runtime or settings.pop("runtime", None) or LOCAL_RUNTIME, runtime_client)
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
                layers=layers,
                **settings,
                runtime=choice.runtime,
                interpreter=choice.interpreter,
                interpreter_note=choice.note,
            )
        except ValueError as exc:
            raise InputError(f"{exc}. See '{PROG_NAME} invoke --help'.") from None
        result = _run(spec, payload)
        # A zip of the folder makes `import hello_python` find the folder (a namespace package): either error follows.
        misplaced = result.error_type in ("Runtime.ImportModuleError", "Runtime.HandlerNotFound")
        # A template's function has the reader's warning about its handler instead (printed before the run).
        hint = (layout_hint(package, code_dir, handler) if misplaced and template is None
                else None if misplaced else credentials_hint(result.error_type))
    _write_result(result, hint)
    return 0 if result.succeeded else 1


def _interpreter(runtime: str, runtime_client: str) -> Choice:
    """The Python that runs `runtime` for a one-shot invoke: LAMBDA_CONSOLE_INTERPRETERS' mapping, else what is
    installed, else the console's own."""
    from console.engine.interpreters import InterpreterError, Interpreters, parse_mapping

    named = os.environ.get("LAMBDA_CONSOLE_INTERPRETERS", "")
    try:
        mapping = parse_mapping(named) if named else {}
    except InterpreterError as exc:
        raise InputError(f"LAMBDA_CONSOLE_INTERPRETERS: {exc}") from None
    return Interpreters(mapping).choose(runtime, runtime_client)


def _run(spec: FunctionSpec, payload: bytes) -> InvocationResult:
    # Imported here: the engine is the heavy part, and `--help` or a bad option should not wait for it.
    from console.engine import Engine

    with Engine() as engine:
        return engine.invoke(spec, payload)


def _write_result(result: InvocationResult | InvocationRecord, hint: str | None) -> None:
    err = sys.stderr
    log = result.log if result.log.endswith("\n") or not result.log else result.log + "\n"
    err.write(log)
    if result.interpreter_note:
        # Beside the log, never in the payload on stdout.
        err.write(f"Note: {result.interpreter_note}.\n")
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
@click.option("--template", "-t", "templates", multiple=True, metavar="FILE",
              help="A SAM template (template.yaml, or .aws-sam/build/template.yaml; repeatable): each function that "
              "runs here is served as a folder function named by its logical id, with its layers and the project's "
              "events/*.json, and a saved template updates the list.")
@click.option("--parameter-overrides", "parameter_overrides", multiple=True, metavar="KEY=VALUE ...",
              help="With --template: the templates' parameters, as SAM takes them: 'Stage=prod Greeting=Hi'.")
@click.option("--env-vars", metavar="FILE",
              help='SAM\'s environment variables file, {"Parameters": {...}, "LogicalId": {...}}, for the templates\' '
              "functions and every folder function (by name). It sets only the variables a function declares.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, api_port: int | None, require_auth: bool,
          allowed_hosts: tuple[str, ...], debug: bool, profile: str | None, assume_role: bool,
          templates: tuple[str, ...], parameter_overrides: tuple[str, ...], env_vars: str | None) -> None:
    """Serve the web console and, on the same port, the AWS Lambda REST API; function URLs on --api-port.

    \b
    Point boto3 or the AWS CLI at the printed URL:
      aws lambda list-functions --endpoint-url http://127.0.0.1:8000 --region us-east-1
    """
    from console.serving import ServeError
    from console.serving import serve as run_server

    try:
        run_server(ctx.obj["data_dir"], host=host, port=port, require_auth=require_auth, allowed_hosts=allowed_hosts,
                   debug=debug, profile=profile, assume_role=assume_role, api_port=api_port,
                   templates=_serve_templates(templates, parameter_overrides, env_vars))
    except ServeError as exc:
        raise InputError(str(exc)) from None


def _serve_templates(templates: tuple[str, ...], overrides: tuple[str, ...],
                     env_vars: str | None) -> TemplateOptions | None:
    """serve's --template options, checked; None without --template."""
    if not templates and overrides:
        raise InputError("--parameter-overrides: parameters belong to a template; pass --template FILE too.")
    if not templates and not env_vars:
        return None
    from console.core.sam_load import TemplateOptions
    from console.core.sam_local import OverrideError, parse_parameter_overrides

    try:
        values = parse_parameter_overrides(overrides)
    except OverrideError as exc:
        raise InputError(str(exc)) from None
    return TemplateOptions(tuple(Path(path) for path in templates), values,
                           Path(env_vars) if env_vars is not None else None)


# --- the stored functions ---------------------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def functions(ctx: click.Context, as_json: bool) -> None:
    """List the functions: name, handler, runtime, memory, timeout and last result (`functions add` adds one)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = open_console(ctx).summary()
    if as_json:
        click.echo(json.dumps([
            {
                "name": row.function.name,
                "handler": row.function.handler,
                "runtime": row.function.runtime,
                "runtime_deprecated_since": row.function.deprecated_since,
                "memory": row.function.memory,
                "timeout": row.function.timeout,
                "description": row.function.description,
                "last_result": row.last_status,
                "last_invoked": row.last_at,
                "last_test_run": None if row.last_test is None else {
                    "passed": row.last_test.passed, "failed": row.last_test.failed,
                    "finished_at": row.last_test.finished_at,
                },
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
        runtime = f"{function.runtime} (deprecated)" if function.deprecated_since else function.runtime
        table.append((function.name, function.handler, runtime, f"{function.memory} MB",
                      f"{function.timeout} s", last))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1])


@cli.command()
@data_dir_option
@click.argument("names", nargs=-1, metavar="FUNCTION...")
@click.option("--all", "run_all", is_flag=True,
              help="Run every saved event that has an expectation, of the FUNCTIONs named or of all, as tests.")
@click.option("--junit", metavar="FILE", help="With --all: also write the results as JUnit XML, for CI.")
@click.option("--remote", metavar="NAME", help="With --all: run the saved events on the remote's deployed functions "
              "of the same names (see 'remotes').")
@click.option("--event", "event_name", metavar="NAME", help="A saved event of the function. Default: {}.")
@click.option("--event-file", metavar="FILE|-", help="The event from a JSON file, or - for standard input.")
@click.option("--version", "version", default="$LATEST", show_default=True, help="The version to run.")
@profile_option
@assume_role_option
@click.pass_context
def test(ctx: click.Context, names: tuple[str, ...], run_all: bool, junit: str | None, remote: str | None,
         event_name: str | None, event_file: str | None, version: str, profile: str | None, assume_role: bool) -> int:
    """Run a stored function as its Test button does, and record it in the function's history.

    The response payload is printed on stdout, the log on stderr; exit status 0 if the function succeeded, 1 if it
    failed, 2 if the command was wrong.

    With --all, run the saved events that have expectations as tests: one line per event, the diff of each failure,
    and `N passed, M failed`; exit status 0 if all passed, 1 if any failed.
    """
    from console.core.events import EventNotFound
    from console.core.functions import FunctionNotFound

    if run_all:
        from console.cli_tests import run_all as run_saved_tests

        if event_name or event_file or version != "$LATEST":
            raise InputError("--all runs each saved event on $LATEST: leave out --event, --event-file and --version.")
        return run_saved_tests(ctx, names, junit, profile, assume_role, remote)
    if remote:
        raise InputError("--remote: only with --all, which runs the saved events as tests on the remote.")
    if junit:
        raise InputError("--junit: only with --all, which runs the saved events as tests.")
    if len(names) != 1:
        raise InputError("test: give one function's name (or --all to run the saved events of several as tests).")
    name = names[0]
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
cli.add_command(layers)
cli.add_command(remotes)
cli.add_command(deploy)
functions.add_command(functions_add)


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
