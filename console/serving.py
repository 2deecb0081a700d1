"""How `serve` runs the WSGI server (waitress), so the pages stay responsive whatever invocations are doing.

- Threads. A synchronous Invoke holds a server thread while its function runs, and the engine lets at most
  `max_environments` run and `max_queue` wait; past that it refuses at once with Lambda's 429. So the server has
  that many threads plus `PAGE_THREADS` more: invocations can never take them all, pages, JSON twins, static files
  and the running-status polls always find a free one, and an Invoke past the cap and the queue reaches the engine
  and gets its 429 instead of waiting for a thread. (A web Test and an Event invocation run as background jobs and
  hold no server thread.)
- Idle connections hold no thread (waitress reads and writes sockets in one event loop), but waitress stops
  accepting past `connection_limit` open connections (100 by default), and closes idle ones only after
  `channel_timeout` (120 s). So the limit is high (`CONNECTIONS`), idle connections close sooner (`IDLE_SECONDS`),
  the loop uses poll() (select() cannot watch descriptors past 1024), and the process may open enough files.
"""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from console.core.console import Console
    from console.core.sam_load import TemplateOptions

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Server threads kept free of invocations, for everything else.
PAGE_THREADS = 8
# Open connections accepted at once, and how long one may stay idle (no request in progress, nothing sent).
CONNECTIONS = 1000
IDLE_SECONDS = 30
# Files the process needs besides its connections: the database, packages, worker pipes and logs.
OTHER_FILES = 256


