"""The web console: HTML pages and the htmx fragments they include, over the Console.

Every page that shows data has a JSON twin (`.json`), and every fragment is included by its page: a view renders the
fragment for an htmx request and the whole page otherwise (`rendering.render`).
"""

from __future__ import annotations

from flask import Blueprint

from console.resources import static_dir, templates_dir

# The templates and static files ship beside the package in a checkout and inside it in a wheel (console.resources).
bp = Blueprint("web", __name__, template_folder=str(templates_dir()), static_folder=str(static_dir()),
               static_url_path="/assets")

# The views register their routes on `bp` when imported.
from console.web import (  # noqa: F401
    code,
    deploys,
    editor,
    expected,
    folders,
    function_urls,
    functions,
    layers,
    manage,
    packages,
    presenter,
    remote_runs,
    remotes,
    rendering,
    runs,
    viewers,
)
