"""The `lambda-console` command line (click, as Flask uses it).

`lambda-console invoke` runs one handler once, the way the Lambda console's Test button does: the response payload
goes to stdout, the function's log (START, handler output, END, REPORT) to stderr. Exit status: 0 when the function
succeeded, 1 when it failed (the payload is then Lambda's error payload), 2 when the command itself was wrong.

Every mistake in the input is reported as one line, `Error: <where>: <what>. <what to do>.`, never a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import re
import signal
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

import click

# The engine's limits are part of the options' help; the engine is what `invoke` runs, so it is loaded anyway. The
# store and its domain modules are imported inside the commands that use them: `invoke` needs no database.
from console.core.limits import MAX_MEMORY, MAX_TIMEOUT, MIN_MEMORY, MIN_TIMEOUT
from console.engine.invocation import RUNTIME_CLIENTS, FunctionSpec, InvocationResult

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.history import InvocationRecord

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


def _timeout_option(ctx: click.Context, param: click.Parameter, value: str) -> int:
    return _whole_number("--timeout", value, MIN_TIMEOUT, MAX_TIMEOUT, "seconds")


def _memory_option(ctx: click.Context, param: click.Parameter, value: str) -> int:
    return _whole_number("--memory", value, MIN_MEMORY, MAX_MEMORY, "megabytes")


def parse_environment(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """KEY=VALUE strings -> a function's environment variables, checked as Lambda checks them. A later KEY wins."""
    from console.core.functions import FunctionError, check_environment

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


def _env_option(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, str]:
    return parse_environment(value)


def _handler_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # Only what Lambda's API refuses outright; a handler that cannot be found is the function's error (exit 1).
    from console.core.functions import FunctionError, check_handler

    try:
        return check_handler(value)
    except FunctionError as exc:
        raise InputError(f"--handler: {exc}") from None


def _name_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from console.core.functions import FunctionError, check_name

    try:
        return None if value is None else check_name(value)
    except FunctionError as exc:
        raise InputError(f"--name: {exc}") from None


def _stdin() -> IO[bytes]:
    # Standard input as bytes (click.get_binary_stream is deprecated from Click 8.5 on).
    return sys.stdin.buffer


# --- reading the event and the package -------------------------------------------------------------------------


def read_event(source: str | None, stdin: IO[bytes]) -> bytes:
    """The event's bytes, unchanged, once they are known to be one JSON value. None means `{}`; `-` reads stdin."""
    from console.core.events import EventError, check_event

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
    from console.core.zipcheck import PackageError, unpack_zip

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


# --- the commands ----------------------------------------------------------------------------------------------


DATA_DIR_HELP = (
    "Where functions, packages, saved events and history are kept. Default: $LAMBDA_CONSOLE_DATA, else instance/ "
    "in a checkout, the user's data folder (~/.local/share/lambda-console on Linux) for an installed console."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lambda-console", prog_name=PROG_NAME)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR", help=DATA_DIR_HELP)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """A local AWS Lambda console for Python handlers."""
    ctx.obj = {"data_dir": data_dir}


def _data_dir_after(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
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
    expose_value=False, is_eager=True, callback=_data_dir_after,
)


def open_console(ctx: click.Context) -> Console:
    """The Console over the data folder the command line names; closed when the command ends."""
    from console.config import ConfigError, load_config
    from console.core.console import Console
    from console.core.store import StoreError

    try:
        console = Console(load_config(ctx.obj["data_dir"]))
    except (ConfigError, StoreError) as exc:
        raise InputError(str(exc)) from None
    ctx.call_on_close(console.close)
    return console


@cli.command()
@click.argument("path", metavar="PATH")
@click.option(
    "--handler",
    required=True,
    callback=_handler_option,
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
    callback=_timeout_option,
    metavar="SECONDS",
    show_default=True,
    help=f"Stop the function after this many seconds ({MIN_TIMEOUT}-{MAX_TIMEOUT}).",
)
@click.option(
    "--memory",
    default="128",
    callback=_memory_option,
    metavar="MB",
    show_default=True,
    help=f"The function's memory size ({MIN_MEMORY}-{MAX_MEMORY}); a worker that uses more is stopped.",
)
@click.option(
    "--env",
    "environment",
    multiple=True,
    callback=_env_option,
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
    callback=_name_option,
    metavar="NAME",
    help="The function's name, as the context reports it. Default: from PATH.",
)
def invoke(
    path: str,
    handler: str,
    event_source: str | None,
    timeout: int,
    memory: int,
    environment: dict[str, str],
    runtime_client: str,
    name: str | None,
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
    payload = read_event(event_source, _stdin())
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
            )
        except ValueError as exc:
            raise InputError(f"{exc}. See '{PROG_NAME} invoke --help'.") from None
        result = _run(spec, payload)
        # A zip of the folder makes `import hello_python` find the folder (a namespace package): either error follows.
        misplaced = result.error_type in ("Runtime.ImportModuleError", "Runtime.HandlerNotFound")
        hint = layout_hint(package, code_dir, handler) if misplaced else None
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


