"""The AWS Lambda REST API (service `lambda`, rest-json, 2015-03-31) in AWS's wire format, over the Console."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lambda_api", __name__, url_prefix="/2015-03-31")
