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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from console.core.console import Console

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
