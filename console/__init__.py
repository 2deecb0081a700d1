"""lambda-console: a local AWS Lambda console for Python handlers.

`console.app.create_app()` builds the Flask application: the web console (`console.web`) and, on the same port, the
AWS Lambda REST API (`console.lambda_api`), both over one `Console` (`console.core.console`), which owns the store and
the engine. The command line is `console.cli`.

Importing `console` imports nothing else: the command line's `invoke` never loads Flask, werkzeug or waitress. The
application's names are still reachable here (`from console import create_app`), loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.app import EXTENSION, create_app, get_console

__all__ = ["EXTENSION", "create_app", "get_console"]


def __getattr__(name: str) -> Any:
    # PEP 562: the web stack loads only when one of its names is asked for.
    if name in __all__:
        from console import app

        return getattr(app, name)
    raise AttributeError(f"module 'console' has no attribute {name!r}")