LOOPBACK = ("127.0.0.1", "localhost", "::1")


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
@click.option("--auth", "require_auth", is_flag=True,
              help="Require authentication on loopback too: on a machine shared with other users.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name the console answers to besides loopback names (without authentication, the Host "
              "header is checked against DNS rebinding).")
@click.option("--debug", is_flag=True, help="Flask's development server with its debugger (loopback only, no --auth).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, require_auth: bool, allowed_hosts: tuple[str, ...],
          debug: bool) -> None:
    """Serve the web console and, on the same port, the AWS Lambda REST API.

    \b
    Point boto3 or the AWS CLI at the printed URL:
      aws lambda list-functions --endpoint-url http://127.0.0.1:8000 --region us-east-1
    """
    from console.app import EXTENSION, create_app
    from console.config import ConfigError, load_config
    from console.core.store import StoreError
    from console.security import Authentication

    loopback = host in LOOPBACK or host.startswith("127.")
    if debug and (require_auth or not loopback):
        raise InputError("--debug: the debugger runs code typed in a browser; it is for 127.0.0.1 only, "
                         "without --auth.")
    # Before anything is created: a port another program holds must leave no data folder and no database behind.
    _check_listen(host, port)
    from console.errorlog import log_to_stderr

    log_to_stderr()
    try:
        config = load_config(ctx.obj["data_dir"])
        auth = None
        if require_auth or not loopback:
            auth = Authentication.create(config.token, config.access_key_id, config.secret_access_key)
        hosts = [*allowed_hosts, *config.allowed_hosts.split(",")]
        app = create_app({"DATA_DIR": config.data_dir, "AUTHENTICATION": auth, "ALLOWED_HOSTS": hosts})
    except (ConfigError, StoreError) as exc:
        raise InputError(str(exc)) from None
    console = app.extensions[EXTENSION]
    try:
        if debug:
            click.echo(f"lambda-console (debug) at http://{_url_host(host)}:{port}/", err=True)
            app.run(host=host, port=port, debug=True, use_reloader=False, threaded=True)
            return
        from console.serving import create_server

        server = create_server(app, console, host, port)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = f"http://{_url_host(shown)}:{server.effective_port}/"
        if auth is None:
            click.echo(f"lambda-console at {url}  (Lambda API endpoint: {url.rstrip('/')})", err=True)
        else:
            click.echo(f"lambda-console at {url}?token={auth.token}", err=True)
            click.echo(f"Lambda API endpoint: {url.rstrip('/')}  (requests signed with "
                       f"AWS_ACCESS_KEY_ID={auth.credentials.access_key_id} "
                       f"AWS_SECRET_ACCESS_KEY={auth.credentials.secret_access_key})", err=True)
            if not loopback:
                click.echo(f"Listening on {host}: other machines can reach this console; they need the token or "
                           "the keys above.", err=True)
        click.echo(f"Data: {console.config.data_dir}", err=True)
        def stop(signum: int, frame: object) -> None:
            # As Ctrl-C does: out of the serving loop at once, even while clients keep connections open.
            raise KeyboardInterrupt

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, stop)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    finally:
        console.close()


def _check_listen(host: str, port: int) -> None:
    """Refuse, in one line, an address the server could not listen on (a port in use above all)."""
    import errno
    import socket

    if port == 0:
        return  # the system picks a free port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: not an address of this machine ({exc.strerror}). "
                         "Pass an address such as 127.0.0.1 or 0.0.0.0.") from None
    family, kind, proto, _, address = infos[0]
    where = f"{_url_host(host)}:{port}"
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":
            # As waitress binds: a port left in TIME_WAIT by a console that just stopped is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"{where}: the port is in use (another program is listening there). Stop it, or "
                                 "pick another port with --port (0 picks a free one).") from None
            if exc.errno == errno.EACCES:
                raise InputError(f"{where}: not allowed to listen there (ports below 1024 need privileges). Pick "
                                 "another port with --port.") from None
            raise InputError(f"{where}: cannot listen there ({exc.strerror}). Pass an address of this machine "
                             "with --host.") from None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


# --- the stored functions ---------------------------------------------------------------------------------------


def _function_error(name: str) -> InputError:
    return InputError(f"{name}: no such function. See '{PROG_NAME} functions' for the functions there are.")


