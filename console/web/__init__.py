"""The web console: HTML pages and the htmx fragments they include, over the Console."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="../../templates", static_folder="../../static",
               static_url_path="/static")
