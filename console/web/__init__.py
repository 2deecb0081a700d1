"""The web console: HTML pages and the htmx fragments they include, over the Console.

Every page that shows data has a JSON twin (`.json`), and every fragment is included by its page: a view renders the
fragment for an htmx request and the whole page otherwise (`rendering.render`).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="../../templates", static_folder="../../static",
               static_url_path="/assets")  # the app itself owns /static (an empty console/static)

# The views register their routes on `bp` when imported.
from console.web import editor, functions, packages, presenter, rendering, runs  # noqa: F401