def _console_with(ctx: click.Context, function: str) -> Console:
    """The Console, once `function` is known to exist there."""
    console = open_console(ctx)
    if not console.function_exists(function):
        raise _function_error(function)
    return console


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
                "name": row["function"].name,
                "handler": row["function"].handler,
                "runtime": row["function"].runtime,
                "memory": row["function"].memory,
                "timeout": row["function"].timeout,
                "description": row["function"].description,
                "last_result": row["last_status"],
                "last_invoked": row["last_at"],
            }
            for row in rows
        ], indent=2))
        return
    if not rows:
        click.echo("No functions yet.")
        return
    table = [("NAME", "HANDLER", "RUNTIME", "MEMORY", "TIMEOUT", "LAST RESULT")]
    for row in rows:
        function = row["function"]
        last = f"{row['last_status']} {row['last_at']}" if row["last_status"] else "never invoked"
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
@click.pass_context
def test(ctx: click.Context, name: str, event_name: str | None, event_file: str | None, version: str) -> int:
    """Run a stored function as its Test button does, and record it in the function's history.

    The response payload is printed on stdout, the log on stderr; exit status 0 if the function succeeded, 1 if it
    failed, 2 if the command was wrong.
    """
    from console.core.events import EventNotFound
    from console.core.functions import FunctionNotFound

    if event_name and event_file:
        raise InputError("--event and --event-file: give one of them, not both.")
    console = open_console(ctx)
    try:
        console.get_function(name, version)
    except FunctionNotFound:
        raise _function_error(name if version == "$LATEST" else f"{name}:{version}") from None
    payload = None if event_name else read_event(event_file, _stdin())
    try:
        record = console.test(name, event_name, payload=payload, version=version, source="cli")
    except EventNotFound:
        saved = ", ".join(event.name for event in console.list_events(name)) or "none"
        raise InputError(f"--event {event_name}: {name} has no saved event of that name (it has: {saved}).") from None
    _write_result(record, record.not_kept and f"Warning: {record.not_kept}")
    return 0 if record.succeeded else 1


@cli.group()
def events() -> None:
    """Saved test events: list them, export them, import them."""


@events.command("list")
@data_dir_option
@click.argument("function")
@click.pass_context
def events_list(ctx: click.Context, function: str) -> None:
    """List a function's saved events."""
    console = _console_with(ctx, function)
    for event in console.list_events(function):
        click.echo(event.name)


@events.command("export")
@data_dir_option
@click.argument("function")
@click.argument("destination", metavar="FOLDER|FILE|-")
@click.option("--bundle", is_flag=True, help="Write one JSON bundle (to FILE, or - for standard output).")
@click.pass_context
def events_export(ctx: click.Context, function: str, destination: str, bundle: bool) -> None:
    """Export a function's saved events: a folder of <name>.json files (SAM's events/ habit), or one bundle."""
    from console.core.events import EventError

    console = _console_with(ctx, function)
    try:
        if bundle:
            text = str(console.export_events(function))
            if destination == "-":
                click.echo(text)
                return
            Path(destination).write_text(text + "\n")
            count = len(console.list_events(function))
            click.echo(f"Exported {count} event(s) of {function} to {destination}.", err=True)
        else:
            written = console.export_events(function, Path(destination))
            click.echo(f"Exported {len(written)} event(s) of {function} to {destination}/.", err=True)
    except (EventError, OSError) as exc:
        raise InputError(f"{destination}: {exc}") from None


@events.command("import")
@data_dir_option
@click.argument("function")
@click.argument("source", metavar="FOLDER|FILE|-")
@click.option("--replace", is_flag=True, help="Overwrite saved events that have the same names.")
@click.pass_context
def events_import(ctx: click.Context, function: str, source: str, replace: bool) -> None:
    """Import saved events from a folder of <name>.json files, or from a bundle (FILE, or - for standard input)."""
    from console.core.events import EventError

    console = _console_with(ctx, function)
    try:
        if source == "-":
            imported = console.import_events(function, _stdin().read(), replace=replace)
        elif Path(source).is_dir():
            imported = console.import_events(function, Path(source), replace=replace)
        elif Path(source).is_file():
            imported = console.import_events(function, Path(source).read_bytes(), replace=replace)
        else:
            raise InputError(f"{source}: no such folder or file. Pass a folder of <name>.json files or a bundle.")
    except EventError as exc:
        # An import's problems can take several lines (one per bad file): keep them, after the source.
        raise InputError(f"{source}: {exc}") from None
    click.echo(f"Imported {len(imported)} event(s) into {function}: {', '.join(e.name for e in imported)}.", err=True)


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
