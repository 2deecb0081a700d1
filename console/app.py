"""The Flask application: the web console (`console.web`) and, on the same port, the AWS Lambda REST API
(`console.lambda_api`), both over one `Console` (`console.core.console`), which owns the store and the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from console.core.console import Console

EXTENSION = "lambda_console"


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """The application. `test_config` may hold Flask settings, `DATA_DIR`, and `CONSOLE` (console settings)."""
    from console import lambda_api, security, web
    from console.config import load_config

    settings: dict[str, Any] = dict(test_config or {})
    data_dir = settings.pop("DATA_DIR", None)
    overrides = dict(settings.pop("CONSOLE", None) or {})
    # The data folder (option, LAMBDA_CONSOLE_DATA, else console.resources' default) is the app's instance folder.
    config = load_config(data_dir, overrides)
    # No app-wide static folder: the web console serves its files under /assets (console.web).
    app = Flask(__name__, instance_path=str(config.data_dir), instance_relative_config=True, static_folder=None)
    app.config.update(settings)
    # The largest request anyone needs: CreateFunction with the largest zip, base64 in JSON (Lambda's 69905067
    # bytes for 50 MB). Werkzeug refuses a larger body before reading it.
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default holds the key, set to None
        app.config["MAX_CONTENT_LENGTH"] = -(-config.max_zip_bytes * 4 // 3) + 64 * 1024
    console = app.extensions[EXTENSION] = Console(config)
    # Each request hands its database connection back, so the server's threads hold none between requests.
    app.teardown_appcontext(lambda exc: console.release_connection())

    security.init_app(app)
    app.register_blueprint(lambda_api.bp)
    app.register_blueprint(lambda_api.function_urls.bp)
    app.register_blueprint(web.bp)
    return app


def get_console() -> Console:
    """The Console of the application handling the current request."""
    return current_app.extensions[EXTENSION]