def server_settings(console: Console) -> dict[str, object]:
    """waitress's settings for this console's engine limits."""
    config = console.config
    connections = min(CONNECTIONS, max(64, _open_files_allowed(CONNECTIONS + OTHER_FILES) - OTHER_FILES))
    return {
        "threads": config.max_environments + config.max_queue + PAGE_THREADS,
        "connection_limit": connections,
        "channel_timeout": IDLE_SECONDS,
        "cleanup_interval": max(1, IDLE_SECONDS // 3),
        "asyncore_use_poll": True,
        "ident": "lambda-console",
    }


def create_server(app: Flask, console: Console, host: str, port: int) -> Any:
    """Bind the server for `app` (waitress's server: `run()` serves, `close()` stops), then resume the Event
    invocations an earlier run accepted but did not finish (they run in the background meanwhile)."""
    from waitress import create_server as waitress_server

    server = waitress_server(app, host=host, port=port, **server_settings(console))
    console.resume_jobs()
    return server


def create_front_server(console: Console, host: str, port: int, *, allowed_hosts: list[str], auth: Any) -> Any:
    """Bind the function URLs' own listener (console.http_front.server): as many threads as the engine can run and
    queue, plus a few, so that past its limits a request reaches the engine and gets Lambda's 429."""
    from waitress import create_server as waitress_server

    from console.http_front.server import FrontApp
    from console.sigv4 import Credentials

    def handed() -> list[Credentials]:
        return [Credentials(given.access_key_id, given.secret_access_key) for given in console.accepted_credentials()]

    app = FrontApp(console, allowed_hosts=allowed_hosts, any_host=auth is not None,
                   credentials=None if auth is None else auth.credentials, handed=handed)
    settings = {**server_settings(console), "threads": console.config.max_environments + console.config.max_queue + 4,
                "ident": "lambda-console-function-urls"}
    return waitress_server(app, host=host, port=port, **settings)


class ServeError(ValueError):
    """The server cannot start as asked: the message says why and what to do."""


def _open_files_allowed(wanted: int) -> int:
    """Raise the soft limit on open files toward `wanted` (up to the hard limit); the limit in force after."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return wanted
    target = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target


def serve(data_dir: Path | None, *, host: str, port: int, require_auth: bool = False,
          allowed_hosts: tuple[str, ...] = (), debug: bool = False, profile: str | None = None,
          assume_role: bool = False, api_port: int | None = None, templates: TemplateOptions | None = None) -> None:
    """`lambda-console serve`: the web console and the Lambda API on one port, function URLs on another (`api_port`,
    by default the next one), until Ctrl-C or SIGTERM.
    ServeError, before anything is stored, when it cannot start as asked."""
    from console.app import EXTENSION, create_app
    from console.config import ConfigError, credential_settings, load_config
    from console.core.credentials import CredentialsError
    from console.core.store import StoreError
    from console.security import Authentication

    loopback = host in LOOPBACK or host.startswith("127.")
    if debug and (require_auth or not loopback):
        raise ServeError("--debug: the debugger runs code typed in a browser; it is for 127.0.0.1 only, "
                         "without --auth.")
    # Before anything is created: a port another program holds must leave no data folder and no database behind.
    check_listen(host, port)
    if api_port is None:
        api_port = port + 1 if 0 < port < 65535 else 0
    if api_port and api_port == port:
        raise ServeError(f"--api-port {api_port}: that is the console's own port; function URLs need another one.")
    check_listen(host, api_port, option="--api-port")
    if templates is not None:
        check_templates(templates)
    from console.errorlog import log_to_stderr

    log_to_stderr()
    try:
        given = credential_settings(profile, assume_role)
        config = load_config(data_dir, given)
        auth = None
        if require_auth or not loopback:
            auth = Authentication.create(config.token, config.access_key_id, config.secret_access_key)
        hosts = [*allowed_hosts, *config.allowed_hosts.split(",")]
        app = create_app({"DATA_DIR": config.data_dir, "AUTHENTICATION": auth, "ALLOWED_HOSTS": hosts,
                          "CONSOLE": given or {}})
    except (ConfigError, StoreError, CredentialsError) as exc:
        raise ServeError(str(exc)) from None
    console = app.extensions[EXTENSION]
    try:
        if templates is not None:
            serve_templates(console, templates)
        if debug:
            _say(f"lambda-console (debug) at http://{url_host(host)}:{port}/")
            app.run(host=host, port=port, debug=True, use_reloader=False, threaded=True)
            return
        server = create_server(app, console, host, port)
        front = create_front_server(console, host, api_port, allowed_hosts=hosts, auth=auth)
        console.api_port = front.effective_port
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = f"http://{url_host(shown)}:{server.effective_port}/"
        if auth is None:
            _say(f"lambda-console at {url}  (Lambda API endpoint: {url.rstrip('/')})")
        else:
            _say(f"lambda-console at {url}?token={auth.token}")
            _say(f"Lambda API endpoint: {url.rstrip('/')}  (requests signed with "
                 f"AWS_ACCESS_KEY_ID={auth.credentials.access_key_id} "
                 f"AWS_SECRET_ACCESS_KEY={auth.credentials.secret_access_key})")
            if not loopback:
                _say(f"Listening on {host}: other machines can reach this console; they need the token or "
                     "the keys above.")
        _say(f"Data: {console.config.data_dir}")
        _say(f"Function URLs at http://{url_host(shown)}:{front.effective_port}/ (each its own "
             f"http://<url-id>.lambda-url.<region>.localhost:{front.effective_port}/, shown on its Configuration tab)")
        for route in console.api_routes():  # as sam local start-api says what it serves
            _say(route.line(f"http://{url_host(shown)}:{front.effective_port}"))
        if not loopback:
            _say(f"Function URLs with AuthType NONE answer anyone who can reach port {front.effective_port} of this "
                 "machine, without the token or the keys: that is what NONE means. AWS_IAM ones need the keys above.")
        handed = console.handed_credentials()
        if handed is None:
            _say("Handlers get no AWS credentials (start with --profile NAME to hand them a profile's).")
        elif console.config.assume_role:
            _say(f"Handlers get their function's Role, assumed with the AWS credentials of {handed.shown}.")
        else:
            _say(f"Handlers get the AWS credentials of {handed.shown}.")

        def stop(signum: int, frame: object) -> None:
            # As Ctrl-C does: out of the serving loop at once, even while clients keep connections open.
            raise KeyboardInterrupt

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, stop)
        front_thread = threading.Thread(target=front.run, name="function-urls", daemon=True)
        front_thread.start()
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            front.close()
    finally:
        console.close()


def check_templates(templates: TemplateOptions) -> None:
    """Refuse, before anything is stored, a template or --env-vars file that cannot be read at all (the reader's
    message names the file, and the line and column of a syntax error)."""
    from console.core.sam_load import read_templates
    from console.core.sam_local import EnvVarsError
    from console.core.sam_yaml import TemplateError

    try:
        with tempfile.TemporaryDirectory(prefix="lambda-console-check-") as inline:  # InlineCode, written to look at
            read_templates(templates, Path(inline))
    except (TemplateError, EnvVarsError) as exc:
        raise ServeError(str(exc)) from None


def serve_templates(console: Console, templates: TemplateOptions) -> None:
    """The templates' functions created or brought up to date; what cannot run is said, one line each."""
    from console.core.sam_local import EnvVarsError
    from console.core.sam_yaml import TemplateError

    try:
        if templates.env_vars is not None:
            console.use_env_vars(templates.env_vars)
        notices = console.serve_templates(list(templates.paths), dict(templates.overrides),
                                          templates.env_vars) if templates.paths else []
    except (TemplateError, EnvVarsError) as exc:  # changed since it was checked
        raise ServeError(str(exc)) from None
    if templates.env_vars is not None:
        _say(f"Folder functions get the variables they declare from {templates.env_vars}.")
    if templates.paths:
        served = ", ".join(str(path) for path in templates.paths)
        _say(f"Serving the functions of {served}; saving a template updates them.")
    for notice in notices:
        _say(notice.line())


def check_listen(host: str, port: int, option: str = "--port") -> None:
    """Refuse, in one line, an address the server could not listen on (a port in use above all)."""
    import errno
    import socket

    if port == 0:
        return  # the system picks a free port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"--host {host}: not an address of this machine ({exc.strerror}). "
                         "Pass an address such as 127.0.0.1 or 0.0.0.0.") from None
    family, kind, proto, _, address = infos[0]
    where = f"{url_host(host)}:{port}"
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":
            # As waitress binds: a port left in TIME_WAIT by a console that just stopped is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"{where}: the port is in use (another program is listening there). Stop it, or "
                                 f"pick another port with {option} (0 picks a free one).") from None
            if exc.errno == errno.EACCES:
                raise ServeError(f"{where}: not allowed to listen there (ports below 1024 need privileges). Pick "
                                 f"another port with {option}.") from None
            raise ServeError(f"{where}: cannot listen there ({exc.strerror}). Pass an address of this machine "
                             "with --host.") from None


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
